#pragma once
// A small CSV reader for user-provided tables (e.g. official per-site
// statistics): RFC 4180 quoting, ',' or ';' separators (detected from the
// header), decimal commas when the separator is ';'.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atc::sim {

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;         // each as long as the header
  std::vector<std::size_t> row_lines;                 // 1-based line number of each row
  std::vector<std::size_t> header_columns;            // 1-based column where each header field starts
  std::vector<std::vector<std::size_t>> row_columns;  // the same for every row's fields
  char separator = ',';

  // Column index by name (case-insensitive), or nullopt.
  [[nodiscard]] std::optional<std::size_t> column(const std::string& name) const;
};

// Throws ConfigError naming file:line for unreadable or malformed files.
CsvTable read_csv(const std::string& path);

// The same for a CSV text held in memory, named `path` in messages (read_csv
// reads the file and calls this).
CsvTable parse_csv(std::string_view text, const std::string& path);

// Parses a number written with '.' or (for ';' files) ',' as decimal mark;
// nullopt if the text is not a complete number.
std::optional<double> parse_number(const std::string& text, char separator);

}  // namespace atc::sim
