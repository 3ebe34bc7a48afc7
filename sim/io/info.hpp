#pragma once
#include <string>

namespace atc::io {

// A human-readable summary of an atcsim result file (`atcsim info`).
// Throws IoError when the file cannot be read or is not an atcsim output.
std::string describe_file(const std::string& path);

}  // namespace atc::io
