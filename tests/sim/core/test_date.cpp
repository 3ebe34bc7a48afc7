// Civil dates: day counts against Python's datetime, round trips, parsing.
#include <catch2/catch.hpp>

#include <cstdint>

#include "sim/core/date.hpp"

using atc::Date;

TEST_CASE("date: days since 1970-01-01 match the proleptic Gregorian calendar", "[core][date]") {
  // Reference values from Python: (datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days
  struct Known {
    Date date;
    std::int64_t days;
  };
  const Known known[] = {{{1970, 1, 1}, 0},        {{1969, 12, 31}, -1},    {{2000, 2, 29}, 11016},
                         {{2019, 9, 2}, 18141},    {{1600, 3, 1}, -135080}, {{1, 1, 1}, -719162},
                         {{9999, 12, 31}, 2932896}};
  for (const auto& k : known) {
    INFO(k.date.iso());
    CHECK(k.date.days_since_epoch() == k.days);
    CHECK(Date::from_days_since_epoch(k.days) == k.date);
  }
}

TEST_CASE("date: every day from year 1 to 9999 round-trips and is the next calendar day", "[core][date]") {
  const std::int64_t first = Date{1, 1, 1}.days_since_epoch();
  const std::int64_t last = Date{9999, 12, 31}.days_since_epoch();
  Date previous = Date::from_days_since_epoch(first - 1);
  CHECK(previous == Date{0, 12, 31});
  for (std::int64_t day = first; day <= last; ++day) {
    const Date d = Date::from_days_since_epoch(day);
    REQUIRE(d.valid());
    REQUIRE(d.days_since_epoch() == day);
    // The next day: same month, or the first of the next month (or year).
    const bool same_month = d.year == previous.year && d.month == previous.month && d.day == previous.day + 1;
    const bool next_month =
        d.day == 1 && ((d.year == previous.year && d.month == previous.month + 1) ||
                       (d.year == previous.year + 1 && d.month == 1 && previous.month == 12));
    REQUIRE((same_month || next_month));
    previous = d;
  }
}

TEST_CASE("date: validity follows the leap-year rules", "[core][date]") {
  CHECK(Date{2000, 2, 29}.valid());  // divisible by 400
  CHECK(Date{2024, 2, 29}.valid());
  CHECK_FALSE(Date{1900, 2, 29}.valid());  // divisible by 100, not by 400
  CHECK_FALSE(Date{2023, 2, 29}.valid());
  CHECK_FALSE(Date{2021, 4, 31}.valid());
  CHECK_FALSE(Date{2021, 13, 1}.valid());
  CHECK_FALSE(Date{2021, 0, 1}.valid());
  CHECK_FALSE(Date{2021, 1, 0}.valid());
  CHECK_FALSE(Date{0, 1, 1}.valid());
  CHECK_FALSE(Date{10000, 1, 1}.valid());
}

TEST_CASE("date: ISO text is parsed strictly and printed with zero padding", "[core][date]") {
  CHECK(Date::parse("2021-12-27") == Date{2021, 12, 27});
  CHECK(Date::parse("0005-01-02") == Date{5, 1, 2});
  CHECK(Date{5, 1, 2}.iso() == "0005-01-02");
  CHECK(Date{2019, 9, 2}.iso() == "2019-09-02");
  for (const char* bad : {"", "2021-1-01", "2021-01-1", "21-01-01", "2021/01/01", "2021-01-0x", "+021-01-01",
                          "2021-02-30", "2021-13-01", "2021-12-27T00", " 2021-12-2"}) {
    INFO(bad);
    CHECK_FALSE(Date::parse(bad).has_value());
  }
}
