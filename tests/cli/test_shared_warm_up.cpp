// The scenarios of a replicate that differ only in their interventions share
// one build (and warm-up) of each site (sim/exec/runner.cpp): end to end
// through the atcsim command, an experiment gives, dataset by dataset and bit
// for bit, what each of its scenarios gives as an experiment of its own
// (the scenario is not in the random key, so that is the reference), with
// 1 or 2 threads, and after an interruption and --resume.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <map>

#include "support/h5read.hpp"
#include "support/process.hpp"

using atc::test::atcsim;
using atc::test::identical;
using atc::test::run_process;
using atc::test::same_bits;
using atc::test::TempDir;
using atc::test::Variables;
namespace fs = std::filesystem;

namespace {

// Two small sites of different networks; a warm-up that moves the state.
const char* const kHead = R"([experiment]
name = "shared"
replicates = 2
steps = 24
seed = 41
[model]
name = "territorial"
burn_in_weeks = 12
residential_turnover = 0.3
[[site]]
id = "a"
population = 1500
network = "FCSF"
[[site]]
id = "b"
population = 1200
network = "CNLRQ"
)";

// baseline and atc share their builds; atc's animator works at site a only,
// so at site b it has no intervention left (the path where a run takes the
// built site itself). turnover's parameters differ: it cannot share, and a
// runner that shared across parameters would give it the others' warm-up.
const char* const kBaseline = R"([[scenario]]
name = "baseline"
)";
const char* const kAtc = R"([[scenario]]
name = "atc"
[[scenario.intervention]]
kind = "animator"
sites = ["a"]
[[scenario.intervention]]
kind = "lockdown"
start_week = 6
end_week = 9
sites = ["a"]
)";
const char* const kTurnover = R"([[scenario]]
name = "turnover"
model = { residential_turnover = 0.1 }
[[scenario.intervention]]
kind = "shared_governance"
start_week = 1
)";

Variables run(const TempDir& dir, const std::string& name, const std::string& scenarios,
              const std::string& threads = "2") {
  dir.write(name + ".toml", kHead + scenarios);
  const auto r = atcsim(
      {"run", dir.file(name + ".toml"), "--quiet", "--threads", threads, "-o", dir.file(name + ".h5")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return atc::test::read_variables(dir.file(name + ".h5"));
}

}  // namespace

TEST_CASE("scenarios sharing a warm-up give what each gives as its own experiment", "[cli][shared]") {
  TempDir dir;
  const Variables all = run(dir, "all", std::string(kBaseline) + kAtc + kTurnover);
  const std::vector<Variables> alone{run(dir, "baseline", kBaseline), run(dir, "atc", kAtc),
                                     run(dir, "turnover", kTurnover)};
  std::size_t indicators = 0;
  for (const auto& [name, values] : all) {
    INFO(name);
    // Variables with a scenario dimension (outermost) are the three
    // scenarios' variables one after the other; the others are equal.
    std::vector<double> joined;
    for (const auto& one : alone) {
      REQUIRE(one.count(name) == 1);
      joined.insert(joined.end(), one.at(name).begin(), one.at(name).end());
    }
    if (values.size() == joined.size()) {
      CHECK(same_bits(values, joined));
      ++indicators;
    } else {
      CHECK(same_bits(values, alone[0].at(name)));
    }
  }
  CHECK(indicators > 20);
  // The scenarios do differ where they should (the comparison is not empty):
  // atc from baseline at site a only, turnover from both.
  const auto& share = all.at("participation_share");
  const auto per_scenario = static_cast<std::ptrdiff_t>(share.size() / 3);
  const std::vector<double> baseline(share.begin(), share.begin() + per_scenario);
  const std::vector<double> atc(share.begin() + per_scenario, share.begin() + 2 * per_scenario);
  CHECK_FALSE(same_bits(baseline, atc));
  CHECK_FALSE(same_bits(alone[2].at("participation_share"), baseline));
}

TEST_CASE("shared warm-ups are identical with 1 and 2 threads", "[cli][shared][determinism]") {
  TempDir dir;
  const std::string scenarios = std::string(kBaseline) + kAtc + kTurnover;
  CHECK(identical(run(dir, "one", scenarios, "1"), run(dir, "two", scenarios, "2")));
}

TEST_CASE("an interrupted run with shared warm-ups resumes to the same data", "[cli][shared][journal]") {
  if (!fs::exists("/usr/bin/strace")) FAIL("strace is needed (scripts/setup installs it)");
  TempDir dir;
  const std::string scenarios = std::string(kBaseline) + kAtc + kTurnover;
  const Variables reference = run(dir, "ref", scenarios, "1");
  dir.write("r.toml", kHead + scenarios);
  const std::vector<std::string> args{"run", dir.file("r.toml"), "--quiet", "--threads", "1",
                                      "-o",  dir.file("r.h5")};
  // Killed before the journal's third write (its header, then one per run):
  // baseline's replicate 0 is complete, atc's, which shared its warm-up, is
  // not; the resume builds atc's replicate 0 alone.
  std::vector<std::string> killed{"/usr/bin/strace",
                                  "-f",
                                  "-o",
                                  "/dev/null",
                                  "-e",
                                  "inject=pwrite64:signal=KILL:when=3",
                                  fs::absolute(ATCSIM_BINARY).string()};
  killed.insert(killed.end(), args.begin(), args.end());
  const auto k = run_process(killed);
  INFO(k.err);
  REQUIRE(k.exit_code == 128 + 9);
  REQUIRE(fs::exists(dir.file("r.h5.journal")));
  // Without --quiet, which would hide the count of runs kept.
  std::vector<std::string> resume{"run", dir.file("r.toml"), "--threads", "1",
                                  "-o",  dir.file("r.h5"),   "--resume"};
  const auto r = atcsim(resume);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("resuming: 1 run(s) already complete"));
  CHECK(identical(atc::test::read_variables(dir.file("r.h5")), reference));
}
