#include "sim/config/includes.hpp"

#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/files.hpp"
#include "sim/core/text.hpp"

namespace atc::sim {

namespace fs = std::filesystem;

namespace {

// The text of a config file (or an included one) whose readability was
// checked: what was checked could still vanish before it is read.
std::string read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: config file cannot be read", one_line(path, 200)));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `text` parsed as the file `path`: nodes remember `path` with their line and
// column, as toml::parse_file would.
toml::table parse_toml(std::string_view text, const std::string& path) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    Location loc{path, e.source().begin.line, e.source().begin.column};
    throw ConfigError(fmt::format("{}: syntax error: {}", loc.str(), e.description()));
  }
}

// The key that names an element of an array of tables ([[scenario]] and
// [[contrast]] by `name`, [[site]] by `id`), or nullopt.
std::optional<std::string> element_name(const toml::node& element) {
  const toml::table* t = element.as_table();
  if (t == nullptr) return std::nullopt;
  for (const char* key : {"name", "id"}) {
    if (const toml::node* n = t->get(key); n != nullptr && n->is_string()) return *n->value<std::string>();
  }
  return std::nullopt;
}

// Arrays of tables from an included file and from the including file are
// concatenated, the included elements first; an element named in both is an
// error naming both places.
void concatenate(std::string_view key, toml::array& dst, toml::array& src, const std::string& file) {
  for (const auto& mine : dst) {
    const auto name = element_name(mine);
    if (!name) continue;
    for (const auto& theirs : src) {
      if (element_name(theirs) != name) continue;
      config_fail(location_of(mine, file), key,
                  fmt::format("[[{}]] '{}' is also defined in an included file, at {}", key,
                              one_line(*name, 80), location_of(theirs, file).str()));
    }
  }
  toml::array merged;
  for (auto&& element : src) merged.push_back(std::move(element));
  for (auto&& element : dst) merged.push_back(std::move(element));
  dst = std::move(merged);
}

// Keys of `src` (an included file) that `dst` lacks are copied; tables merge
// recursively; arrays of tables concatenate; anything else `dst` already has
// wins.
// Nodes are moved, not copied: toml++ keeps a node's source position (file,
// line, column) only when it is moved, and error messages need it.
void merge_missing(toml::table& dst, toml::table& src, const std::string& file) {
  for (auto&& [key, node] : src) {
    auto* existing = dst.get(key);
    if (existing == nullptr) {
      dst.insert(key, std::move(node));
    } else if (existing->is_table() && node.is_table()) {
      merge_missing(*existing->as_table(), *node.as_table(), file);
    } else if (existing->is_array_of_tables() && node.is_array_of_tables()) {
      concatenate(key.str(), *existing->as_array(), *node.as_array(), file);
    }
  }
}

// An include: the file named and where it is named.
struct Include {
  std::string name;
  Location where;
};

toml::table load_nested(std::string_view text, const std::string& path, std::vector<std::string>& chain);

// The files `root` includes, in order.
std::vector<Include> includes_of(const toml::node& include, const std::string& path) {
  std::vector<Include> files;
  auto add = [&](const toml::node& node) {
    if (!node.is_string()) {
      config_fail(location_of(node, path), "include",
                  fmt::format("expected a file name or a list of file names, got {}", describe_node(node)));
    }
    files.push_back({*node.value<std::string>(), location_of(node, path)});
  };
  if (const auto* arr = include.as_array()) {
    for (const auto& item : *arr) add(item);
  } else {
    add(include);
  }
  return files;
}

// Loads one included file, after checking that it can be read, that it does
// not include itself and that the chain stays within kMaxIncludeDepth.
toml::table load_included(const Include& inc, const fs::path& base, std::vector<std::string>& chain) {
  const std::string resolved = (base / inc.name).lexically_normal().string();
  if (const std::string why = unreadable_file_reason(resolved); !why.empty()) {
    config_fail(inc.where, "include",
                why == "not found" ? fmt::format("file '{}' not found (looked for {})",
                                                 one_line(inc.name, 80), one_line(resolved, 200))
                                   : fmt::format("file '{}' {}", one_line(inc.name, 80), why));
  }
  std::error_code ec;
  const std::string canonical = fs::weakly_canonical(resolved, ec).string();
  for (const auto& open : chain) {
    if (open == canonical) {
      config_fail(inc.where, "include",
                  fmt::format("file '{}' includes itself: {} -> {}", one_line(inc.name, 80),
                              one_line(join(chain, " -> "), 400), one_line(canonical, 200)));
    }
  }
  if (chain.size() > kMaxIncludeDepth) {
    config_fail(inc.where, "include",
                fmt::format("includes nested too deep: '{}' would be level {} of includes; at most {} levels",
                            one_line(inc.name, 80), chain.size(), kMaxIncludeDepth));
  }
  chain.push_back(canonical);
  toml::table included = load_nested(read_config_file(resolved), resolved, chain);
  chain.pop_back();
  return included;
}

toml::table load_nested(std::string_view text, const std::string& path, std::vector<std::string>& chain) {
  toml::table root = parse_toml(text, path);
  const toml::node* include = root.get("include");
  if (include == nullptr) return root;
  const std::vector<Include> files = includes_of(*include, path);
  const fs::path base = fs::path(path).parent_path();
  root.erase("include");
  for (const auto& inc : files) {
    toml::table included = load_included(inc, base, chain);
    merge_missing(root, included, path);
  }
  return root;
}

}  // namespace

toml::table load_with_includes(const std::string& path) {
  return load_text_with_includes(read_config_file(path), path);
}

toml::table load_text_with_includes(std::string_view text, const std::string& path) {
  std::error_code ec;
  std::vector<std::string> chain{fs::weakly_canonical(path, ec).string()};
  return load_nested(text, path, chain);
}

}  // namespace atc::sim
