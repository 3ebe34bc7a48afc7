#include "sim/config/includes.hpp"

#include <fmt/format.h>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"

namespace atc::sim {

namespace fs = std::filesystem;

namespace {

constexpr int kMaxIncludeDepth = 8;

toml::table parse_toml_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    Location loc{path, e.source().begin.line, e.source().begin.column};
    throw ConfigError(fmt::format("{}: syntax error: {}", loc.str(), e.description()));
  }
}

// Keys of `src` (an included file) that `dst` lacks are copied; tables merge
// recursively; anything `dst` already has wins.
// Nodes are moved, not copied: toml++ keeps a node's source position (file,
// line, column) only when it is moved, and error messages need it.
void merge_missing(toml::table& dst, toml::table& src) {
  for (auto&& [key, node] : src) {
    auto* existing = dst.get(key);
    if (existing == nullptr) {
      dst.insert(key, std::move(node));
    } else if (existing->is_table() && node.is_table()) {
      merge_missing(*existing->as_table(), *node.as_table());
    }
  }
}

toml::table load_nested(const std::string& path, int depth) {
  if (depth > kMaxIncludeDepth) {
    throw ConfigError(
        fmt::format("{}: include: includes nested more than {} deep (a cycle?)", path, kMaxIncludeDepth));
  }
  toml::table root = parse_toml_file(path);
  const toml::node* include = root.get("include");
  if (include == nullptr) return root;
  std::vector<std::pair<std::string, Location>> files;
  auto add = [&](const toml::node& node) {
    if (!node.is_string()) {
      config_fail(location_of(node, path), "include",
                  fmt::format("expected a file name or a list of file names, got {}", describe_node(node)));
    }
    files.emplace_back(*node.value<std::string>(), location_of(node, path));
  };
  if (const auto* arr = include->as_array()) {
    for (const auto& item : *arr) add(item);
  } else {
    add(*include);
  }
  const fs::path base = fs::path(path).parent_path();
  root.erase("include");
  for (const auto& [name, loc] : files) {
    const fs::path resolved = base / name;
    std::error_code ec;  // e.g. "File name too long": a located error, not an exception
    if (!fs::is_regular_file(resolved, ec)) {
      config_fail(loc, "include",
                  ec && ec != std::errc::no_such_file_or_directory
                      ? fmt::format("cannot use file '{}': {}", one_line(name, 80), ec.message())
                      : fmt::format("file '{}' not found (looked for {})", name,
                                    resolved.lexically_normal().string()));
    }
    toml::table included = load_nested(resolved.lexically_normal().string(), depth + 1);
    merge_missing(root, included);
  }
  return root;
}

}  // namespace

toml::table load_with_includes(const std::string& path) {
  return load_nested(path, 0);
}

}  // namespace atc::sim
