// Issue 15, "nothing lost": a kill at any write, a full disk, damaged or odd
// leftovers (.partial links, empty files) and the resume hint, end to end
// through the atcsim command. Kills and disk-full errors are injected with
// strace (Debian's strace: -e inject=SYSCALL:signal=KILL|error=ENOSPC:when=N),
// which with --threads 1 hits the same write every time.
#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/h5read.hpp"
#include "support/process.hpp"

using atc::test::atcsim;
using atc::test::identical;
using atc::test::ProcessResult;
using atc::test::run_process;
using atc::test::TempDir;
using atc::test::Variables;
namespace fs = std::filesystem;

namespace {

const std::string kStrace = "/usr/bin/strace";

// strace followed by `args`. LeakSanitizer cannot work under ptrace: an
// AddressSanitizer build of atcsim would exit 1 at its end, so leak checks
// are off for the traced process (only).
std::vector<std::string> strace_command(std::initializer_list<std::string> args) {
#ifdef __SANITIZE_ADDRESS__
  std::vector<std::string> full{"/usr/bin/env", "ASAN_OPTIONS=detect_leaks=0", kStrace};
#else
  std::vector<std::string> full{kStrace};
#endif
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

std::string small_config(const TempDir& dir, int replicates = 3, int steps = 20) {
  dir.write("s.toml", "[experiment]\nname = \"s\"\nsteps = " + std::to_string(steps) +
                          "\nreplicates = " + std::to_string(replicates) +
                          "\nseed = 3\n[model]\nname = \"canonical/watts\"\nn = 300\n"
                          "[[scenario]]\nname = \"z2\"\nmodel = { mean_degree = 2.0 }\n"
                          "[[scenario]]\nname = \"z4\"\nmodel = { mean_degree = 4.0 }\n");
  return dir.file("s.toml");
}

std::vector<std::string> atcsim_argv(const std::vector<std::string>& args) {
  std::vector<std::string> full{fs::absolute(ATCSIM_BINARY).string()};
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

// atcsim under strace with `injection` (e.g. "pwrite64:signal=KILL:when=3").
ProcessResult under_strace(const std::string& injection, const std::vector<std::string>& args,
                           const std::string& cwd = "") {
  std::vector<std::string> full = strace_command({"-f", "-o", "/dev/null", "-e", "inject=" + injection});
  const auto rest = atcsim_argv(args);
  full.insert(full.end(), rest.begin(), rest.end());
  return run_process(full, cwd);
}

// How many times an uninterrupted run calls each of `syscalls` (one thread).
std::map<std::string, int> count_calls(const std::vector<std::string>& syscalls,
                                       const std::vector<std::string>& args, const TempDir& dir) {
  std::string list;
  for (const auto& s : syscalls) list += (list.empty() ? "" : ",") + s;
  std::vector<std::string> full = strace_command({"-f", "-o", dir.file("trace.txt"), "-e", "trace=" + list});
  const auto rest = atcsim_argv(args);
  full.insert(full.end(), rest.begin(), rest.end());
  REQUIRE(run_process(full).exit_code == 0);
  std::map<std::string, int> counts;
  std::ifstream in(dir.file("trace.txt"));
  for (std::string line; std::getline(in, line);) {
    for (const auto& s : syscalls) {
      if (line.find(" " + s + "(") != std::string::npos || line.rfind(s + "(", 0) == 0) ++counts[s];
    }
  }
  fs::remove(dir.file("trace.txt"));
  return counts;
}

// "<stem><n>.h5" (a stream: "a" + std::to_string makes GCC 12 warn, -Wrestrict, a false positive).
std::string named(const std::string& stem, int n) {
  std::ostringstream name;
  name << stem << n << ".h5";
  return name.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// After a run stopped anyhow: whatever is at the output path is the right
// result; then `--resume` (or a new run when nothing was kept) completes it
// with the reference's data, and leaves no journal or .partial behind.
void check_recovers(const std::vector<std::string>& args, const std::string& out, const Variables& reference,
                    const std::string& cwd = "") {
  if (fs::exists(out)) CHECK(identical(atc::test::read_variables(out), reference));
  if (fs::exists(out) && !fs::exists(out + ".journal")) return;  // it had finished
  std::vector<std::string> again = args;
  if (fs::exists(out + ".journal")) again.emplace_back("--resume");
  const auto r = atcsim(again, cwd);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(identical(atc::test::read_variables(out), reference));
  CHECK_FALSE(fs::exists(out + ".journal"));
  CHECK_FALSE(fs::exists(out + ".partial"));
}

// Positions 1..n, all of them up to `budget`, else a deterministic spread
// that keeps the first and last ones.
std::vector<int> positions(int n, int budget) {
  std::vector<int> out;
  if (n <= budget) {
    for (int i = 1; i <= n; ++i) out.push_back(i);
    return out;
  }
  for (int k = 0; k < budget; ++k)
    out.push_back(1 + static_cast<int>(static_cast<long>(k) * (n - 1) / (budget - 1)));
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

TEST_CASE("a kill before any write, sync, truncate, rename or unlink: the runs resume bit for bit",
          "[cli][journal][strace]") {
  if (!fs::exists(kStrace)) FAIL("strace is needed (scripts/setup installs it)");
  TempDir dir;
  const auto cfg = small_config(dir);
  const std::vector<std::string> base{"run", cfg, "--quiet", "--threads", "1"};
  auto with_output = [&](const std::string& out) {
    auto a = base;
    a.insert(a.end(), {"-o", out});
    return a;
  };
  REQUIRE(atcsim(with_output(dir.file("ref.h5"))).exit_code == 0);
  const Variables reference = atc::test::read_variables(dir.file("ref.h5"));
  const std::vector<std::string> syscalls{"pwrite64",  "write",  "fsync", "fdatasync",
                                          "ftruncate", "rename", "unlink"};
  const auto counts = count_calls(syscalls, with_output(dir.file("count.h5")), dir);
  int kills = 0;
  for (const auto& syscall : syscalls) {
    const auto found = counts.find(syscall);
    if (found == counts.end()) continue;
    for (const int n : positions(found->second, 100)) {
      const auto out = dir.file(named(syscall, n));
      const auto r = under_strace(syscall + ":signal=KILL:when=" + std::to_string(n), with_output(out));
      INFO("killed before " << syscall << " #" << n << ": exit " << r.exit_code << " " << r.err);
      CHECK((r.exit_code == 128 + 9 || r.exit_code == 0));
      kills += r.exit_code == 128 + 9 ? 1 : 0;
      check_recovers(with_output(out), out, reference);
      fs::remove(out);
    }
  }
  INFO("calls of an uninterrupted run: pwrite64 " << counts.at("pwrite64"));
  CHECK(kills >= 20);
}

TEST_CASE("a kill anywhere during --resume: the next --resume still gives the same data",
          "[cli][journal][strace]") {
  if (!fs::exists(kStrace)) FAIL("strace is needed (scripts/setup installs it)");
  TempDir dir;
  const auto cfg = small_config(dir);
  const auto out = dir.file("r.h5");
  const std::vector<std::string> args{"run", cfg, "--quiet", "--threads", "1", "-o", out};
  REQUIRE(atcsim({"run", cfg, "--quiet", "-o", dir.file("ref.h5")}).exit_code == 0);
  const Variables reference = atc::test::read_variables(dir.file("ref.h5"));
  // Two runs of six in the journal; then every write, sync, truncate, rename
  // and unlink of the resume is a kill position.
  REQUIRE(under_strace("pwrite64:signal=KILL:when=4", args).exit_code == 128 + 9);
  const auto saved = dir.file("saved.journal");
  fs::copy_file(out + ".journal", saved);
  auto resume = args;
  resume.emplace_back("--resume");
  const std::vector<std::string> syscalls{"pwrite64", "fsync", "fdatasync", "ftruncate", "rename", "unlink"};
  const auto counts = count_calls(syscalls, resume, dir);
  int kills = 0;
  for (const auto& [syscall, count] : counts) {
    for (const int n : positions(count, 100)) {
      fs::remove(out);
      fs::remove(out + ".partial");
      fs::copy_file(saved, out + ".journal", fs::copy_options::overwrite_existing);
      const auto r = under_strace(syscall + ":signal=KILL:when=" + std::to_string(n), resume);
      INFO("resume killed before " << syscall << " #" << n << ": exit " << r.exit_code << " " << r.err);
      kills += r.exit_code == 128 + 9 ? 1 : 0;
      check_recovers(args, out, reference);
    }
  }
  CHECK(kills >= 20);
}

TEST_CASE("with two threads, a kill at a journal write resumes to the same data", "[cli][journal][strace]") {
  if (!fs::exists(kStrace)) FAIL("strace is needed (scripts/setup installs it)");
  TempDir dir;
  const auto cfg = small_config(dir, 4);
  REQUIRE(atcsim({"run", cfg, "--quiet", "--threads", "1", "-o", dir.file("ref.h5")}).exit_code == 0);
  const Variables reference = atc::test::read_variables(dir.file("ref.h5"));
  for (const int n : {2, 3, 4, 6}) {
    const auto out = dir.file(named("t", n));
    const std::vector<std::string> args{"run", cfg, "--quiet", "--threads", "2", "-o", out};
    const auto r = under_strace("pwrite64:signal=KILL:when=" + std::to_string(n), args);
    INFO("pwrite64 #" << n << ": exit " << r.exit_code << " " << r.err);
    check_recovers(args, out, reference);
  }
}

TEST_CASE("a full disk at any write: exit 1, one line naming the file, and --resume once space is back",
          "[cli][journal][strace]") {
  if (!fs::exists(kStrace)) FAIL("strace is needed (scripts/setup installs it)");
  TempDir dir;
  const auto cfg = small_config(dir);
  const std::vector<std::string> base{"run", cfg, "--quiet", "--threads", "1"};
  REQUIRE(atcsim({"run", cfg, "--quiet", "-o", dir.file("ref.h5")}).exit_code == 0);
  const Variables reference = atc::test::read_variables(dir.file("ref.h5"));
  auto args_for = [&](const std::string& out) {
    auto a = base;
    a.insert(a.end(), {"-o", out});
    return a;
  };
  const int writes = count_calls({"pwrite64"}, args_for(dir.file("count.h5")), dir).at("pwrite64");
  int failures = 0;
  for (const int n : positions(writes, 25)) {
    const auto out = dir.file(named("full", n));
    // From the n-th write on, every write fails: the disk stays full.
    const auto r = under_strace("pwrite64:error=ENOSPC:when=" + std::to_string(n) + "+", args_for(out));
    INFO("disk full from pwrite64 #" << n << ": " << r.err);
    if (r.exit_code == 0) continue;
    ++failures;
    CHECK(r.exit_code == 1);  // never a crash (exit 139 in H5F__close_cb)
    const auto lines = lines_of(r.err);
    REQUIRE_FALSE(lines.empty());
    CHECK_THAT(lines.front(), Catch::StartsWith("atcsim: error: ") &&
                                  Catch::Contains("No space left on device") && Catch::Contains(out));
    CHECK(lines.size() <= 2);
    CHECK_FALSE(fs::exists(out));
    check_recovers(args_for(out), out, reference);
  }
  CHECK(failures >= 10);
}

TEST_CASE("a real full disk (a 256 KiB tmpfs): exit 1, and --resume once it is enlarged", "[cli][journal]") {
  TempDir dir;
  const auto cfg = small_config(dir, 30, 400);
  REQUIRE(atcsim({"run", cfg, "--quiet", "-o", dir.file("ref.h5")}).exit_code == 0);
  const Variables reference = atc::test::read_variables(dir.file("ref.h5"));
  const auto small = dir.file("small");
  fs::create_directories(small);
  if (::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=256k") != 0) {
    WARN("skipped: cannot mount a tmpfs (" << std::strerror(errno)
                                           << "; needs root). The strace ENOSPC test "
                                              "covers a full disk without it.");
    return;
  }
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount(path.c_str()); }
  } unmount{small};
  const auto out = small + "/r.h5";
  const std::vector<std::string> args{"run", cfg, "--quiet", "--threads", "2", "-o", out};
  const auto r = atcsim(args);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  const auto lines = lines_of(r.err);
  REQUIRE_FALSE(lines.empty());
  CHECK_THAT(lines.front(), Catch::Contains("No space left on device") && Catch::Contains(out));
  CHECK_FALSE(fs::exists(out));
  REQUIRE(::mount("tmpfs", small.c_str(), "tmpfs", MS_REMOUNT, "size=16m") == 0);
  check_recovers(args, out, reference);
}

TEST_CASE("the resume hint repeats the whole command line, shell-quoted, and works as printed",
          "[cli][journal][strace]") {
  if (!fs::exists(kStrace)) FAIL("strace is needed (scripts/setup installs it)");
  TempDir dir;
  const auto cfg = small_config(dir);
  fs::create_directories(dir.file("out dir"));
  // Every option of the original run matters: -o, --set (with quotes and a
  // space), --replicates, --threads.
  const std::vector<std::string> args{"run",
                                      "s.toml",
                                      "-o",
                                      "./out dir/r.h5",
                                      "--set",
                                      "model.n=250",
                                      "--replicates",
                                      "2",
                                      "--threads",
                                      "1",
                                      "--quiet",
                                      "--set",
                                      "experiment.name=\"it's a b\""};
  const auto r = under_strace("pwrite64:error=ENOSPC:when=3", args, dir.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 1);
  const std::string marker = "continue with: ";
  const auto at = r.err.find(marker);
  REQUIRE(at != std::string::npos);
  std::string hint = r.err.substr(at + marker.size());
  hint = hint.substr(0, hint.find(')', hint.rfind("--resume")));
  CHECK_THAT(hint, Catch::EndsWith(" --resume"));
  CHECK_THAT(hint, Catch::Contains("'./out dir/r.h5'") && Catch::Contains("--replicates 2") &&
                       Catch::Contains("model.n=250") &&
                       Catch::Contains("'experiment.name=\"it'\\''s a b\"'"));
  const auto resumed = run_process({"/bin/sh", "-c", hint}, dir.path());
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK_FALSE(fs::exists(dir.file("out dir/r.h5.journal")));
  // The same experiment written with `-o out dir/r.h5` (no ./): the same output.
  REQUIRE(atcsim({"run", "s.toml", "-o", "out dir/plain.h5", "--set", "model.n=250", "--replicates", "2",
                  "--quiet", "--set", "experiment.name=\"it's a b\""},
                 dir.path())
              .exit_code == 0);
  CHECK(identical(atc::test::read_variables(dir.file("out dir/r.h5")),
                  atc::test::read_variables(dir.file("out dir/plain.h5"))));
}

TEST_CASE("the output path's spelling does not make another configuration", "[cli][journal][strace]") {
  if (!fs::exists(kStrace)) FAIL("strace is needed (scripts/setup installs it)");
  TempDir dir;
  small_config(dir);
  const auto r = under_strace("pwrite64:signal=KILL:when=4",
                              {"run", "s.toml", "-o", "./r.h5", "--quiet", "--threads", "1"}, dir.path());
  REQUIRE(r.exit_code == 128 + 9);
  REQUIRE(fs::exists(dir.file("r.h5.journal")));
  const auto resumed = atcsim({"run", "s.toml", "-o", "r.h5", "--resume"}, dir.path());
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK_THAT(resumed.err, Catch::Contains("resuming: 2 run(s) already complete"));
}

TEST_CASE("odd leftovers give one clear line, never a crash or 'different configuration'", "[cli][journal]") {
  TempDir dir;
  const auto cfg = small_config(dir);
  const auto out = dir.file("r.h5");
  const std::vector<std::string> run{"run", cfg, "-o", out, "--quiet"};
  auto resume = run;
  resume.emplace_back("--resume");
  SECTION("a .partial that is a link to /dev/null, without a journal") {
    fs::create_symlink("/dev/null", out + ".partial");
    for (const auto& args : {run, resume}) {
      const auto r = atcsim(args);
      INFO(r.err);
      CHECK(r.exit_code == 2);
      CHECK(lines_of(r.err).size() == 1);
      // Refused by the config check of the output's names, before any file is opened.
      CHECK_THAT(r.err, Catch::Contains(".partial' is a character device, not a regular file") &&
                            !Catch::Contains("different"));
    }
    CHECK(fs::is_character_file("/dev/null"));
  }
  SECTION("an empty .partial, without a journal: refused, and left as it was") {
    dir.write("r.h5.partial", "");
    const auto r = atcsim(resume);
    CHECK(r.exit_code == 2);
    CHECK(lines_of(r.err).size() == 1);
    CHECK(fs::file_size(out + ".partial") == 0);
  }
  SECTION("an empty journal (killed before its header was written) is started again") {
    for (const auto& args : {run, resume}) {
      dir.write("r.h5.journal", "");
      const auto r = atcsim(args);
      INFO(r.err);
      CHECK(r.exit_code == 0);
      CHECK_THAT(r.err, Catch::Contains("holds no completed run") && Catch::Contains("starting again"));
      CHECK(fs::exists(out));
      CHECK_FALSE(fs::exists(out + ".journal"));
      fs::remove(out);
    }
  }
  SECTION("a journal that is a link to /dev/null: one line, /dev/null untouched") {
    fs::create_symlink("/dev/null", out + ".journal");
    const auto r = atcsim(resume);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(lines_of(r.err).size() == 1);
    CHECK_THAT(r.err, Catch::Contains("not a regular file"));
    CHECK(fs::is_character_file("/dev/null"));
  }
  SECTION("no journal: --resume says there is nothing to resume") {
    const auto r = atcsim(resume);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("no interrupted run to resume"));
  }
}

TEST_CASE("a damaged journal or one of another configuration is refused, nothing looks complete",
          "[cli][journal][strace]") {
  if (!fs::exists(kStrace)) FAIL("strace is needed (scripts/setup installs it)");
  TempDir dir;
  const auto cfg = small_config(dir);
  const auto out = dir.file("r.h5");
  const std::vector<std::string> args{"run", cfg, "-o", out, "--quiet", "--threads", "1"};
  REQUIRE(under_strace("pwrite64:signal=KILL:when=5", args).exit_code == 128 + 9);  // 3 runs recorded
  auto resume = args;
  resume.emplace_back("--resume");
  SECTION("one flipped bit in a middle record") {
    const auto size = fs::file_size(out + ".journal");
    {
      std::fstream f(out + ".journal", std::ios::in | std::ios::out | std::ios::binary);
      const auto at = static_cast<std::streamoff>(size - size / 4);
      f.seekg(at);
      const char c = static_cast<char>(f.get() ^ 0x01);
      f.seekp(at);
      f.put(c);
    }
    const auto r = atcsim(resume);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(lines_of(r.err).size() == 1);
    CHECK_THAT(r.err, Catch::Contains("damaged") && Catch::Contains("delete it"));
    CHECK_FALSE(fs::exists(out));
  }
  SECTION("another configuration") {
    auto other = resume;
    other.insert(other.end(), {"--set", "model.n=301"});
    const auto r = atcsim(other);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(lines_of(r.err).size() == 1);
    CHECK_THAT(r.err, Catch::Contains("different configuration") && Catch::Contains("n = 300"));
    CHECK_FALSE(fs::exists(out));
  }
  SECTION("running again without --resume is refused, naming --resume") {
    const auto r = atcsim(args);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("3 run(s) complete") && Catch::Contains("--resume"));
  }
}

TEST_CASE("a read-only output is not replaced", "[cli][journal]") {
  TempDir dir;
  const auto cfg = small_config(dir);
  const auto out = dir.file("r.h5");
  dir.write("r.h5", "precious");
  fs::permissions(out, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  const auto r = atcsim({"run", cfg, "-o", out, "--quiet"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("read-only"));
  CHECK(fs::file_size(out) == 8);
  CHECK_FALSE(fs::exists(out + ".journal"));
}
