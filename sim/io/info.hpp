#pragma once
#include <string>

namespace atc::io {

// A human-readable summary of an atcsim result file (`atcsim info`).
// Throws ConfigError (bad input, exit code 2) naming the file and what is
// wrong when it is missing, not a regular file, empty, not HDF5, truncated,
// damaged, not laid out as an atcsim result file, or of another schema
// version. Never blocks on a FIFO.
std::string describe_file(const std::string& path);

}  // namespace atc::io
