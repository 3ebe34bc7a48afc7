// HDF5 errors become one IoError line on every thread, never HDF5's own
// multi-line error stack printed on stderr.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "sim/core/error.hpp"
#include "sim/io/hdf5_file.hpp"
#include "support/process.hpp"

using namespace atc::io;

namespace {

// Runs `f` with file descriptor 2 redirected to a file; returns what was written there.
template <typename F>
std::string stderr_of(F&& f) {
  atc::test::TempDir dir;
  const std::string path = dir.file("stderr");
  std::fflush(stderr);
  const int saved = dup(2);
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 2);
  close(fd);
  f();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string open_missing_file() {
  std::lock_guard lock(hdf5_mutex());
  try {
    (void)atc::io::file_handle(check(H5Fopen("/nonexistent/atcsim.h5", H5F_ACC_RDONLY, H5P_DEFAULT), "open"));
  } catch (const atc::IoError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("an HDF5 error on a worker thread is one IoError line and nothing on stderr", "[io][hdf5]") {
  // Issue 15, item 3: Debian's HDF5 is thread-safe, so each thread has its own
  // error stack, which printed itself (34-104 lines) on threads other than main.
  std::string message;
  const std::string printed = stderr_of([&] {
    std::thread worker([&] { message = open_missing_file(); });
    worker.join();
  });
  CHECK(printed.empty());
  CHECK_THAT(message, Catch::StartsWith("open: "));
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("an HDF5 error on the main thread prints nothing either", "[io][hdf5]") {
  std::string message;
  const std::string printed = stderr_of([&] { message = open_missing_file(); });
  CHECK(printed.empty());
  CHECK(message.find('\n') == std::string::npos);
}
