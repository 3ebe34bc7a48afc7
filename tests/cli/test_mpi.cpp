// atcsim-mpi deals runs across ranks; the data must equal a one-process run.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/h5read.hpp"
#include "support/process.hpp"

#ifdef ATCSIM_MPI_BINARY
namespace fs = std::filesystem;
using atc::test::TempDir;

namespace {
// mpirun's command line for `ranks` ranks of atcsim-mpi with `args`, and
// the environment it needs here.
std::vector<std::string> mpirun_command(int ranks, const std::vector<std::string>& args) {
  // Tests run as root in CI; Open MPI refuses that unless told explicitly.
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
#ifdef __SANITIZE_ADDRESS__
  // Open MPI's own start-up allocations are never freed; LeakSanitizer would
  // report them (not ours) and change the exit code.
  setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
#endif
  std::vector<std::string> full{ATCSIM_MPIRUN, "-n", std::to_string(ranks), ATCSIM_MPI_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

atc::test::ProcessResult mpirun(int ranks, const std::vector<std::string>& args) {
  return atc::test::run_process(mpirun_command(ranks, args));
}

// The processes running `program` (their first argument) with `argument`
// among the others (from /proc): mpirun's own command line holds both too.
std::vector<pid_t> processes_running(const std::string& program, const std::string& argument) {
  std::vector<pid_t> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string arg;
    if (!std::getline(in, arg, '\0') || arg != program) continue;
    bool has_argument = false;
    while (std::getline(in, arg, '\0')) has_argument = has_argument || arg == argument;
    if (has_argument) found.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return found;
}

// The MPI rank of process `pid` (from Open MPI's variable in its environment), -1 if none.
int mpi_rank_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ");
  const std::string prefix = "OMPI_COMM_WORLD_RANK=";
  for (std::string entry; std::getline(in, entry, '\0');) {
    if (entry.rfind(prefix, 0) == 0) return std::stoi(entry.substr(prefix.size()));
  }
  return -1;
}

// Whether `pid` is running (not exited, not a zombie waiting for its parent).
bool running(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}
}  // namespace

TEST_CASE("MPI runs give the same data as one process, for any rank count", "[mpi][determinism]") {
  TempDir dir;
  dir.write(
      "c.toml",
      "[experiment]\nsteps = 30\nreplicates = 5\nseed = 5\n[model]\nname = \"canonical/watts\"\n"
      "n = 4000\n[[scenario]]\nname = \"a\"\nmodel = { mean_degree = 2.0 }\n[[scenario]]\nname = \"b\"\n");
  const auto cfg = dir.file("c.toml");
  REQUIRE(atc::test::atcsim({"run", cfg, "-o", dir.file("one.h5"), "--quiet"}).exit_code == 0);
  const auto reference = atc::test::read_variables(dir.file("one.h5"));
  for (int ranks : {1, 2, 3}) {
    const auto out = dir.file("mpi" + std::to_string(ranks) + ".h5");
    const auto r = mpirun(ranks, {"run", cfg, "-o", out, "--quiet"});
    INFO("ranks " << ranks << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(fs::exists(out + ".partial"));
    CHECK(atc::test::read_variables(out) == reference);
  }
}

TEST_CASE("MPI runs reject bad input once, with exit code 2 and no output", "[mpi][config]") {
  TempDir dir;
  dir.write("c.toml", "[model]\nname = \"canonical/watts\"\nphi = 3\n");
  const auto out = dir.file("bad.h5");
  const auto r = mpirun(2, {"run", dir.file("c.toml"), "-o", out});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("model.phi: expected a real number in [0, 1]"));
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".partial"));
}

TEST_CASE("atcsim-mpi takes the options of atcsim run, with the same messages", "[mpi][cli]") {
  TempDir dir;
  dir.write("c.toml", "[experiment]\nsteps = 10\nseed = 3\n[model]\nname = \"canonical/watts\"\nn = 500\n");
  const auto cfg = dir.file("c.toml");
  const auto help = mpirun(1, {"run", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--threads N") && Catch::Contains("-q, --quiet") &&
                           Catch::Contains("--replicates R") &&
                           Catch::Contains("mpirun -n N atcsim-mpi run"));
  // The parser is shared (every message is tested in test_cli.cpp); two
  // mistakes show that atcsim-mpi reports them as atcsim does. A failing
  // mpirun costs about 2.5 s, hence only two.
  const std::vector<std::pair<std::vector<std::string>, std::string>> mistakes{
      {{"run", cfg, "--thread", "2"}, "unknown option '--thread' (did you mean '--threads'?)"},
      {{"run", cfg, "--threads=zero"}, "--threads: expected an integer from 1 to 65536, got 'zero'"},
  };
  for (const auto& [args, message] : mistakes) {
    const auto one = atc::test::atcsim(args);
    const auto mpi = mpirun(1, args);
    INFO(message << "\natcsim: " << one.err << "\natcsim-mpi: " << mpi.err);
    CHECK(one.exit_code == 2);
    CHECK(mpi.exit_code == 2);
    CHECK_THAT(one.err, Catch::StartsWith("atcsim: " + message));
    CHECK_THAT(mpi.err, Catch::Contains("atcsim-mpi: " + message));
  }
}

TEST_CASE("atcsim-mpi applies --threads, -q, --replicates and --x=v forms like atcsim", "[mpi][cli]") {
  TempDir dir;
  dir.write("c.toml", "[experiment]\nsteps = 20\nseed = 9\n[model]\nname = \"canonical/watts\"\nn = 1000\n");
  const auto cfg = dir.file("c.toml");
  const std::vector<std::string> options{"--threads=1", "-q", "--replicates=3", "--set", "model.phi=0.2"};
  std::vector<std::string> one{"run", cfg, "--output=" + dir.file("one.h5")};
  std::vector<std::string> two{"run", cfg, "-o", dir.file("mpi.h5")};
  one.insert(one.end(), options.begin(), options.end());
  two.insert(two.end(), options.begin(), options.end());
  REQUIRE(atc::test::atcsim(one).exit_code == 0);
  const auto r = mpirun(2, two);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());  // -q: no progress display
  const auto reference = atc::test::read_variables(dir.file("one.h5"));
  CHECK(atc::test::read_variables(dir.file("mpi.h5")) == reference);
  CHECK(reference.at("run_complete").size() == 3);  // --replicates=3, one scenario
}

TEST_CASE("atcsim-mpi stops every rank when only rank 0 finds the output unwritable", "[mpi][config]") {
  TempDir dir;
  dir.write("c.toml", "[experiment]\nsteps = 5\n[model]\nname = \"canonical/watts\"\nn = 200\n");
  // The output's directory would have to be created below a regular file.
  const auto out = dir.file("c.toml") + "/x.h5";
  const auto r = mpirun(3, {"run", dir.file("c.toml"), "-o", out, "--quiet"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("atcsim-mpi: error: ") && Catch::Contains("output.path: cannot write") &&
                        Catch::Contains("c.toml' is not a directory"));
  // A legal 250-character name whose .partial is not (issue 15, finding 8):
  // one line, exit 2, no "internal error".
  const auto long_name =
      mpirun(2, {"run", dir.file("c.toml"), "-o", dir.file(std::string(250, 'r')), "--quiet"});
  CHECK(long_name.exit_code == 2);
  CHECK_THAT(long_name.err, Catch::Contains("with '.partial' added") && !Catch::Contains("internal error"));
  // One line from atcsim-mpi (mpirun adds its own notice about the exit code).
  CHECK(long_name.err.find("atcsim-mpi") == long_name.err.rfind("atcsim-mpi"));
}
TEST_CASE("atcsim-mpi keeps completed runs on a failed write and prints the whole command to resume",
          "[mpi][journal][strace]") {
  if (!fs::exists("/usr/bin/strace")) FAIL("strace is needed (scripts/setup installs it)");
  TempDir dir;
  dir.write("c.toml",
            "[experiment]\nsteps = 10\nreplicates = 4\n[model]\nname = \"canonical/watts\"\nn = 200\n");
  const auto out = dir.file("m.h5");
  const std::vector<std::string> args{"run",   dir.file("c.toml"), "-o", out, "--quiet",
                                      "--set", "model.n=210"};
  REQUIRE(atc::test::atcsim(
              {"run", dir.file("c.toml"), "-o", dir.file("one.h5"), "--quiet", "--set", "model.n=210"})
              .exit_code == 0);
  // The first sync of the journal fails as on a full disk (strace follows mpirun to the ranks).
  mpirun(1, {"--version"});  // sets Open MPI's environment for running as root
  std::vector<std::string> traced{
      "/usr/bin/strace", "-f", "-o", "/dev/null",      "-e", "inject=fdatasync:error=ENOSPC:when=1",
      ATCSIM_MPIRUN,     "-n", "2",  ATCSIM_MPI_BINARY};
  traced.insert(traced.end(), args.begin(), args.end());
  const auto r = atc::test::run_process(traced);
  INFO(r.err);
  REQUIRE(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("No space left on device") && Catch::Contains(out + ".journal"));
  const std::string marker = "continue with: ";
  const auto at = r.err.find(marker);
  REQUIRE(at != std::string::npos);
  const std::string hint = r.err.substr(at + marker.size(), r.err.find(')', at) - at - marker.size());
  CHECK_THAT(hint, Catch::StartsWith("mpirun -n 2 ") && Catch::Contains("--set model.n=210") &&
                       Catch::EndsWith(" --resume"));
  const auto resumed = atc::test::run_process({"/bin/sh", "-c", hint});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(atc::test::read_variables(out) == atc::test::read_variables(dir.file("one.h5")));
  CHECK_FALSE(fs::exists(out + ".journal"));
}

TEST_CASE("SIGTERM to the ranks stops each at a step, keeps the completed runs and resumes to the same data",
          "[mpi][interrupt]") {
  // What mpirun does on Ctrl-C, without its timer: it sends SIGTERM to every
  // rank odls_base_sigkill_timeout seconds later (1 by default) and SIGKILL
  // as long again after that, which on a loaded machine can fall before rank
  // 0 has written the partial view (docs/user_guide.md). 16 runs of 200,000
  // agents (about 0.15 s each on one thread): once the first is recorded,
  // the others leave about a second for the signal.
  TempDir dir;
  const auto cfg = atc::test::watts_config(dir, 200'000, 8);
  const auto out = dir.file("big.h5");
  const pid_t pid = atc::test::spawn(mpirun_command(3, {"run", cfg, "-o", out, "--threads", "1"}),
                                     "/dev/null", dir.file("err.txt"));
  const bool recorded = atc::test::wait_for_first_record(out, 60);
  const std::vector<pid_t> ranks = processes_running(ATCSIM_MPI_BINARY, out);
  for (const pid_t rank : ranks) kill(rank, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::stringstream err;
  err << std::ifstream(dir.file("err.txt")).rdbuf();
  INFO(err.str());
  CHECK(ranks.size() == 3);
  REQUIRE(recorded);
  CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
  // Rank 0 says what was kept and how to go on (before, the ranks died
  // silently by SIGTERM's default action).
  CHECK_THAT(err.str(), Catch::Contains("atcsim-mpi: interrupted; ") &&
                            Catch::Contains("completed run(s) are kept in " + out + ".journal") &&
                            Catch::Contains("continue with: mpirun -n 3 ") && Catch::Contains(" --resume"));
  CHECK_FALSE(fs::exists(out));
  REQUIRE(fs::exists(out + ".journal"));
  REQUIRE(fs::exists(out + ".partial"));  // the completed runs' view
  const auto info = atc::test::atcsim({"info", out + ".partial"});
  CHECK(info.exit_code == 0);
  CHECK_THAT(info.out, Catch::Contains("INCOMPLETE"));
  // Resumed (in one process), the data are those of an uninterrupted run.
  const auto resumed = atc::test::atcsim({"run", cfg, "-o", out, "--resume", "--quiet"});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  REQUIRE(atc::test::atcsim({"run", cfg, "-o", dir.file("ref.h5"), "--quiet"}).exit_code == 0);
  CHECK(atc::test::read_variables(out) == atc::test::read_variables(dir.file("ref.h5")));
}

TEST_CASE("a worker rank that has sent its runs waits out a Ctrl-C for rank 0", "[mpi][interrupt]") {
  // Two runs: rank 0 gets the long one (scenario "long", about 25 s on one
  // thread, signalled after about one), rank 1 the short
  // one, after which it waits for rank 0 in the final agreement on the exit
  // code. A signal there used to end rank 1 at once (exit 130), and mpirun
  // then killed rank 0 in the middle of its run: no "interrupted" message,
  // no partial view. Now rank 1 waits; rank 0, signalled too, stops at a
  // step, keeps the short run and says how to go on.
  TempDir dir;
  dir.write("c.toml",
            "[experiment]\nsteps = 2000\nreplicates = 1\nseed = 3\n[model]\nname = \"canonical/deffuant\"\n"
            "n = 100\n[[scenario]]\nname = \"long\"\nmodel = { n = 100000 }\n[[scenario]]\nname = "
            "\"short\"\n");
  const auto out = dir.file("m.h5");
  const pid_t pid =
      atc::test::spawn(mpirun_command(2, {"run", dir.file("c.toml"), "-o", out, "--threads", "1"}),
                       "/dev/null", dir.file("err.txt"));
  const auto stop_all = [&] {
    for (const pid_t rank : processes_running(ATCSIM_MPI_BINARY, out)) kill(rank, SIGKILL);
    waitpid(pid, nullptr, 0);
  };
  // The short run is the first recorded; rank 1 then says it is done.
  if (!atc::test::wait_for_first_record(out, 60)) {
    stop_all();
    FAIL("the short run was not recorded within 60 s");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  pid_t rank0 = -1, rank1 = -1;
  for (const pid_t p : processes_running(ATCSIM_MPI_BINARY, out)) (mpi_rank_of(p) == 0 ? rank0 : rank1) = p;
  if (rank0 < 0 || rank1 < 0) {
    stop_all();
    FAIL("the two ranks were not found in /proc");
  }
  kill(rank1, SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const bool rank1_waited = running(rank1);
  const bool rank0_ran = running(rank0);
  kill(rank0, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  std::stringstream err;
  err << std::ifstream(dir.file("err.txt")).rdbuf();
  INFO(err.str());
  CHECK(rank1_waited);
  CHECK(rank0_ran);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK_THAT(err.str(),
             Catch::Contains("atcsim-mpi: interrupted; 1 completed run(s) are kept in " + out + ".journal"));
  CHECK_FALSE(fs::exists(out));
  CHECK(fs::exists(out + ".partial"));
}
#endif
