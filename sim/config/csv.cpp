#include "sim/config/csv.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "sim/core/error.hpp"
#include "sim/core/files.hpp"

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

namespace {

// A header that names a column twice (case-insensitive, as columns are
// looked up) is refused: which of the two would be read is a guess.
void check_header(const CsvTable& table) {
  for (std::size_t i = 0; i < table.header.size(); ++i) {
    if (table.header[i].empty()) continue;
    for (std::size_t j = i + 1; j < table.header.size(); ++j) {
      if (lower(table.header[i]) == lower(table.header[j])) {
        throw ConfigError(fmt::format("{}:1: column '{}' appears twice (columns {} and {})", table.path,
                                      one_line(table.header[j], 80), i + 1, j + 1));
      }
    }
  }
}

// The text of a CSV file, or a ConfigError saying why it cannot be read.
std::string read_text(const std::string& path) {
  if (const std::string why = unreadable_file_reason(path); !why.empty()) {
    throw ConfigError(fmt::format("{}: CSV file {}", one_line(path, 200), why));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the CSV file", one_line(path, 200)));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// `text` without a UTF-8 byte order mark; a ConfigError if it holds a NUL
// byte (a binary file, or a UTF-16 one).
std::string_view checked_text(std::string_view text, const std::string& path) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n');
    throw ConfigError(fmt::format("{}:{}: a NUL byte (at byte {}): expected a text CSV file",
                                  one_line(path, 200), line, nul + 1));
  }
  return text;
}

}  // namespace

CsvTable read_csv(const std::string& path) {
  return parse_csv(read_text(path), path);
}

// Lines end with \n, \r\n or a lone \r (old Mac files, which otherwise read
// as one header line).
CsvTable parse_csv(std::string_view text, const std::string& path) {
  text = checked_text(text, path);
  CsvTable table;
  table.path = one_line(path, 200);
  const std::string_view first_line = text.substr(0, text.find_first_of("\r\n"));
  const auto commas = std::count(first_line.begin(), first_line.end(), ',');
  const auto semicolons = std::count(first_line.begin(), first_line.end(), ';');
  table.separator = semicolons > commas ? ';' : ',';

  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;  // the current field was a quoted string, now closed
  std::size_t line = 1;
  std::size_t record_line = 1;
  std::vector<std::size_t> columns;  // where each field of the record starts (1-based)
  std::size_t line_start = 0;        // offset of the current line's first character
  std::size_t field_start = 0;       // offset of the current field's first character
  auto start_field = [&](std::size_t offset) {
    field_start = offset;
    while (field_start < text.size() && (text[field_start] == ' ' || text[field_start] == '\t'))
      ++field_start;
  };
  auto end_field = [&] {
    record.push_back(trim(field));
    columns.push_back(field_start >= line_start ? field_start - line_start + 1 : 1);
    field.clear();
    was_quoted = false;
  };
  auto end_record = [&] {
    end_field();
    const bool blank = record.size() == 1 && record[0].empty();
    if (!blank) {
      if (table.header.empty()) {
        table.header = record;
        table.header_columns = columns;
        check_header(table);
      } else {
        if (record.size() != table.header.size()) {
          throw ConfigError(fmt::format("{}:{}: expected {} columns (as in the header), got {}", table.path,
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
          was_quoted = true;
        }
      } else {
        if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
          ++line;
          line_start = i + 1;
        }
        field += c;
      }
    } else if (c == table.separator) {
      end_field();
      start_field(i + 1);
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      end_record();
      line_start = i + 1;
      start_field(i + 1);
    } else if (was_quoted && c != ' ' && c != '\t') {
      throw ConfigError(fmt::format("{}:{}: text after a closing quote in a field; expected a separator",
                                    table.path, line));
    } else if (c == '"') {
      if (!trim(field).empty()) {
        throw ConfigError(fmt::format(
            "{}:{}: a quote inside an unquoted field ('{}\"'); quote the whole field and double inner quotes",
            table.path, line, one_line(trim(field), 80)));
      }
      field.clear();
      quoted = true;
    } else if (!was_quoted) {
      field += c;
    }
  }
  if (quoted) throw ConfigError(fmt::format("{}:{}: unterminated quoted field", table.path, record_line));
  if (!field.empty() || !record.empty() || was_quoted) end_record();
  if (table.header.empty()) throw ConfigError(fmt::format("{}: the CSV file is empty", table.path));
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
