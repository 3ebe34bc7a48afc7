#include "sim/cli/resume_hint.hpp"

#include <algorithm>

namespace atc::cli {

std::string shell_quote(const std::string& word) {
  const auto safe = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  };
  if (!word.empty() && std::all_of(word.begin(), word.end(), safe)) return word;
  std::string out = "'";
  for (const char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string resume_command(const std::vector<std::string>& argv, const std::string& prefix) {
  std::string out = prefix;
  for (const auto& word : argv) {
    if (!out.empty()) out += ' ';
    out += shell_quote(word);
  }
  if (std::find(argv.begin(), argv.end(), "--resume") == argv.end()) out += " --resume";
  return out;
}

}  // namespace atc::cli
