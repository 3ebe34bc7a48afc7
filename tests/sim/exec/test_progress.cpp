#include <catch2/catch.hpp>

#include "sim/exec/progress.hpp"
#include "support/process.hpp"

using namespace atc::sim;

TEST_CASE("progress text: durations, rates, bar and counts", "[exec][progress]") {
  CHECK(format_duration(12.4) == "12s");
  CHECK(format_duration(185) == "3m05s");
  CHECK(format_duration(3720) == "1h02m");
  CHECK(format_duration(-1) == "--");
  CHECK(format_rate(3.2e6) == "3.20M");
  CHECK(format_rate(850'000) == "850k");
  CHECK(format_rate(2.5e9) == "2.50G");
  Progress bar(Progress::Style::Quiet, 100, 4);
  bar.add(50, 1000);
  bar.run_done();
  CHECK_THAT(bar.line(), Catch::Contains(" 50% 1/4 runs") && Catch::Contains("agent-steps/s"));
}

TEST_CASE("a run reports progress on stderr unless --quiet", "[cli][progress]") {
  atc::test::TempDir dir;
  dir.write("w.toml",
            "[experiment]\nsteps = 10\nreplicates = 2\n[model]\nname = \"canonical/watts\"\nn = 1000\n");
  const auto loud = atc::test::atcsim({"run", dir.file("w.toml"), "-o", dir.file("a.h5")});
  REQUIRE(loud.exit_code == 0);
  // Not a terminal: plain lines, the last one at 100 %.
  CHECK_THAT(loud.err, Catch::Contains("progress: 100% 2/2 runs"));
  const auto quiet = atc::test::atcsim({"run", dir.file("w.toml"), "-o", dir.file("b.h5"), "--quiet"});
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
}
