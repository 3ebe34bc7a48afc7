// The up-front memory check (issue 15, finding 11): a run that cannot fit in
// memory is refused before anything is allocated, naming the estimate and
// what to reduce.
#include <catch2/catch.hpp>

#include <string>

#include "models/registry.hpp"
#include "sim/config/experiment.hpp"
#include "sim/core/error.hpp"
#include "sim/exec/memory.hpp"
#include "support/process.hpp"

using namespace atc::sim;
using atc::test::TempDir;

namespace {

ExperimentSpec watts(const TempDir& dir, const std::string& model) {
  dir.write("w.toml", "[experiment]\nsteps = 30\nreplicates = 4\n[model]\nname = \"canonical/watts\"\n" +
                          model +
                          "\n[[scenario]]\nname = \"z2\"\nmodel = { mean_degree = 2.0 }\n"
                          "[[scenario]]\nname = \"z4\"\nmodel = { mean_degree = 4.0 }\n");
  LoadOptions o;
  o.check_output_path = false;
  return load_experiment(dir.file("w.toml"), atc::models::registry(), o);
}

}  // namespace

TEST_CASE("the memory estimate sums the largest sites that run at once", "[exec][memory]") {
  TempDir dir;
  const ExperimentSpec spec = watts(dir, "n = 10000");
  // Watts: (8.2 z + 16) n bytes per site, plus the recorded series: 3
  // indicators x 31 recorded steps x 8 bytes.
  const double z4 = (8.2 * 4 + 16) * 10000 + 3 * 31 * 8;
  const double z2 = (8.2 * 2 + 16) * 10000 + 3 * 31 * 8;
  const MemoryNeed one = estimate_memory(spec, 1);
  CHECK(one.estimated);
  CHECK(one.concurrent == 1);
  CHECK(one.peak_bytes == Approx(z4));
  CHECK(one.reduce == "model.n (or model.mean_degree)");
  // 8 tasks (2 scenarios x 4 replicates); the 3 largest are all z = 4 runs.
  CHECK(estimate_memory(spec, 3).peak_bytes == Approx(3 * z4));
  // More threads than tasks: every task at once.
  const MemoryNeed all = estimate_memory(spec, 64);
  CHECK(all.concurrent == 8);
  CHECK(all.peak_bytes == Approx(4 * z4 + 4 * z2));
}

TEST_CASE("a run that cannot fit is refused, naming the estimate and what to reduce", "[exec][memory]") {
  TempDir dir;
  const ExperimentSpec spec = watts(dir, "n = 10000");
  const MemoryNeed need = estimate_memory(spec, 2);
  CHECK_NOTHROW(check_memory(spec, need, MemoryAvailable{1e9, "test"}, 2));
  CHECK_NOTHROW(check_memory(spec, need, std::nullopt, 2));  // unknown: no check
  // Room for one site but not two: fewer threads would do.
  CHECK_THROWS_WITH(
      check_memory(spec, need, MemoryAvailable{need.largest_task_bytes * 1.5, "test"}, 2),
      Catch::StartsWith(dir.file("w.toml") + ": not enough memory: the run needs about 977 kB (2 "
                                             "site run(s) at once with 2 thread(s); the largest, site "
                                             "'all', about 489 kB), and 733 kB are available (test); "
                                             "reduce model.n (or model.mean_degree), or use fewer "
                                             "threads (--threads 1)"));
  // Finding 11: n = 2e9 (inside its declared range) needs about 98 GB per site.
  const ExperimentSpec huge = watts(dir, "n = 2000000000");
  const MemoryNeed big = estimate_memory(huge, 1);
  CHECK(big.peak_bytes == Approx((8.2 * 4 + 16) * 2e9).epsilon(1e-6));
  CHECK_THROWS_AS(check_memory(huge, big, MemoryAvailable{64e9, "test"}, 1), atc::ConfigError);
  CHECK(format_bytes(big.peak_bytes) == "97.6 GB");
}

TEST_CASE("the territorial estimate grows with the residents simulated", "[exec][memory]") {
  TempDir dir;
  dir.write(
      "t.toml",
      "[model]\nname = \"territorial\"\npopulation_scale = 0.5\n[[site]]\nid = \"a\"\npopulation = 10000\n"
      "[[site]]\nid = \"b\"\npopulation = 40000\n[[site]]\nid = \"c\"\npopulation = 70000\n");
  LoadOptions o;
  o.check_output_path = false;
  const ExperimentSpec spec = load_experiment(dir.file("t.toml"), atc::models::registry(), o);
  const MemoryNeed need = estimate_memory(spec, 1);
  CHECK(need.largest_site == "c");
  CHECK(need.reduce == "model.population_scale (or the site's population)");
  // Linear in the residents (10,000 more cost the same anywhere), plus the
  // organisations' matrices: (associations + 7 institutions)^2 pairs of 17
  // bytes, with 1.5 associations per 1,000 people (15, 60 and 105 here).
  const MemoryEstimate a = spec.model->estimate_memory(spec.params, spec.sites[0]);
  const MemoryEstimate b = spec.model->estimate_memory(spec.params, spec.sites[1]);
  const MemoryEstimate c = spec.model->estimate_memory(spec.params, spec.sites[2]);
  CHECK(a.bytes > 0);
  const auto pairs = [](double associations) { return (associations + 7) * (associations + 7); };
  CHECK((c.bytes - b.bytes) - (b.bytes - a.bytes) ==
        Approx(17 * ((pairs(105) - pairs(60)) - (pairs(60) - pairs(15)))));
  CHECK(need.peak_bytes > c.bytes);  // the largest site, plus its recorded series
}

TEST_CASE("the territorial estimate counts the organisations of the site's whole population",
          "[exec][memory]") {
  // Associations follow the site's population (associations_per_1000), not
  // population_scale, and their trust matrices hold n^2 entries: a large site
  // simulated at a small scale still needs them (17 bytes a pair).
  TempDir dir;
  const auto site_estimate = [&](double scale) {
    dir.write("t.toml", "[model]\nname = \"territorial\"\npopulation_scale = " + std::to_string(scale) +
                            "\n[[site]]\nid = \"a\"\npopulation = 8000000\n");
    LoadOptions o;
    o.check_output_path = false;
    const ExperimentSpec spec = load_experiment(dir.file("t.toml"), atc::models::registry(), o);
    return spec.model->estimate_memory(spec.params, spec.sites[0]).bytes;
  };
  const double organisations = 8000000 * 1.5 / 1000 + 7;  // associations_per_1000's default, 7 institutions
  const double small = site_estimate(0.0001);             // 800 residents
  CHECK(small > 17 * organisations * organisations);
  CHECK(small < 17 * organisations * organisations + 5e6);
  // Only the residents' part changes with the scale, linearly.
  const double more = site_estimate(0.0002) - small;
  CHECK(more > 0);
  CHECK(more < 1e6);
  CHECK(site_estimate(0.0003) - site_estimate(0.0002) == Approx(more));
  // Refused, the message says what reduces it.
  LoadOptions o;
  o.check_output_path = false;
  const ExperimentSpec spec = load_experiment(dir.file("t.toml"), atc::models::registry(), o);
  const MemoryNeed need = estimate_memory(spec, 1);
  CHECK(need.reduce ==
        "the site's population or site.associations_per_1000 (the organisations' trust matrices, "
        "which model.population_scale does not shrink)");
  CHECK_THROWS_WITH(check_memory(spec, need, MemoryAvailable{1e9, "test"}, 1),
                    Catch::Contains("reduce the site's population or site.associations_per_1000"));
}

TEST_CASE("scenarios sharing a warm-up count two models per task", "[exec][memory][shared]") {
  TempDir dir;
  const std::string head =
      "[experiment]\nsteps = 10\nreplicates = 3\n[model]\nname = \"territorial\"\n"
      "[[site]]\nid = \"a\"\npopulation = 10000\n[[site]]\nid = \"b\"\npopulation = 40000\n"
      "[[scenario]]\nname = \"baseline\"\n[[scenario]]\nname = \"atc\"\n[[scenario.intervention]]\n"
      "kind = \"animator\"\n";
  auto need = [&](const std::string& more, int threads) {
    dir.write("t.toml", head + more);
    LoadOptions o;
    o.check_output_path = false;
    return estimate_memory(load_experiment(dir.file("t.toml"), atc::models::registry(), o), threads);
  };
  // baseline and atc: one task per (replicate, site) holding two models
  // (3 replicates x 2 sites).
  const MemoryNeed shared = need("", 64);
  CHECK(shared.concurrent == 6u);
  // Other parameters: a task per run and site, one model each (2 scenarios
  // x 3 replicates x 2 sites); the same models in all.
  const MemoryNeed apart = need("[scenario.model]\nresidential_turnover = 0.1\n", 64);
  CHECK(apart.concurrent == 12u);
  CHECK(shared.peak_bytes == Approx(apart.peak_bytes).epsilon(0.01));
  // One thread: the largest task, two models against one.
  CHECK(need("", 1).peak_bytes > 1.9 * need("[scenario.model]\nresidential_turnover = 0.1\n", 1).peak_bytes);
}

TEST_CASE("available memory is read from the machine", "[exec][memory]") {
  const auto available = available_memory();
  REQUIRE(available.has_value());  // Linux: /proc/meminfo
  CHECK(available->bytes > 0);
  CHECK_FALSE(available->source.empty());
}
