// `atcsim info`'s summary: what a result file holds, and a clear ConfigError
// (bad input, exit code 2) for anything that is not one.
#include <catch2/catch.hpp>

#include <hdf5_hl.h>

#include <fstream>
#include <string>
#include <vector>

#include "models/registry.hpp"
#include "sim/config/experiment.hpp"
#include "sim/core/error.hpp"
#include "sim/exec/runner.hpp"
#include "sim/io/hdf5_file.hpp"
#include "sim/io/info.hpp"
#include "sim/io/writer.hpp"
#include "support/process.hpp"

using atc::test::TempDir;

namespace {

std::string info_error(const std::string& path) {
  try {
    (void)atc::io::describe_file(path);
  } catch (const atc::ConfigError& e) {
    return e.what();
  }
  return "";
}

// A small granovetter result file (2 scenarios, 2 replicates, 1 site) written by the sink.
std::string info_write_result(const TempDir& dir, const std::string& name) {
  dir.write(name + ".toml", R"([experiment]
name = "info test"
steps = 3
replicates = 2
seed = 11
[model]
name = "canonical/granovetter"
n = 200
[[scenario]]
name = "low"
[[scenario]]
name = "high"
[output]
path = ")" + dir.file(name + ".h5") +
                                "\"\n");
  const auto spec = atc::sim::load_experiment(dir.file(name + ".toml"), atc::models::registry());
  {
    atc::io::Hdf5Sink sink(spec, atc::io::FileMetadata{"atcsim run " + name + ".toml"}, false);
    atc::sim::execute(spec, sink);
  }
  return dir.file(name + ".h5");
}

// Replaces run_complete by a (scenario, replicate) dataset of 3-character strings or of int8
// ones, with `replicates` columns, detached from and attached to the dimension scales as the
// writer does it: the file stays well-formed netCDF-4, only its layout is wrong.
void info_replace_run_complete(const std::string& path, hsize_t replicates, bool text) {
  using namespace atc::io;
  std::lock_guard lock(hdf5_mutex());
  Handle file = atc::io::file_handle(  // qualified: <fcntl.h> declares struct file_handle
      check(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open"));
  Handle scenario = dataset_handle(check(H5Dopen2(file, "scenario", H5P_DEFAULT), "scenario"));
  Handle replicate = dataset_handle(check(H5Dopen2(file, "replicate", H5P_DEFAULT), "replicate"));
  {
    Handle old = dataset_handle(check(H5Dopen2(file, "run_complete", H5P_DEFAULT), "run_complete"));
    check_status(H5DSdetach_scale(old, scenario, 0), "detach");
    check_status(H5DSdetach_scale(old, replicate, 1), "detach");
  }
  check_status(H5Ldelete(file, "run_complete", H5P_DEFAULT), "delete");
  const std::vector<hsize_t> dims{2, replicates};
  Handle space = space_handle(check(H5Screate_simple(2, dims.data(), nullptr), "space"));
  Handle strings = type_handle(check(H5Tcopy(H5T_C_S1), "type"));
  check_status(H5Tset_size(strings, 3), "size");
  const hid_t type = text ? strings.get() : H5T_NATIVE_SCHAR;
  Handle ds = dataset_handle(
      check(H5Dcreate2(file, "run_complete", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "create"));
  const std::string words(replicates * 6, 'y');  // 2 x replicates values of 3 bytes
  const std::vector<signed char> ones(2 * replicates, 1);
  const void* values = text ? static_cast<const void*>(words.data()) : ones.data();
  check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), "write");
  check_status(H5DSattach_scale(ds, scenario, 0), "attach");
  check_status(H5DSattach_scale(ds, replicate, 1), "attach");
}

}  // namespace

TEST_CASE("info: files that are not atcsim results are ConfigErrors saying why", "[io][info]") {
  TempDir dir;
  const std::string expected = "; expected a file written by `atcsim run`";
  CHECK(info_error(dir.file("missing.h5")) == dir.file("missing.h5") + ": no such file");
  dir.write("text.h5", "not hdf5\n");
  CHECK(info_error(dir.file("text.h5")) == dir.file("text.h5") + ": not an HDF5 file" + expected);
  {
    std::lock_guard lock(atc::io::hdf5_mutex());
    atc::io::quiet_hdf5_errors();
    const auto id = H5Fcreate(dir.file("other.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    atc::io::Handle file = atc::io::file_handle(atc::io::check(id, "create other.h5"));
  }
  CHECK(info_error(dir.file("other.h5")) ==
        dir.file("other.h5") + ": not an atcsim result file (no 'atcsim_schema' global attribute)" +
            expected);
}

TEST_CASE("info: a result file is summarised with its runs, sites and variables", "[io][info]") {
  TempDir dir;
  info_write_result(dir, "w");
  const auto text = atc::io::describe_file(dir.file("w.h5"));
  INFO(text);
  CHECK_THAT(text, Catch::Contains("title:       info test\n"));
  CHECK_THAT(text, Catch::Contains("model:       canonical/granovetter\n"));
  CHECK_THAT(text, Catch::Contains("seed:        11\n"));
  CHECK_THAT(text, Catch::Contains("command:     atcsim run w.toml\n"));
  CHECK_THAT(text, Catch::Contains("dimensions:  scenario=2 replicate=2 site=1 time=4 (days since "));
  CHECK_THAT(text, Catch::Contains("scenarios:   low, high\n"));
  CHECK_THAT(text, Catch::Contains("runs:        4/4 complete\n"));
  for (const auto& indicator : atc::models::registry().get("canonical/granovetter").indicators) {
    CHECK_THAT(text, Catch::Contains("  " + indicator.name + " "));
  }
  CHECK_THAT(text, Catch::Contains("parameters:\n"));
}

TEST_CASE("info: a file laid out against the schema is a ConfigError naming the rule", "[io][info]") {
  TempDir dir;
  // The analysis package refuses both (analysis/atcsim/dataset.py); info described them.
  const auto text = info_write_result(dir, "text");
  info_replace_run_complete(text, 2, true);
  CHECK(info_error(text) == text + ": variable 'run_complete' holds string values; expected numbers");
  const auto sizes = info_write_result(dir, "sizes");
  info_replace_run_complete(sizes, 3, false);
  CHECK(info_error(sizes) == sizes +
                                 ": conflicting sizes for dimension 'replicate': length 3 on 'run_complete' "
                                 "and length 2 on 'replicate'");
  // The file they were made from is described.
  const auto good = info_write_result(dir, "good");
  CHECK_THAT(atc::io::describe_file(good), Catch::Contains("runs:        4/4 complete\n"));
}
