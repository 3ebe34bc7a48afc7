// The run journal (sim/io/journal.hpp): round trip, the torn last record
// dropped, every other damage refused with one line; and its checksum.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "sim/core/error.hpp"
#include "sim/io/crc32c.hpp"
#include "sim/io/journal.hpp"
#include "support/process.hpp"

using atc::ConfigError;
using atc::io::crc32c;
using atc::io::Journal;
using atc::io::JournalShape;
using atc::test::TempDir;
namespace fs = std::filesystem;

namespace {

const JournalShape kShape{4, 3};
const std::string kIdentity = "atcsim 1.0 (schema 1)\n[experiment]\nname = \"j\"\nseed = 1\n";

std::vector<double> run_data(double base) {
  return {base, base + 0.5, -base};
}

// A journal with runs 2 and 0 (in that order) complete; returns its path.
std::string two_runs(const TempDir& dir) {
  std::string path = dir.file("r.h5.journal");
  Journal j = Journal::create(path, kIdentity, kShape);
  j.append(2, run_data(2));
  j.append(0, run_data(-0.0));
  return path;
}

Journal reopen(const std::string& path, Journal::Opened& opened, const std::string& identity = kIdentity,
               const JournalShape& shape = kShape) {
  return Journal::open(path, identity, shape, opened);
}

void flip_byte(const std::string& path, std::uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x10);
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

std::string refusal(const std::string& path, const std::string& identity = kIdentity,
                    const JournalShape& shape = kShape) {
  Journal::Opened opened{};
  try {
    reopen(path, opened, identity, shape);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

constexpr std::uint64_t kRecordBytes = 24 + 3 * 8 + 4;

}  // namespace

TEST_CASE("crc32c: the standard check value and chaining", "[io][journal]") {
  const std::string text = "123456789";
  CHECK(crc32c(text.data(), text.size()) == 0xE3069283U);  // RFC 3720, B.4
  CHECK(crc32c(nullptr, 0) == 0U);
  const std::string long_text(1000, 'x');
  CHECK(atc::io::crc32c_extend(crc32c(long_text.data(), 333), long_text.data() + 333, 667) ==
        crc32c(long_text.data(), long_text.size()));
  std::string changed = long_text;
  changed[500] = 'y';
  CHECK(crc32c(changed.data(), changed.size()) != crc32c(long_text.data(), long_text.size()));
}

TEST_CASE("journal: completed runs read back bit for bit, in any order", "[io][journal]") {
  TempDir dir;
  const std::string path = two_runs(dir);
  Journal::Opened opened{};
  Journal j = reopen(path, opened);
  CHECK(opened == Journal::Opened::kRuns);
  CHECK(j.completed_runs() == 2);
  CHECK(j.complete(0));
  CHECK_FALSE(j.complete(1));
  CHECK(j.complete(2));
  CHECK(j.dropped_bytes() == 0);
  std::vector<double> data;
  j.read(0, data);
  REQUIRE(data.size() == 3);
  CHECK(std::signbit(data[0]));  // -0.0 stays -0.0
  j.read(2, data);
  CHECK(data == run_data(2));
  // Appending after reopening continues the file.
  j.append(1, run_data(1));
  j.close();
  Journal again = reopen(path, opened);
  CHECK(again.completed_runs() == 3);
  again.read(1, data);
  CHECK(data == run_data(1));
}

TEST_CASE("journal: an incomplete last record is dropped, wherever the write stopped", "[io][journal]") {
  for (const std::uint64_t cut : {std::uint64_t{1}, std::uint64_t{3}, std::uint64_t{24}, kRecordBytes - 1}) {
    DYNAMIC_SECTION("last record cut to " << cut << " bytes") {
      TempDir dir;
      const std::string path = two_runs(dir);
      const auto full = fs::file_size(path);
      const auto torn = full - kRecordBytes + cut;
      REQUIRE(::truncate(path.c_str(), static_cast<off_t>(torn)) == 0);
      Journal::Opened opened{};
      // Without repair (a command that is then refused) the file is left as it is.
      CHECK(Journal::open(path, kIdentity, kShape, opened, false).completed_runs() == 1);
      CHECK(fs::file_size(path) == torn);
      Journal j = reopen(path, opened);
      CHECK(j.completed_runs() == 1);
      CHECK(j.complete(2));
      CHECK_FALSE(j.complete(0));
      CHECK(j.dropped_bytes() == cut);
      CHECK(fs::file_size(path) ==
            full - kRecordBytes);  // truncated: the next record follows the last whole one
    }
  }
}

TEST_CASE("journal: an empty or half-written header means no run was recorded", "[io][journal]") {
  TempDir dir;
  const std::string path = two_runs(dir);
  for (const off_t size : {60, 30, 5, 0}) {  // shrinking: growing would pad with zeros
    REQUIRE(::truncate(path.c_str(), size) == 0);
    Journal::Opened opened{};
    reopen(path, opened);
    CHECK(opened == Journal::Opened::kTornHeader);
  }
}

TEST_CASE("journal: damage, another configuration or format is refused, never read", "[io][journal]") {
  TempDir dir;
  SECTION("a flipped bit in a whole record (not the last)") {
    const std::string path = two_runs(dir);
    const auto first = fs::file_size(path) - 2 * kRecordBytes;
    for (const std::uint64_t at : {first + 30, first + 9, first + kRecordBytes - 2}) {
      flip_byte(path, at);
      CHECK_THAT(refusal(path), Catch::Contains("record 1") && Catch::Contains("damaged"));
      flip_byte(path, at);
    }
    CHECK(refusal(path) == "(accepted)");
  }
  SECTION("a flipped bit in the last record, which is whole: damage, not an interrupted write") {
    const std::string path = two_runs(dir);
    flip_byte(path, fs::file_size(path) - 10);
    CHECK_THAT(refusal(path), Catch::Contains("record 2") && Catch::Contains("checksum"));
  }
  SECTION("a flipped bit in the header") {
    const std::string path = two_runs(dir);
    flip_byte(path, 50);
    CHECK_THAT(refusal(path), Catch::Contains("header is damaged"));
  }
  SECTION("another configuration, another atcsim version, another run size") {
    const std::string path = two_runs(dir);
    std::string other = kIdentity;
    other.replace(other.find("seed = 1"), 8, "seed = 2");
    CHECK_THAT(refusal(path, other), Catch::Contains("different configuration") &&
                                         Catch::Contains("`seed = 1` in the journal") &&
                                         Catch::Contains("`seed = 2` now"));
    CHECK_THAT(refusal(path, "atcsim 2.0 (schema 1)\n" + kIdentity.substr(kIdentity.find('\n') + 1)),
               Catch::Contains("written by atcsim 1.0 (schema 1), this is atcsim 2.0"));
    CHECK_THAT(refusal(path, kIdentity, JournalShape{4, 5}), Catch::Contains("another size"));
  }
  SECTION("another format version") {
    const std::string path = two_runs(dir);
    {
      // Version 9 with a valid header checksum: refused for its version, not as damage.
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      std::string header(40 + kIdentity.size(), '\0');
      f.read(header.data(), static_cast<std::streamsize>(header.size()));
      header[8] = 9;
      const std::uint32_t crc = crc32c(header.data(), header.size());
      f.seekp(0);
      f.write(header.data(), static_cast<std::streamsize>(header.size()));
      f.write(reinterpret_cast<const char*>(&crc), 4);
    }
    CHECK_THAT(refusal(path), Catch::Contains("journal format 9"));
  }
  SECTION("a run recorded twice") {
    const std::string path = two_runs(dir);
    {
      Journal::Opened opened{};
      Journal j = reopen(path, opened);
      j.append(2, run_data(2));
    }
    CHECK_THAT(refusal(path), Catch::Contains("names run 2 a second time"));
  }
  SECTION("not a journal at all, or not a regular file") {
    dir.write("x.journal", "CDF\x01 something else entirely");
    CHECK_THAT(refusal(dir.file("x.journal")), Catch::Contains("not an atcsim run journal"));
    fs::create_symlink("/dev/null", dir.file("null.journal"));
    CHECK_THAT(refusal(dir.file("null.journal")), Catch::Contains("not a regular file"));
  }
}

TEST_CASE("journal: creating one replaces a link instead of writing through it", "[io][journal]") {
  TempDir dir;
  dir.write("target", "keep me");
  fs::create_symlink(dir.file("target"), dir.file("r.h5.journal"));
  Journal::create(dir.file("r.h5.journal"), kIdentity, kShape);
  CHECK_FALSE(fs::is_symlink(dir.file("r.h5.journal")));
  std::ifstream in(dir.file("target"));
  std::string text;
  std::getline(in, text);
  CHECK(text == "keep me");
}

// The tests that signal a run once its first run is complete wait with
// wait_for_first_record (tests/support): it must tell the header from a
// record however quickly the record follows it.
TEST_CASE("waiting for a first record tells the header from a record written at once", "[journal]") {
  TempDir dir;
  const std::string out = dir.file("w.h5");
  {
    Journal j = Journal::create(out + ".journal", kIdentity, kShape);
    CHECK_FALSE(atc::test::wait_for_first_record(out, 0.05));  // the header alone
    j.append(1, run_data(1));
  }
  const auto start = std::chrono::steady_clock::now();
  CHECK(atc::test::wait_for_first_record(out, 5.0));
  // Seen at once: taking the size first seen for the header's would wait
  // for a second record until the deadline and return false.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}
