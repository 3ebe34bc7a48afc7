#pragma once
// One error hierarchy for the whole program. User-facing messages say what is
// wrong and how to fix it; the CLI maps each kind to an exit code.
#include <stdexcept>
#include <string>
#include <string_view>

namespace atc {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Bad input from the user (config file, --set, command line). Exit code 2.
// The message is always one printable line: control characters that came
// from the input (a newline in a quoted value, a NUL byte) are escaped, and a
// message longer than kMaxMessage characters is cut.
class ConfigError : public Error {
 public:
  static constexpr std::size_t kMaxMessage = 4096;
  explicit ConfigError(const std::string& message);
};

// `text` as one printable line: \n, \r, \t and other control bytes escaped
// (UTF-8 is kept), cut after `max` bytes with a note of the full length.
std::string one_line(std::string_view text, std::size_t max = ConfigError::kMaxMessage);

// A model detected an impossible state at run time. Exit code 1.
// The throw site is recorded with __builtin_FILE/__builtin_LINE rather than
// std::source_location, which clang 14 (the fuzzing compiler) lacks with
// libstdc++ 12.
class ModelError : public Error {
 public:
  explicit ModelError(const std::string& message, const char* file = __builtin_FILE(),
                      int line = __builtin_LINE());
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
