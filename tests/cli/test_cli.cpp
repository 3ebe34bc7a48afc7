// End-to-end tests of the atcsim command: exit codes, output files,
// determinism across thread counts, interrupts and resume.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "sim/io/hdf5_file.hpp"
#include "support/h5read.hpp"
#include "support/process.hpp"

using atc::test::atcsim;
using atc::test::TempDir;
using atc::test::wait_for_first_record;
using atc::test::watts_config;
namespace fs = std::filesystem;

TEST_CASE("help and usage errors", "[cli]") {
  CHECK(atcsim({"--help"}).exit_code == 0);
  CHECK(atcsim({"run", "--help"}).exit_code == 0);
  const auto none = atcsim({});
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Catch::Contains("usage:"));
  const auto typo = atcsim({"rnu"});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.err, Catch::Contains("did you mean 'run'?"));
  const auto opt = atcsim({"run", "x.toml", "--thread", "2"});
  CHECK(opt.exit_code == 2);
  CHECK_THAT(opt.err, Catch::Contains("unknown option '--thread' (did you mean '--threads'?)"));
  CHECK(atcsim({"run", "x.toml", "--threads", "zero"}).exit_code == 2);
  const auto foreign = atcsim({"describe", "canonical/watts", "--threads=2"});
  CHECK(foreign.exit_code == 2);
  CHECK_THAT(foreign.err, Catch::Contains("--threads: not an option of 'describe'"));
  const auto help = atcsim({"validate", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("-o, --output PATH") && !Catch::Contains("--threads"));
  CHECK(atcsim({"--version"}).exit_code == 0);
}

TEST_CASE("options: --name=value, values checked, each command its own options", "[cli]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> mistakes{
      {{"run", "x.toml", "--threads=zero"}, "--threads: expected an integer from 1 to 65536, got 'zero'"},
      {{"run", "x.toml", "--threads", "70000"},
       "--threads: expected an integer from 1 to 65536, got '70000'"},
      {{"run", "x.toml", "--replicates", "0"}, "--replicates: expected an integer >= 1, got '0'"},
      {{"run", "x.toml", "--markdown"}, "--markdown: not an option of 'run'"},
      {{"validate", "x.toml", "--resume"}, "--resume: not an option of 'validate'"},
      {{"run", "x.toml", "--quiet=yes"}, "--quiet takes no value"},
      {{"run", "x.toml", "--set"}, "--set needs a value"},
      {{"run", "x.toml", "y.toml"}, "expected one config file, got 2"},
  };
  for (const auto& [args, message] : mistakes) {
    const auto r = atcsim(args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("atcsim: " + message));
  }
}

TEST_CASE("describe lists models and documents parameters", "[cli]") {
  const auto list = atcsim({"describe"});
  CHECK(list.exit_code == 0);
  CHECK_THAT(list.out, Catch::Contains("canonical/watts"));
  const auto one = atcsim({"describe", "canonical/watts"});
  CHECK(one.exit_code == 0);
  CHECK_THAT(one.out,
             Catch::Contains("phi") && Catch::Contains("0.18") && Catch::Contains("active_fraction"));
  const auto bad = atcsim({"describe", "canonical/wats"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("did you mean 'canonical/watts'?"));
}

TEST_CASE("run writes a complete file that info summarises", "[cli][output]") {
  TempDir dir;
  const auto cfg = watts_config(dir);
  const auto out = dir.file("res/w.h5");
  const auto r = atcsim({"run", cfg, "-o", out, "--quiet"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".partial"));
  CHECK_THAT(r.out, Catch::Contains("wrote " + out));
  const auto info = atcsim({"info", out});
  CHECK(info.exit_code == 0);
  CHECK_THAT(info.out, Catch::Contains("runs:        8/8 complete") && Catch::Contains("active_fraction") &&
                           Catch::Contains("scenarios:   z2, z4"));
  const auto vars = atc::test::read_variables(out);
  for (double flag : vars.at("run_complete")) CHECK(flag == 1.0);
  CHECK(atcsim({"info", dir.file("missing.h5")}).exit_code == 2);
  CHECK(atcsim({"info", cfg}).exit_code == 2);  // not HDF5
}

namespace {
// An HDF5 file with the given integer attributes and nothing else.
void write_hdf5(const std::string& path,
                const std::vector<std::pair<std::string, std::int64_t>>& attributes) {
  std::lock_guard lock(atc::io::hdf5_mutex());
  atc::io::Handle file = atc::io::file_handle(
      atc::io::check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create"));
  for (const auto& [name, value] : attributes) atc::io::write_int_attr(file, name, value);
}

void set_schema(const std::string& path, std::int64_t schema) {
  std::lock_guard lock(atc::io::hdf5_mutex());
  atc::io::Handle file =
      atc::io::file_handle(atc::io::check(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "open"));
  REQUIRE(H5Adelete(file, "atcsim_schema") >= 0);
  atc::io::write_int_attr(file, "atcsim_schema", schema);
}
}  // namespace

TEST_CASE("info: a file it cannot describe is one line naming it and what is wrong, exit 2",
          "[cli][inputs]") {
  TempDir dir;
  const auto cfg = watts_config(dir, 100, 1);
  const auto good = dir.file("w.h5");
  REQUIRE(atcsim({"run", cfg, "-o", good, "--quiet"}).exit_code == 0);
  const auto size = fs::file_size(good);
  fs::copy_file(good, dir.file("truncated.h5"));
  fs::resize_file(dir.file("truncated.h5"), size / 2);
  fs::copy_file(good, dir.file("newer.h5"));
  set_schema(dir.file("newer.h5"), 99);
  fs::copy_file(good, dir.file("older.h5"));
  set_schema(dir.file("older.h5"), 0);
  write_hdf5(dir.file("plain.h5"), {});
  {
    std::lock_guard lock(atc::io::hdf5_mutex());
    atc::io::Handle file = atc::io::file_handle(atc::io::check(
        H5Fcreate(dir.file("schema_list.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create"));
    atc::io::write_int8_array_attr(file, "atcsim_schema", {1, 1});
  }
  write_hdf5(dir.file("schema_only.h5"), {{"atcsim_schema", 1}});
  write_hdf5(dir.file("no_data.h5"), {{"atcsim_schema", 1}, {"seed", 1}});
  std::ofstream(dir.file("empty.h5")).close();
  fs::create_directory(dir.file("folder.h5"));
  REQUIRE(::mkfifo(dir.file("fifo.h5").c_str(), 0600) == 0);
  const std::string expected = "; expected a file written by `atcsim run`";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"missing.h5", "missing.h5: no such file"},
      {"watts.toml", "watts.toml: not an HDF5 file" + expected},
      {"empty.h5", "empty.h5: empty file (0 bytes)" + expected},
      {"folder.h5", "folder.h5: is a directory" + expected},
      {"fifo.h5", "fifo.h5: is a FIFO (named pipe), not a regular file" + expected},  // it blocked
      {"truncated.h5",
       fmt::format("truncated.h5: truncated HDF5 file ({} of {} bytes: copied or written only "
                   "in part)",
                   size / 2, size)},
      {"plain.h5", "plain.h5: not an atcsim result file (no 'atcsim_schema' global attribute)" + expected},
      {"schema_list.h5",  // reading it as one number overran the value (SIGSEGV)
       "schema_list.h5: damaged atcsim result file (attribute atcsim_schema: expected one number, got 2 "
       "values)"},
      {"schema_only.h5", "schema_only.h5: not an atcsim result file (no 'seed' attribute)" + expected},
      {"no_data.h5",
       "no_data.h5: not an atcsim result file (no scenario, replicate, site, time, run_complete "
       "datasets)" +
           expected},
      // was described as if it were readable (the analysis package refuses it)
      {"newer.h5",
       "newer.h5: written by a newer atcsim (output schema 99; this one reads schema 1 only): use "
       "the atcsim release that wrote it"},
      {"older.h5", "older.h5: written by an older atcsim (output schema 0; this one reads schema 1 only)"},
  };
  for (const auto& [name, message] : cases) {
    const auto r = atcsim({"info", name}, dir.path());
    INFO(name << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::StartsWith("atcsim: error: " + message));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.out.empty());
  }
}

TEST_CASE("validate checks without running", "[cli]") {
  TempDir dir;
  const auto cfg = watts_config(dir);
  const auto r = atcsim({"validate", cfg, "--set", "model.phi=0.3"});
  CHECK(r.exit_code == 0);
  // A short summary by default; the resolved config with --resolved.
  CHECK_THAT(r.out, Catch::Contains("valid") &&
                        Catch::Contains("runs:       2 scenario(s) x 4 replicate(s) = 8 runs") &&
                        Catch::Contains("--resolved"));
  CHECK_THAT(r.out, !Catch::Contains("phi = 0.3"));
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') < 20);
  const auto resolved = atcsim({"validate", cfg, "--set", "model.phi=0.3", "--resolved"});
  CHECK(resolved.exit_code == 0);
  CHECK_THAT(resolved.out, Catch::Contains("phi = 0.3") && Catch::Contains("[experiment]"));
  CHECK_FALSE(fs::exists(dir.file("out")));
  const auto useless = atcsim({"validate", cfg, "--set", "model.mean_degree=2"});
  CHECK(useless.exit_code == 2);
  CHECK_THAT(useless.err, Catch::Contains("every [[scenario]] sets model.mean_degree itself (z2, z4)"));
  CHECK(atcsim({"run", cfg, "--resolved"}).exit_code == 2);  // an option of validate only
}

TEST_CASE("results are bit-identical for 1 and 2 threads", "[cli][determinism]") {
  TempDir dir;
  const auto cfg = watts_config(dir, 20'000, 6);
  REQUIRE(atcsim({"run", cfg, "-o", dir.file("t1.h5"), "--threads", "1", "--quiet"}).exit_code == 0);
  REQUIRE(atcsim({"run", cfg, "-o", dir.file("t2.h5"), "--threads", "2", "--quiet"}).exit_code == 0);
  const auto a = atc::test::read_variables(dir.file("t1.h5"));
  const auto b = atc::test::read_variables(dir.file("t2.h5"));
  REQUIRE(a.size() == b.size());
  REQUIRE(a.count("active_fraction") == 1);
  for (const auto& [name, values] : a) {
    INFO(name);
    CHECK(values == b.at(name));  // exact equality, value by value
  }
}

TEST_CASE("scenarios share random numbers: replicate r differs only by the intervention",
          "[cli][determinism]") {
  TempDir dir;
  // Two scenarios with identical parameters must give identical data.
  dir.write("same.toml",
            "[experiment]\nsteps = 20\nreplicates = 3\n[model]\nname = \"canonical/watts\"\nn = 3000\n"
            "[[scenario]]\nname = \"a\"\n[[scenario]]\nname = \"b\"\n");
  REQUIRE(atcsim({"run", dir.file("same.toml"), "-o", dir.file("s.h5"), "--quiet"}).exit_code == 0);
  const auto v = atc::test::read_variables(dir.file("s.h5")).at("active_count");
  const std::size_t half = v.size() / 2;
  CHECK(std::vector<double>(v.begin(), v.begin() + static_cast<long>(half)) ==
        std::vector<double>(v.begin() + static_cast<long>(half), v.end()));
}

TEST_CASE("the output opens in xarray and ncdump with a decoded time axis", "[cli][output]") {
  REQUIRE(fs::exists("/usr/bin/ncdump"));  // netcdf-bin, installed by scripts/setup
  TempDir dir;
  const auto out = dir.file("w.h5");
  REQUIRE(atcsim({"run", watts_config(dir), "-o", out, "--quiet"}).exit_code == 0);
  const auto nc = atc::test::run_process({"/usr/bin/ncdump", "-h", out});
  CHECK(nc.exit_code == 0);
  CHECK(nc.err.empty());
  CHECK_THAT(nc.out, Catch::Contains("time:units = \"days since 2019-09-02\"") &&
                         Catch::Contains("double active_fraction(scenario, replicate, site, time)"));
  const std::string script =
      "import sys, xarray as xr, numpy as np\n"
      "ds = xr.open_dataset(sys.argv[1], engine='h5netcdf')\n"
      "assert np.issubdtype(ds.time.dtype, np.datetime64), ds.time.dtype\n"
      "assert str(ds.time.values[0])[:10] == '2019-09-02'\n"
      "assert list(ds.scenario.values) == ['z2', 'z4']\n"
      "assert ds.active_fraction.attrs['units'] == '1'\n"
      "assert not np.isnan(ds.active_fraction.values).any()\n"
      "assert int(ds.attrs['seed']) == 11\n"
      "assert 'phi = 0.18' in ds.attrs['config_toml']\n"
      "print('ok')\n";
  const auto py = atc::test::run_process({"/usr/bin/python3", "-c", script, out});
  INFO(py.err);
  CHECK(py.exit_code == 0);
  CHECK_THAT(py.out, Catch::Contains("ok"));
}

TEST_CASE("bad configs exit 2 with the expected message and leave no output", "[cli][config]") {
  // Each file in tests/configs/bad/ starts with "# expect: <text the error must contain>".
  const fs::path corpus = atc::test::source_path("tests/configs/bad");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(corpus)) {
    if (e.path().extension() == ".toml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 8);
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      std::ifstream in(file);
      std::string first;
      std::getline(in, first);
      REQUIRE(first.rfind("# expect: ", 0) == 0);
      const std::string expected = first.substr(10);
      TempDir dir;
      const auto out = dir.file("out/result.h5");
      // The output path is forced into a temp dir unless the file tests the path itself.
      std::vector<std::string> args{"run", file.string(), "--quiet"};
      const bool tests_path = file.filename().string().find("output") != std::string::npos;
      if (!tests_path) {
        args.emplace_back("-o");
        args.push_back(out);
      }
      const auto r = atcsim(args, dir.path());
      INFO(r.err);
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.err, Catch::Contains(expected));
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') <= 2);  // one clear line
      CHECK_FALSE(fs::exists(out));
      CHECK_FALSE(fs::exists(out + ".partial"));
      bool any_h5 = false;
      for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
        any_h5 |= e.path().string().find(".h5") != std::string::npos;
      }
      CHECK_FALSE(any_h5);
    }
  }
}

namespace {
// Starts a run, waits until its journal exists and some runs are complete,
// then sends `signal`. Returns the exit status. The tests below run 16 runs
// of 400,000 agents (about 0.3 s each on one thread): once the first is
// recorded, the others leave seconds for the signal, and the two runs that
// follow (resume, reference) cost about 10 s in all (80 runs took 55 s).
int interrupt_run(const std::string& cfg, const std::string& out, int signal_number) {
  const pid_t pid =
      atc::test::spawn({fs::absolute(ATCSIM_BINARY).string(), "run", cfg, "-o", out, "--threads", "1"});
  wait_for_first_record(out, 60);
  kill(pid, signal_number);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
}  // namespace

TEST_CASE("a killed run leaves nothing that looks complete, and resume matches an uninterrupted run",
          "[cli][interrupt]") {
  TempDir dir;
  const auto cfg = watts_config(dir, 400'000, 8);
  const auto out = dir.file("k.h5");
  const int status = interrupt_run(cfg, out, SIGKILL);
  if (status == 0) FAIL("the run finished before it could be killed: enlarge the test experiment");
  CHECK(status == 128 + SIGKILL);
  CHECK_FALSE(fs::exists(out));  // never a file at the output path
  REQUIRE(fs::exists(out + ".journal"));
  // Running again without --resume refuses to clobber the interrupted work.
  const auto again = atcsim({"run", cfg, "-o", out, "--quiet"});
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("--resume"));
  // Resume (the journal never depends on where the kill fell), then compare
  // with an uninterrupted run.
  const auto resumed = atcsim({"run", cfg, "-o", out, "--resume", "--quiet"});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK_FALSE(fs::exists(out + ".journal"));
  CHECK_FALSE(fs::exists(out + ".partial"));
  REQUIRE(atcsim({"run", cfg, "-o", dir.file("ref.h5"), "--quiet"}).exit_code == 0);
  CHECK(atc::test::read_variables(out) == atc::test::read_variables(dir.file("ref.h5")));
}

TEST_CASE("SIGINT stops cleanly with exit 130 and the run resumes", "[cli][interrupt]") {
  TempDir dir;
  const auto cfg = watts_config(dir, 400'000, 8);
  const auto out = dir.file("i.h5");
  // An earlier run's output is replaced only when this run completes.
  dir.write("i.h5", "an earlier run's output");
  const int status = interrupt_run(cfg, out, SIGINT);
  if (status == 0) FAIL("the run finished before it could be interrupted: enlarge the test experiment");
  CHECK(status == 130);
  std::ifstream earlier(out);
  std::stringstream earlier_text;
  earlier_text << earlier.rdbuf();
  CHECK(earlier_text.str() == "an earlier run's output");
  REQUIRE(fs::exists(out + ".journal"));
  // A readable view of the completed runs is written for `info` and the analysis package.
  REQUIRE(fs::exists(out + ".partial"));
  const auto info = atcsim({"info", out + ".partial"});
  CHECK_THAT(info.out, Catch::Contains("INCOMPLETE"));
  REQUIRE(atcsim({"run", cfg, "-o", out, "--resume", "--quiet"}).exit_code == 0);
  REQUIRE(atcsim({"run", cfg, "-o", dir.file("ref.h5"), "--quiet"}).exit_code == 0);
  CHECK(atc::test::read_variables(out) == atc::test::read_variables(dir.file("ref.h5")));
  // Resuming a different configuration is refused.
  const auto other = atcsim({"run", cfg, "-o", out, "--resume", "--set", "model.phi=0.3"});
  CHECK(other.exit_code == 2);
}

TEST_CASE("a run over an earlier run's output says it is replaced only when the run completes", "[cli]") {
  TempDir dir;
  const auto cfg = watts_config(dir, 200, 1);
  const auto out = dir.file("o.h5");
  const auto first = atcsim({"run", cfg, "-o", out, "--quiet"});
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.err, !Catch::Contains("earlier run's output"));
  const auto again = atcsim({"run", cfg, "-o", out, "--quiet"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(
      again.err,
      Catch::Contains(out + " exists (an earlier run's output): it is replaced when this run completes"));
  CHECK_FALSE(atc::test::read_variables(out).empty());  // this run's output, readable
}

TEST_CASE("a sweep's run count includes its points, in validate and in the run's header", "[cli][sweep]") {
  TempDir dir;
  dir.write("s.toml",
            "[experiment]\nsteps = 2\nreplicates = 3\n[model]\nname = \"testfn/ishigami\"\n"
            "[sweep]\nmethod = \"lhs\"\npoints = 5\nseed = 5\n[sweep.parameters]\n"
            "\"model.x1\" = { min = -3, max = 3 }\n");
  const auto v = atcsim({"validate", dir.file("s.toml")});
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.out, Catch::Contains("runs:       1 scenario(s) x 3 replicate(s) x 5 sweep points = 15 runs"));
  const auto r = atcsim({"run", dir.file("s.toml"), "-o", dir.file("s.h5")});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out + r.err, Catch::Contains("x 3 replicate(s) x 5 sweep points = 15 runs, 1 site(s)"));
}

TEST_CASE("a sweep streams runs to disk: memory stays bounded whatever the output size", "[cli][sweep]") {
  // 2000 points x 20001 recorded steps x 8 bytes = 320 MB of raw output; the
  // process must never hold more than the runs in flight (a few MB).
  TempDir dir;
  dir.write("big.toml",
            "[experiment]\nsteps = 20000\n[model]\nname = \"testfn/ishigami\"\n"
            "[sweep]\nmethod = \"lhs\"\npoints = 2000\nseed = 5\n[sweep.parameters]\n"
            "\"model.x1\" = { min = -3, max = 3 }\n\"model.x2\" = { min = -3, max = 3 }\n");
  const auto out = dir.file("big.h5");
  const pid_t pid =
      atc::test::spawn({fs::absolute(ATCSIM_BINARY).string(), "run", dir.file("big.toml"), "-o", out});
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  const double peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;
  const double raw_output_mib = 2000.0 * 20001 * 8 / (1024.0 * 1024.0);
  INFO("peak RSS " << peak_mib << " MiB for " << raw_output_mib << " MiB of output");
#ifdef __SANITIZE_ADDRESS__
  // AddressSanitizer keeps freed memory in quarantine: RSS says nothing here.
  WARN("memory bound not checked under AddressSanitizer (peak " << peak_mib << " MiB)");
#else
  CHECK(peak_mib < 200.0);
  CHECK(peak_mib < raw_output_mib / 3);
#endif
  const auto vars = atc::test::read_variables(out);
  CHECK(vars.at("y").size() == std::size_t{2000} * 20001);
}

TEST_CASE("an interrupted sweep resumes to the same data", "[cli][sweep][interrupt]") {
  TempDir dir;
  dir.write("s.toml",
            "[experiment]\nsteps = 30\nreplicates = 2\nseed = 4\n[model]\nname = \"canonical/watts\"\n"
            "n = 100000\n[sweep]\nmethod = \"grid\"\n[sweep.parameters]\n"
            "\"model.mean_degree\" = { from = 1, to = 8, step = 0.25 }\n");
  const auto cfg = dir.file("s.toml");
  const auto out = dir.file("s.h5");
  const int status = interrupt_run(cfg, out, SIGKILL);
  if (status == 0) FAIL("the sweep finished before it could be killed: enlarge the test experiment");
  CHECK_FALSE(fs::exists(out));
  const auto resumed = atcsim({"run", cfg, "-o", out, "--resume", "--quiet"});
  INFO(resumed.err);
  if (resumed.exit_code == 1) {
    CHECK_THAT(resumed.err, Catch::Contains("damaged"));
    return;
  }
  REQUIRE(resumed.exit_code == 0);
  REQUIRE(atcsim({"run", cfg, "-o", dir.file("ref.h5"), "--quiet"}).exit_code == 0);
  CHECK(atc::test::read_variables(out) == atc::test::read_variables(dir.file("ref.h5")));
}

TEST_CASE("the output stores scenario descriptions, the intervention timeline and named contrasts",
          "[cli][output]") {
  TempDir dir;
  dir.write("t.toml", R"([experiment]
steps = 8
start_date = 2019-09-02
replicates = 1
[model]
name = "territorial"
burn_in_weeks = 2
population_scale = 0.05
[[site]]
id = "a"
[[site]]
id = "b"
[[scenario]]
name = "none"
[[scenario]]
name = "both"
description = "animator on a, then governance everywhere"
[[scenario.intervention]]
kind = "animator"
start_step = 1
end_date = 2019-10-14
sites = ["a", "b"]
[[scenario.intervention]]
kind = "shared_governance"
start_step = 2
[[contrast]]
name = "effect"
treatment = "both"
baseline = "none"
question = "Does it work?"
question_fr = "Est-ce que ça marche ?"
at = 2019-10-14
)");
  const auto out = dir.file("t.h5");
  const auto r = atcsim({"run", dir.file("t.toml"), "-o", out, "--quiet"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string script =
      "import sys, xarray as xr, numpy as np\n"
      "ds = xr.open_dataset(sys.argv[1], engine='h5netcdf')\n"
      "assert list(ds.scenario_description.values) == ['', 'animator on a, then governance everywhere']\n"
      "assert ds.scenario_description.dims == ('scenario',)\n"
      "assert ds.sizes['intervention'] == 2\n"
      "assert list(ds.intervention_scenario.values) == ['both', 'both']\n"
      "assert list(ds.intervention_kind.values) == ['animator', 'shared_governance']\n"
      "assert list(ds.intervention_sites.values) == ['a,b', '']\n"
      "assert str(ds.intervention_start.values[0])[:10] == '2019-09-09', ds.intervention_start.values\n"
      "assert str(ds.intervention_start.values[1])[:10] == '2019-09-16'\n"
      "assert str(ds.intervention_end.values[0])[:10] == '2019-10-14'\n"
      "assert np.isnat(ds.intervention_end.values[1])\n"
      "assert list(ds.contrast.values) == ['effect']\n"
      "assert ds.contrast_treatment.dims == ('contrast',)\n"
      "assert list(ds.contrast_treatment.values) == ['both']\n"
      "assert list(ds.contrast_baseline.values) == ['none']\n"
      "assert list(ds.contrast_question.values) == ['Does it work?']\n"
      "assert list(ds.contrast_question_fr.values) == ['Est-ce que ça marche ?']\n"
      "assert list(ds.contrast_at.values) == ['2019-10-14']\n"
      "print('ok')\n";
  const auto py = atc::test::run_process({"/usr/bin/python3", "-c", script, out});
  INFO(py.err);
  CHECK(py.exit_code == 0);
  CHECK_THAT(py.out, Catch::Contains("ok"));
  // Without [[contrast]] or interventions there is no such dimension.
  const auto plain = dir.file("w.h5");
  REQUIRE(atcsim({"run", watts_config(dir), "-o", plain, "--quiet"}).exit_code == 0);
  const auto nc = atc::test::run_process({"/usr/bin/ncdump", "-h", plain});
  CHECK_THAT(nc.out, !Catch::Contains("contrast") && !Catch::Contains("intervention") &&
                         Catch::Contains("scenario_description(scenario)"));
}

TEST_CASE("run --scenario: only the named scenarios, and the contrasts between them", "[cli][config]") {
  TempDir dir;
  // z3's misspelt key would be an error if z3 were read: a scenario left out is not.
  const auto cfg = watts_config(dir, 3000, 2,
                                "[[scenario]]\nname = \"z3\"\nmodel = { mean_degre = 3.0 }\n"
                                "[[contrast]]\nname = \"four\"\ntreatment = \"z4\"\nbaseline = \"z2\"\n"
                                "question = \"Four?\"\n"
                                "[[contrast]]\nname = \"three\"\ntreatment = \"z3\"\nbaseline = \"z2\"\n"
                                "question = \"Three?\"\n");
  CHECK(atcsim({"validate", cfg}).exit_code == 2);  // every scenario is read without --scenario
  const auto out = dir.file("sel.h5");
  // Given in another order than the config's: the output keeps the config's.
  const auto r = atcsim({"run", cfg, "--scenario", "z4", "--scenario=z2", "-o", out, "--quiet"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("(4 runs in"));
  const auto alone = dir.file("z4.h5");
  const auto z4 = atcsim({"run", cfg, "--scenario", "z4", "-o", alone, "--quiet"});
  REQUIRE(z4.exit_code == 0);
  // The selected scenarios' data are those of a run of each alone (random
  // numbers do not depend on which scenarios run).
  const std::string script =
      "import sys, xarray as xr\n"
      "a = xr.open_dataset(sys.argv[1], engine='h5netcdf')\n"
      "b = xr.open_dataset(sys.argv[2], engine='h5netcdf')\n"
      "assert list(a.scenario.values) == ['z2', 'z4'], a.scenario.values\n"
      "assert list(a.contrast.values) == ['four'], a.contrast.values\n"
      "assert 'contrast' not in b.dims\n"
      "assert (a.active_count.sel(scenario='z4') == b.active_count.sel(scenario='z4')).all()\n"
      "assert not (a.active_count.sel(scenario='z2') == a.active_count.sel(scenario='z4')).all()\n"
      "print('ok')\n";
  const auto py = atc::test::run_process({"/usr/bin/python3", "-c", script, out, alone});
  INFO(py.err);
  CHECK(py.exit_code == 0);
  CHECK_THAT(py.out, Catch::Contains("ok"));
  // A name that is not a scenario: exit 2, the option, the file, a suggestion; nothing written.
  const auto wrong = atcsim({"run", cfg, "--scenario", "z5", "-o", dir.file("wrong.h5"), "--quiet"});
  CHECK(wrong.exit_code == 2);
  CHECK_THAT(wrong.err, Catch::Contains("--scenario z5: " + cfg + " has no scenario 'z5'") &&
                            Catch::Contains("its scenarios: z2, z4, z3"));
  CHECK_FALSE(fs::exists(dir.file("wrong.h5.journal")));
  // A sweep over a parameter of a scenario left out would vary nothing.
  dir.write("sweep.toml",
            "include = \"watts.toml\"\n[sweep]\nmethod = \"grid\"\n[sweep.parameters]\n"
            "\"scenario.z4.model.phi\" = [0.1, 0.2]\n");
  const auto sweep = atcsim({"validate", dir.file("sweep.toml"), "--scenario", "z2"});
  CHECK(sweep.exit_code == 2);
  CHECK_THAT(sweep.err, Catch::Contains("sweep.toml:5:27: sweep.parameters: \"scenario.z4.model.phi\" is a "
                                        "parameter of scenario 'z4', which --scenario leaves out"));
  CHECK(atcsim({"validate", dir.file("sweep.toml"), "--scenario", "z4"}).exit_code == 0);
  // A name with a dot, written unquoted in the key, is matched as --set matches it.
  dir.write("dotted.toml",
            "include = \"watts.toml\"\n[[scenario]]\nname = \"z0.5\"\n[sweep]\nmethod = \"grid\"\n"
            "[sweep.parameters]\n\"scenario.z0.5.model.phi\" = [0.1, 0.2]\n");
  const auto dotted = atcsim({"validate", dir.file("dotted.toml"), "--scenario", "z2"});
  CHECK(dotted.exit_code == 2);
  CHECK_THAT(dotted.err, Catch::Contains("a parameter of scenario 'z0.5', which --scenario leaves out"));
  // The resolved config (stored in the output, and the journal's identity,
  // which --resume checks) holds the selection.
  const auto resolved = atcsim({"validate", cfg, "--scenario", "z4", "--resolved"});
  CHECK(resolved.exit_code == 0);
  CHECK_THAT(resolved.out, Catch::Contains("name = \"z4\"") && !Catch::Contains("\"z2\""));
}

TEST_CASE("validate and refused runs create no output folder (issue 15, finding 14)", "[cli][inputs]") {
  TempDir dir;
  dir.write("c.toml",
            "[experiment]\nsteps = 3\n[model]\nname = \"canonical/watts\"\nn = 100\n[output]\n"
            "path = \"out/sub/r.h5\"\n");
  const auto valid = atcsim({"validate", "c.toml"}, dir.path());
  INFO(valid.err);
  CHECK(valid.exit_code == 0);
  CHECK_FALSE(fs::exists(dir.file("out")));
  const auto refused = atcsim({"run", "c.toml", "--quiet", "--set", "model.phi=abc"}, dir.path());
  CHECK(refused.exit_code == 2);
  CHECK_FALSE(fs::exists(dir.file("out")));
  const auto no_partial = atcsim({"run", "c.toml", "--quiet", "--resume"}, dir.path());
  CHECK(no_partial.exit_code != 0);
  CHECK_FALSE(fs::exists(dir.file("out")));
  // A run creates the folders, just before the file.
  const auto ran = atcsim({"run", "c.toml", "--quiet"}, dir.path());
  INFO(ran.err);
  CHECK(ran.exit_code == 0);
  CHECK(fs::exists(dir.file("out/sub/r.h5")));
}

TEST_CASE("special and over-long paths get one line and exit 2 (issue 15, finding 8)", "[cli][inputs]") {
  TempDir dir;
  const std::string config = watts_config(dir, 100, 1);
  REQUIRE(::mkfifo(dir.file("fifo.toml").c_str(), 0600) == 0);
  fs::create_directory(dir.file("folder.toml"));
  const std::string long_name = dir.file(std::string(250, 'r'));  // its .partial would be 258 characters
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"run", dir.file("fifo.toml")}, "fifo.toml: config file is a FIFO (named pipe), not a regular file"},
      {{"validate", dir.file("folder.toml")}, "folder.toml: config file is a directory"},
      {{"run", "/dev/null"}, "/dev/null: config file is a character device, not a regular file"},
      {{"run", dir.file(std::string(300, 'c') + ".toml")},
       "config file has a name too long for the file system"},
      {{"run", config, "-o", long_name}, "output.path: cannot write '"},
      {{"validate", config, "-o", long_name},
       "with '.partial' added (the name it has until the run completes) it has a name too long"},
      {{"run", config, "-o", "/dev/null"}, "output.path: cannot write '/dev/null': it is a character device"},
      {{"run", config, "-o", dir.path()}, "it is a directory"},
      {{"run", config, "-o", dir.file("watts.toml/r.h5")}, "is not a directory"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> argv = args;
    argv.emplace_back("--quiet");
    if (argv[0] == "validate") argv.pop_back();
    const auto r = atcsim(argv, dir.path());
    INFO(args[0] << " " << args[1] << " -> " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(message));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, !Catch::Contains("internal error"));
  }
}

TEST_CASE("a run that cannot fit in memory is refused at once (issue 15, finding 11)", "[cli][inputs]") {
  TempDir dir;
  // n = 2e9 is inside watts' declared range; mean degree 1000 makes it ~16 TB.
  const std::string config = watts_config(dir, 100, 1);
  const auto r = atcsim({"run", config, "--quiet", "--threads", "1", "--set", "model.n=2000000000", "--set",
                         "scenario.z2.model.mean_degree=1000", "--set", "scenario.z4.model.mean_degree=1000"},
                        dir.path());
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("not enough memory: the run needs about 16.4 TB") &&
                        Catch::Contains("reduce model.n (or model.mean_degree)"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(dir.file("out")));
  // validate shows the estimate.
  const auto v = atcsim({"validate", config}, dir.path());
  CHECK_THAT(v.out, Catch::Contains("memory:     about "));
}

TEST_CASE("allow-unmatched (--allow-unmatched) is an option of run and validate", "[cli][inputs]") {
  const auto help = atcsim({"run", "--help"});
  CHECK_THAT(help.out, Catch::Contains("--allow-unmatched"));
  CHECK_THAT(atcsim({"validate", "--help"}).out, Catch::Contains("--allow-unmatched"));
  CHECK(atcsim({"describe", "--allow-unmatched"}).exit_code == 2);
}
