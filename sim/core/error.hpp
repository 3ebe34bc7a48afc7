#pragma once
// One error hierarchy for the whole program. User-facing messages say what is
// wrong and how to fix it; the CLI maps each kind to an exit code.
#include <source_location>
#include <stdexcept>
#include <string>

namespace atc {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Bad input from the user (config file, --set, command line). Exit code 2.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// A model detected an impossible state at run time. Exit code 1.
class ModelError : public Error {
 public:
  explicit ModelError(const std::string& message,
                      std::source_location where = std::source_location::current());
};

// Reading or writing files failed (disk full, HDF5 error, ...). Exit code 1.
class IoError : public Error {
 public:
  using Error::Error;
};

// The user interrupted a run (SIGINT/SIGTERM). Exit code 130.
class Interrupted : public Error {
 public:
  using Error::Error;
};

}  // namespace atc
