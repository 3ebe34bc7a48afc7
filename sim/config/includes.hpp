#pragma once
// Config files may include others: `include = "base.toml"` or a list of
// files, resolved relative to the including file. What the including file
// sets wins; tables merge key by key.
#include <toml++/toml.h>

#include <string>

namespace atc::sim {

// Parses `path` and merges its includes (recursively, at most a few levels
// deep). Throws ConfigError with file:line:col on a syntax error or a missing file.
toml::table load_with_includes(const std::string& path);

}  // namespace atc::sim
