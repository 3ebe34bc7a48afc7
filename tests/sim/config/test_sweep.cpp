#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <cmath>
#include <set>

#include "models/registry.hpp"
#include "sim/config/experiment.hpp"
#include "sim/config/sweep.hpp"
#include "sim/core/error.hpp"
#include "support/process.hpp"

using namespace atc::sim;
using atc::test::TempDir;

TEST_CASE("grid designs are full factorial, last parameter fastest", "[sweep]") {
  const auto d = grid_design({2, 3});
  REQUIRE(d.points.size() == 6);
  CHECK(d.points[0] == std::vector<double>{0, 0});
  CHECK(d.points[1] == std::vector<double>{0, 1});
  CHECK(d.points[3] == std::vector<double>{1, 0});
  CHECK(d.points[5] == std::vector<double>{1, 2});
}

TEST_CASE("Latin hypercubes put exactly one point in each stratum of each coordinate", "[sweep]") {
  const std::size_t n = 50, k = 4;
  const auto d = lhs_design(n, k, 17);
  REQUIRE(d.points.size() == n);
  for (std::size_t j = 0; j < k; ++j) {
    std::set<std::size_t> strata;
    for (const auto& row : d.points) {
      REQUIRE(row[j] >= 0.0);
      REQUIRE(row[j] < 1.0);
      strata.insert(static_cast<std::size_t>(row[j] * n));
    }
    CHECK(strata.size() == n);
  }
  CHECK(lhs_design(n, k, 17).points == d.points);  // same seed, same design
  CHECK(lhs_design(n, k, 18).points != d.points);
}

TEST_CASE("Saltelli designs have N(k+2) rows with AB_j = A except column j from B", "[sweep]") {
  const std::size_t n = 64, k = 3;
  const auto d = saltelli_design(n, k);
  REQUIRE(d.points.size() == n * (k + 2));
  for (std::size_t i = 0; i < n; ++i) {
    const auto& a = d.points[i * (k + 2)];
    const auto& b = d.points[i * (k + 2) + 1];
    CHECK(d.role[i * (k + 2)] == "A");
    CHECK(d.role[i * (k + 2) + 1] == "B");
    for (std::size_t j = 0; j < k; ++j) {
      const auto& ab = d.points[i * (k + 2) + 2 + j];
      CHECK(d.role[i * (k + 2) + 2 + j] == "AB");
      CHECK(d.factor[i * (k + 2) + 2 + j] == static_cast<std::int64_t>(j));
      for (std::size_t c = 0; c < k; ++c) CHECK(ab[c] == (c == j ? b[c] : a[c]));
    }
  }
  // A low-discrepancy sequence: column means are very close to 1/2.
  for (std::size_t c = 0; c < k; ++c) {
    double mean = 0;
    for (std::size_t i = 0; i < n; ++i) mean += d.points[i * (k + 2)][c];
    CHECK(mean / n == Approx(0.5).margin(0.02));
  }
}

TEST_CASE("Morris trajectories move every factor exactly once by Delta on the grid", "[sweep]") {
  const std::size_t r = 20, k = 5, p = 4;
  const auto d = morris_design(r, k, p, 99);
  REQUIRE(d.points.size() == r * (k + 1));
  const double delta = 2.0 / 3.0;  // p / (2 (p - 1))
  for (std::size_t t = 0; t < r; ++t) {
    std::set<std::int64_t> moved;
    for (std::size_t s = 1; s <= k; ++s) {
      const auto& prev = d.points[t * (k + 1) + s - 1];
      const auto& cur = d.points[t * (k + 1) + s];
      const auto f = d.factor[t * (k + 1) + s];
      moved.insert(f);
      for (std::size_t c = 0; c < k; ++c) {
        REQUIRE(cur[c] >= 0.0);
        REQUIRE(cur[c] <= 1.0);
        // on the p-level grid
        CHECK(std::abs(cur[c] * (p - 1) - std::round(cur[c] * (p - 1))) < 1e-12);
        if (static_cast<std::int64_t>(c) == f) {
          CHECK(std::abs(cur[c] - prev[c]) == Approx(delta));
        } else {
          CHECK(cur[c] == prev[c]);
        }
      }
    }
    CHECK(moved.size() == k);
  }
}

namespace {
std::string sweep_error_in(TempDir& dir, const std::string& sweep) {
  dir.write("s.toml", "[model]\nname = \"canonical/watts\"\nn = 100\n" + sweep);
  try {
    LoadOptions o;
    o.check_output_path = false;
    load_experiment(dir.file("s.toml"), atc::models::registry(), o);
  } catch (const atc::ConfigError& e) {
    return e.what();
  }
  return "no error";
}
std::string sweep_error(const std::string& sweep) {
  TempDir dir;
  return sweep_error_in(dir, sweep);
}
}  // namespace

TEST_CASE("sweeps resolve every point and reject bad designs before running", "[sweep][config]") {
  TempDir dir;
  dir.write("s.toml",
            "[model]\nname = \"canonical/watts\"\nn = 100\n[[scenario]]\nname = \"a\"\n"
            "[sweep]\nmethod = \"grid\"\n[sweep.parameters]\n\"model.phi\" = [0.1, 0.2, 0.3]\n"
            "\"model.n\" = { from = 100, to = 300, step = 100 }\n");
  LoadOptions o;
  o.check_output_path = false;
  const auto spec = load_experiment(dir.file("s.toml"), atc::models::registry(), o);
  REQUIRE(spec.point_count() == 9);
  CHECK(spec.scenario_at(0, 0).params.real("phi") == 0.1);
  CHECK(spec.scenario_at(0, 0).params.integer("n") == 100);
  CHECK(spec.scenario_at(5, 0).params.real("phi") == 0.2);
  CHECK(spec.scenario_at(5, 0).params.integer("n") == 300);
  CHECK_THAT(spec.resolved_toml, Catch::Contains("[sweep]") && Catch::Contains("method = \"grid\""));

  CHECK_THAT(sweep_error("[sweep]\nmethod = \"grid\"\n[sweep.parameters]\n\"model.phi\" = [0.1, 1.5]\n"),
             Catch::Contains("sweep.parameters.model.phi: value 1.5 is outside the parameter's range"));
  CHECK_THAT(sweep_error("[sweep]\nmethod = \"sobl\"\n[sweep.parameters]\n\"model.phi\" = [0.1]\n"),
             Catch::Contains("(did you mean 'sobol'?)"));
  CHECK_THAT(
      sweep_error("[sweep]\nmethod = \"sobol\"\n[sweep.parameters]\n\"model.phi\" = { min = 0, max = 1 }\n"),
      Catch::Contains("sweep.base_points: missing required key"));
  CHECK_THAT(sweep_error("[sweep]\nmethod = \"lhs\"\npoints = 10\n[sweep.parameters]\n\"model.phy\" = { min "
                         "= 0, max = 1 }\n"),
             Catch::Contains("expected the dotted key of a numeric model parameter"));
  CHECK_THAT(sweep_error("[sweep]\nmethod = \"lhs\"\npoints = 10\n[sweep.parameters]\n\"model.mean_degree\" "
                         "= { min = 0, max = 4, scale = \"log\" }\n"),
             Catch::Contains("a log scale needs min > 0"));
  CHECK_THAT(sweep_error("[sweep]\nmethod = \"morris\"\ntrajectories = 4\nbase_points = "
                         "3\n[sweep.parameters]\n\"model.phi\" = { min = 0, max = 1 }\n"),
             Catch::Contains("sweep.base_points: not used by method \"morris\""));
}

TEST_CASE("scaled values stay in range and respect log scales and integers", "[sweep]") {
  SweepParameter p;
  p.min = 0.01;
  p.max = 100;
  p.log_scale = true;
  CHECK(scale(p, 0.5) == Approx(1.0));
  CHECK(scale(p, 0.0) == Approx(0.01));
  SweepParameter q;
  q.min = 1;
  q.max = 10;
  q.integer = true;
  CHECK(scale(q, 0.52) == 6.0);
}

TEST_CASE("points sweeps run a given list, from a CSV or inline, with per-point seeds", "[sweep][config]") {
  TempDir dir;
  dir.write("p.csv", "model.phi,model.n,seed\n0.1,100,7\n0.25, 200,11\n");
  dir.write("s.toml",
            "[model]\nname = \"canonical/watts\"\nn = 100\n[[scenario]]\nname = \"a\"\n"
            "[sweep]\nmethod = \"points\"\npoints_file = \"p.csv\"\nseeds = \"per_point\"\n");
  LoadOptions o;
  o.check_output_path = false;
  const auto spec = load_experiment(dir.file("s.toml"), atc::models::registry(), o);
  REQUIRE(spec.point_count() == 2);
  CHECK(spec.scenario_at(1, 0).params.real("phi") == 0.25);
  CHECK(spec.scenario_at(1, 0).params.integer("n") == 200);
  CHECK(spec.seed_at(0) == 7);
  CHECK(spec.seed_at(1) == 11);
  CHECK(spec.sweep->design.role[1] == "sample");
  CHECK(spec.sweep->design.factor[1] == -1);
  // The resolved config holds the points themselves: it loads back to the same design.
  CHECK_THAT(spec.resolved_toml,
             Catch::Contains("point_seeds = [7, 11]") && Catch::Contains("\"model.phi\" = [0.1, 0.25]"));
  dir.write("r.toml", spec.resolved_toml);
  const auto again = load_experiment(dir.file("r.toml"), atc::models::registry(), o);
  CHECK(again.resolved_toml == spec.resolved_toml);

  // Common seeds by default; derived per-point seeds depend on the point only.
  const std::string inline_points =
      "[sweep]\nmethod = \"points\"\n{}[sweep.parameters]\n\"model.phi\" = [0.1, 0.2, 0.3]\n";
  dir.write("c.toml", "[model]\nname = \"canonical/watts\"\n" + fmt::format(fmt::runtime(inline_points), ""));
  const auto common = load_experiment(dir.file("c.toml"), atc::models::registry(), o);
  CHECK(common.seed_at(2) == common.seed);
  dir.write("d.toml", "[model]\nname = \"canonical/watts\"\n" +
                          fmt::format(fmt::runtime(inline_points), "seeds = \"per_point\"\n"));
  const auto derived = load_experiment(dir.file("d.toml"), atc::models::registry(), o);
  CHECK(derived.seed_at(1) == derived_point_seed(derived.sweep->seed, 1));
  CHECK(derived.seed_at(0) != derived.seed_at(1));
}

TEST_CASE("points sweeps locate every bad row, key and column", "[sweep][config]") {
  auto csv_error = [](const std::string& csv, const std::string& extra = "seeds = \"per_point\"\n") {
    TempDir dir;
    dir.write("p.csv", csv);
    return sweep_error_in(dir, "[sweep]\nmethod = \"points\"\npoints_file = \"p.csv\"\n" + extra);
  };
  CHECK_THAT(csv_error("model.phi,model.n\n0.1,100\n0.2, 1.5e9x\n"),
             Catch::Contains("p.csv:3:6: column 'model.n': expected a number, got '1.5e9x'"));
  CHECK_THAT(csv_error("model.phi\n0.1\n1.5\n"),
             Catch::Contains("p.csv:3:1: column 'model.phi': value 1.5 is outside the parameter's range"));
  CHECK_THAT(csv_error("model.phi,model.n\n0.1,100.5\n"),
             Catch::Contains("p.csv:2:5: column 'model.n': expected an integer, got 100.5"));
  CHECK_THAT(csv_error("model.phi,model.phy\n0.1,0.2\n"),
             Catch::Contains("p.csv:1:11: column 'model.phy': expected the dotted key"));
  CHECK_THAT(csv_error("model.phi,seed\n0.1,-3\n"),
             Catch::Contains("p.csv:2:5: column 'seed': expected an integer seed in [0, 2^63), got '-3'"));
  CHECK_THAT(csv_error("model.phi,seed\n0.1,3\n", ""),
             Catch::Contains("p.csv:1:11: column 'seed': needs seeds = \"per_point\""));
  CHECK_THAT(csv_error("model.phi\n"), Catch::Contains("p.csv:2:1: expected at least one point"));
  TempDir dir;
  CHECK_THAT(sweep_error_in(dir,
                            "[sweep]\nmethod = \"points\"\n[sweep.parameters]\n\"model.phi\" = [0.1, "
                            "0.2]\n\"model.n\" = [100]\n"),
             Catch::Contains("sweep.parameters.model.n: expected columns of equal length"));
  CHECK_THAT(sweep_error_in(dir, "[sweep]\nmethod = \"points\"\npoints_file = \"none.csv\"\n"),
             Catch::Contains("s.toml:6:15: sweep.points_file:") && Catch::Contains("no such file"));
  CHECK_THAT(sweep_error_in(dir,
                            "[sweep]\nmethod = \"lhs\"\npoints = 4\nseeds = \"per_point\"\n"
                            "[sweep.parameters]\n\"model.phi\" = { min = 0, max = 1 }\n"),
             Catch::Contains("sweep.seeds: not used by method \"lhs\""));
}
