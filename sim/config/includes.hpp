#pragma once
// Config files may include others: `include = "base.toml"` or a list of
// files, resolved relative to the including file. What the including file
// sets wins; tables merge key by key; arrays of tables ([[scenario]],
// [[site]], [[contrast]]) concatenate, the included file's elements first,
// and an element named (`name` or `id`) in both files is an error.
#include <toml++/toml.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace atc::sim {

// How deep includes may nest (the config file itself is level 0).
inline constexpr std::size_t kMaxIncludeDepth = 8;

// Parses `path` and merges its includes (recursively, at most
// kMaxIncludeDepth levels deep). Throws ConfigError with file:line:col on a
// syntax error, a missing or unreadable file, a cycle or too deep a chain.
toml::table load_with_includes(const std::string& path);

// The same for a config's text that is not (or not only) in a file: `path`
// names it in messages and is where its relative includes are looked up
// (it need not exist). load_with_includes reads the file and calls this.
toml::table load_text_with_includes(std::string_view text, const std::string& path);

}  // namespace atc::sim
