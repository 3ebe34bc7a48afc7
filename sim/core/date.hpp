#pragma once
// Civil dates (proleptic Gregorian), enough for a CF time axis in days.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atc {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  // Days since 1970-01-01.
  [[nodiscard]] std::int64_t days_since_epoch() const;
  [[nodiscard]] static Date from_days_since_epoch(std::int64_t days);
  [[nodiscard]] std::string iso() const;  // YYYY-MM-DD
  // Parses YYYY-MM-DD; nullopt when malformed or not a real date.
  [[nodiscard]] static std::optional<Date> parse(std::string_view text);
  [[nodiscard]] bool valid() const;
  friend bool operator==(const Date&, const Date&) = default;
};

}  // namespace atc
