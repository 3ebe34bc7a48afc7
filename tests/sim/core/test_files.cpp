// Files a user names: FIFOs, directories, devices, unreadable files and names
// too long for the file system get a reason in words, never an exception, a
// blocked read or a folder created (issue 15, finding 8 and 14).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <sys/stat.h>

#include <climits>
#include <filesystem>
#include <string>

#include "sim/core/error.hpp"
#include "sim/core/files.hpp"
#include "support/process.hpp"

using atc::create_parent_directories;
using atc::uncreatable_file_reason;
using atc::unreadable_file_reason;
using atc::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("a file to read: every kind of non-file is named", "[core][files]") {
  TempDir dir;
  dir.write("ok.toml", "x = 1\n");
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
  fs::create_directory(dir.file("folder"));
  CHECK(unreadable_file_reason(dir.file("ok.toml")).empty());
  CHECK(unreadable_file_reason(dir.file("missing.toml")) == "not found");
  CHECK(unreadable_file_reason(dir.file("ok.toml/x")) == "not found (a part of the path is not a directory)");
  CHECK(unreadable_file_reason(dir.file("folder")) == "is a directory");
  CHECK(unreadable_file_reason(dir.file("fifo")) == "is a FIFO (named pipe), not a regular file");
  CHECK(unreadable_file_reason("/dev/null") == "is a character device, not a regular file");
  CHECK(unreadable_file_reason(dir.file(std::string(1000, 'a'))) ==
        "has a name too long for the file system (1000 characters in one name; at most 255)");
  CHECK_THAT(unreadable_file_reason(std::string(5000, '/') + "x"), Catch::StartsWith("has a path too long"));
}

TEST_CASE("a file to write: checked without creating anything", "[core][files]") {
  TempDir dir;
  // 250 characters are a legal name, but its ".partial" (258) is not.
  const std::string name(250, 'r');
  CHECK(uncreatable_file_reason(dir.file(name), "") == "");
  CHECK(uncreatable_file_reason(dir.file(name), ".partial") ==
        "with '.partial' added (the name it has until the run completes) it has a name too long for the file "
        "system (258 characters in one name; at most 255)");
  CHECK(uncreatable_file_reason(dir.file(std::string(300, 'r')), ".partial") ==
        "it has a name too long for the file system (300 characters in one name; at most 255)");
  // Missing folders are fine (run creates them), and nothing is created now.
  CHECK(uncreatable_file_reason(dir.file("out/deeper/r.h5"), ".partial") == "");
  CHECK_FALSE(fs::exists(dir.file("out")));
  CHECK(fs::is_empty(dir.path()));
  // Non-regular files in the way.
  fs::create_directory(dir.file("folder"));
  REQUIRE(::mkfifo(dir.file("r.h5.partial").c_str(), 0600) == 0);
  CHECK(uncreatable_file_reason(dir.file("folder"), ".partial") == "it is a directory");
  CHECK(uncreatable_file_reason("/dev/null", ".partial") == "it is a character device, not a regular file");
  CHECK(uncreatable_file_reason(dir.file("r.h5"), ".partial") ==
        fmt::format("'{}' is a FIFO (named pipe), not a regular file", dir.file("r.h5.partial")));
  dir.write("plain", "x");
  CHECK(uncreatable_file_reason(dir.file("plain/r.h5"), ".partial") ==
        fmt::format("'{}' is not a directory", dir.file("plain")));
  CHECK_THAT(uncreatable_file_reason("/proc/atcsim-no-such-dir/r.h5", ".partial"),
             Catch::StartsWith("cannot create the output directory '/proc/atcsim-no-such-dir'"));
}

TEST_CASE("the output's folders are created only when asked", "[core][files]") {
  TempDir dir;
  create_parent_directories(dir.file("a/b/r.h5"));
  CHECK(fs::is_directory(dir.file("a/b")));
  CHECK_FALSE(fs::exists(dir.file("a/b/r.h5")));
  dir.write("plain", "x");
  CHECK_THROWS_AS(create_parent_directories(dir.file("plain/r.h5")), atc::IoError);
}

TEST_CASE("a file in progress is removed by the signal handler's call, and only while in progress",
          "[core][files][signals]") {
  TempDir dir;
  dir.write("view.h5", "half written");
  dir.write("other.h5", "complete");
  {
    const atc::FileInProgress writing(dir.file("view.h5"));
    const atc::FileInProgress second(dir.file("other.h5"));  // one at a time: registers nothing
    atc::remove_file_in_progress();
    CHECK_FALSE(fs::exists(dir.file("view.h5")));
    CHECK(fs::exists(dir.file("other.h5")));
  }
  dir.write("view.h5", "complete now");
  atc::remove_file_in_progress();  // nothing in progress: nothing removed
  CHECK(fs::exists(dir.file("view.h5")));
  const atc::FileInProgress too_long(std::string(PATH_MAX, 'x'));  // not registered
  atc::remove_file_in_progress();
  CHECK(fs::exists(dir.file("view.h5")));
}
