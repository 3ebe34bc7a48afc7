// `atcsim info`'s summary: what a result file holds, and a clear ConfigError
// (bad input, exit code 2) for anything that is not one.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

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
  dir.write("w.toml", R"([experiment]
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
path = ")" + dir.file("w.h5") +
                          "\"\n");
  const auto spec = atc::sim::load_experiment(dir.file("w.toml"), atc::models::registry());
  {
    atc::io::Hdf5Sink sink(spec, atc::io::FileMetadata{"atcsim run w.toml"}, false);
    atc::sim::execute(spec, sink);
  }
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
