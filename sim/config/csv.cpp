#include "sim/config/csv.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "sim/core/error.hpp"

namespace atc::sim {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}
}  // namespace

std::optional<std::size_t> CsvTable::column(const std::string& name) const {
  const std::string wanted = lower(name);
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (lower(header[i]) == wanted) return i;
  }
  return std::nullopt;
}

CsvTable read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the CSV file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 byte order mark

  CsvTable table;
  table.path = path;
  const std::string first_line = text.substr(0, text.find('\n'));
  const auto commas = std::count(first_line.begin(), first_line.end(), ',');
  const auto semicolons = std::count(first_line.begin(), first_line.end(), ';');
  table.separator = semicolons > commas ? ';' : ',';

  std::vector<std::string> record;
  std::vector<std::size_t> columns;  // where each field of the record starts (1-based)
  std::string field;
  bool quoted = false;
  std::size_t line = 1;
  std::size_t record_line = 1;
  std::size_t line_start = 0;   // offset of the current line's first character
  std::size_t field_start = 0;  // offset of the current field's first character
  auto start_field = [&](std::size_t offset) {
    field_start = offset;
    while (field_start < text.size() && (text[field_start] == ' ' || text[field_start] == '\t'))
      ++field_start;
  };
  auto end_field = [&] {
    record.push_back(trim(field));
    columns.push_back(field_start >= line_start ? field_start - line_start + 1 : 1);
    field.clear();
  };
  auto end_record = [&] {
    end_field();
    const bool blank = record.size() == 1 && record[0].empty();
    if (!blank) {
      if (table.header.empty()) {
        table.header = record;
        table.header_columns = columns;
      } else {
        if (record.size() != table.header.size()) {
          throw ConfigError(fmt::format("{}:{}: expected {} columns (as in the header), got {}", path,
                                        record_line, table.header.size(), record.size()));
        }
        table.rows.push_back(record);
        table.row_lines.push_back(record_line);
        table.row_columns.push_back(columns);
      }
    }
    record.clear();
    columns.clear();
    record_line = line;
  };
  start_field(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') {
          ++line;
          line_start = i + 1;
        }
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == table.separator) {
      end_field();
      start_field(i + 1);
    } else if (c == '\n') {
      ++line;
      end_record();
      line_start = i + 1;
      start_field(i + 1);
    } else {
      field += c;
    }
  }
  if (quoted) throw ConfigError(fmt::format("{}:{}: unterminated quoted field", path, record_line));
  if (!field.empty() || !record.empty()) end_record();
  if (table.header.empty()) throw ConfigError(fmt::format("{}: the CSV file is empty", path));
  return table;
}

std::optional<double> parse_number(const std::string& raw, char separator) {
  std::string text = trim(raw);
  if (separator == ';') std::replace(text.begin(), text.end(), ',', '.');
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* first = text.data();
  if (*first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace atc::sim
