// The HDF5 helpers: attributes and string datasets round-trip, handles close
// once, and every failing call becomes an IoError carrying the context.
#include <catch2/catch.hpp>

#include <mutex>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/io/hdf5_file.hpp"
#include "support/process.hpp"

using namespace atc::io;
using atc::test::TempDir;

namespace {

// A new HDF5 file in `dir`, opened read-write.
Handle create_file(const TempDir& dir, const std::string& name) {
  quiet_hdf5_errors();
  return atc::io::file_handle(
      check(H5Fcreate(dir.file(name).c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create " + name));
}

// The message of the IoError `f` throws, or "" when it throws none.
template <typename F>
std::string io_error(F&& f) {
  try {
    f();
  } catch (const atc::IoError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("hdf5: attributes round-trip", "[io][hdf5]") {
  std::lock_guard lock(hdf5_mutex());
  TempDir dir;
  Handle file = create_file(dir, "a.h5");
  write_string_attr(file, "title", "Quartiers: coopération");  // UTF-8
  write_string_attr(file, "empty", "");
  write_int_attr(file, "seed", -20190902);
  write_double_attr(file, "phi", 0.18);
  write_int8_array_attr(file, "flags", {0, 1, -1});
  CHECK(has_attr(file, "title"));
  CHECK_FALSE(has_attr(file, "missing"));
  CHECK(read_string_attr(file, "title") == "Quartiers: coopération");
  CHECK(read_string_attr(file, "empty").empty());
  CHECK(read_int_attr(file, "seed") == -20190902);
  // One number only: an array (it overran the value read) or a string is an IoError.
  CHECK_THROWS_WITH(read_int_attr(file, "flags"), "attribute flags: expected one number, got 3 values");
  CHECK_THROWS_WITH(read_int_attr(file, "title"), "attribute title: expected a number");
  // A string attribute written again replaces the old one (also when longer).
  write_string_attr(file, "title", "a longer title than before");
  CHECK(read_string_attr(file, "title") == "a longer title than before");
}

TEST_CASE("hdf5: variable-length string datasets round-trip", "[io][hdf5]") {
  std::lock_guard lock(hdf5_mutex());
  TempDir dir;
  Handle file = create_file(dir, "s.h5");
  const std::vector<std::string> values{"grigny", "", "la-duchère"};
  std::vector<const char*> raw;
  for (const auto& v : values) raw.push_back(v.c_str());
  const hsize_t n = raw.size();
  Handle space = space_handle(check(H5Screate_simple(1, &n, nullptr), "space"));
  Handle type = vlen_string_type();
  Handle ds = dataset_handle(
      check(H5Dcreate2(file, "site", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "create site"));
  check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "write site");
  CHECK(read_strings(ds) == values);
}

TEST_CASE("hdf5: failures are IoErrors naming what failed", "[io][hdf5]") {
  std::lock_guard lock(hdf5_mutex());
  TempDir dir;
  Handle file = create_file(dir, "e.h5");
  write_int_attr(file, "seed", 7);
  const auto missing = io_error([&] { (void)read_string_attr(file, "title"); });
  CHECK_THAT(missing, Catch::StartsWith("open attribute title: "));
  CHECK(io_error([&] { (void)read_string_attr(file, "seed"); }) == "attribute seed is not a string");
  const auto open = io_error([&] {
    (void)check(H5Fopen(dir.file("nothing.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open nothing.h5");
  });
  CHECK_THAT(open, Catch::StartsWith("open nothing.h5: "));
  CHECK(open.size() > std::string("open nothing.h5: ").size());  // with HDF5's reason
  CHECK(io_error([] { check_status(-1, "flush"); }).rfind("flush: ", 0) == 0);
  CHECK(io_error([] { check_status(0, "flush"); }).empty());
}

TEST_CASE("hdf5: a handle closes its id once, and moving transfers it", "[io][hdf5]") {
  std::lock_guard lock(hdf5_mutex());
  Handle a = space_handle(check(H5Screate(H5S_SCALAR), "space"));
  const hid_t id = a.get();
  CHECK(H5Iis_valid(id) > 0);
  Handle b = std::move(a);
  CHECK(a.get() == -1);  // NOLINT(bugprone-use-after-move): the moved-from state is what is tested
  CHECK(b.get() == id);
  Handle c;
  c = std::move(b);
  CHECK(c.get() == id);
  CHECK(H5Iis_valid(id) > 0);
  c.reset();
  CHECK(c.get() == -1);
  CHECK(H5Iis_valid(id) <= 0);
  c.reset();  // twice is harmless
}
