// Error messages are one printable line whatever the input put in them.
#include <catch2/catch.hpp>

#include <string>

#include "sim/core/error.hpp"

using atc::ConfigError;
using atc::one_line;

TEST_CASE("one_line escapes control characters and keeps UTF-8", "[core][error]") {
  CHECK(one_line("a\nb\r\tc") == "a\\nb\\r\\tc");
  CHECK(one_line(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(one_line("\x1b[31mred\x7f") == "\\x1b[31mred\\x7f");
  CHECK(one_line("Trénelle-Citron") == "Trénelle-Citron");
}

TEST_CASE("one_line cuts long text and says how long it was", "[core][error]") {
  const std::string cell(5'000'000, 'x');
  const std::string cut = one_line(cell, 80);
  CHECK(cut == std::string(80, 'x') + "... (5000000 bytes in all)");
  CHECK(one_line(std::string(80, 'y'), 80) == std::string(80, 'y'));
}

TEST_CASE("a ConfigError message is one line, NUL bytes included", "[core][error]") {
  // Issue 15, item 13: a NUL byte cut the message; a 10 MB cell was echoed whole.
  const ConfigError e(std::string("f.csv:2: got 'a\0b\nc'", 20));
  const std::string what = e.what();
  CHECK(what == "f.csv:2: got 'a\\x00b\\nc'");
  const ConfigError big("x: " + std::string(1'000'000, 'z'));
  CHECK(std::string(big.what()).size() < ConfigError::kMaxMessage + 64);
}
