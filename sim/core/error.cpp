#include "sim/core/error.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace atc {

std::string one_line(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 16);
  std::size_t used = 0;
  for (; used < text.size() && out.size() < max; ++used) {
    const auto c = static_cast<unsigned char>(text[used]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (used < text.size()) out += fmt::format("... ({} bytes in all)", text.size());
  return out;
}

ConfigError::ConfigError(const std::string& message) : Error(one_line(message)) {}

ModelError::ModelError(const std::string& message, const char* file, int line)
    : Error(fmt::format("{} [{}:{}]", message, file, line)) {}

}  // namespace atc
