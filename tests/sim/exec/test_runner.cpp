// The engine's execution layer with small test models: recording schedule,
// absorption, coupled sites, determinism across thread counts.
#include <catch2/catch.hpp>

#include <oneapi/tbb/global_control.h>

#include <atomic>
#include <functional>

#include "sim/config/experiment.hpp"
#include "sim/exec/runner.hpp"
#include "sim/io/sink.hpp"
#include "support/process.hpp"

using namespace atc::sim;
using atc::test::TempDir;

namespace {

// value starts at the site's index, grows by `rate` each step; coupled sites
// are then averaged (in site order).
class Counter final : public Model {
 public:
  Counter(double start, double rate, std::int64_t stop) : value_(start), rate_(rate), stop_(stop) {}
  void step(std::int64_t step, Parallel) override {
    value_ += rate_;
    steps_ = step + 1;
  }
  [[nodiscard]] std::uint64_t agent_count() const override { return 1; }
  [[nodiscard]] bool absorbed() const override { return stop_ > 0 && steps_ >= stop_; }
  double value_;

 private:
  double rate_;
  std::int64_t stop_;
  std::int64_t steps_ = 0;
};

// A model with a "warm-up" in its constructor (value = start + 10 rate) and
// interventions ("boost": adds `amount` per step while active); it makes
// copies with other interventions when the parameter `copies` is true, and
// counts its builds.
std::atomic<int> boost_builds{0};

class Boost final : public Model {
 public:
  explicit Boost(const ModelInit& init)
      : value_(init.site.fields.real("start") + 10 * init.params.real("rate")),
        rate_(init.params.real("rate")),
        copies_(init.params.boolean("copies")),
        boosts_(init.interventions.begin(), init.interventions.end()) {
    ++boost_builds;
  }
  void step(std::int64_t step, Parallel) override {
    value_ += rate_;
    for (const auto& b : boosts_) value_ += b.active_at(step) ? b.params.real("amount") : 0.0;
  }
  [[nodiscard]] std::uint64_t agent_count() const override { return 1; }
  [[nodiscard]] std::unique_ptr<Model> with_interventions(
      std::span<const InterventionSpec> interventions) const override {
    if (!copies_) return nullptr;
    auto copy = std::make_unique<Boost>(*this);
    copy->boosts_.assign(interventions.begin(), interventions.end());
    return copy;
  }
  double value_;

 private:
  double rate_;
  bool copies_;
  std::vector<InterventionSpec> boosts_;
};

ModelDescription boost_description() {
  ModelDescription d;
  d.name = "test/boost";
  d.params = {ParamDecl::real("rate", 1.0), ParamDecl::boolean("copies", true)};
  d.site_fields = {ParamDecl::real("start", 0.0)};
  d.interventions = {{"boost", "adds `amount` per step", {ParamDecl::real("amount", 1.0)}}};
  d.indicators = {indicator<Boost>("value", "1", "value", "", [](const Boost& m) { return m.value_; })};
  d.create = [](const ModelInit& init) { return std::make_unique<Boost>(init); };
  return d;
}

ModelRegistry test_registry() {
  ModelRegistry r;
  r.add(boost_description());
  ModelDescription d;
  d.name = "test/counter";
  d.params = {ParamDecl::real("rate", 1.0), ParamDecl::integer("stop", 0).at_least(0),
              ParamDecl::boolean("couple", false)};
  d.site_fields = {ParamDecl::real("start", 0.0)};
  d.indicators = {indicator<Counter>("value", "1", "value", "", [](const Counter& m) { return m.value_; }),
                  indicator<Counter>(
                      "pair", "1", "pair", "",
                      [](const Counter& m, std::span<double> out) {
                        out[0] = m.value_;
                        out[1] = -m.value_;
                      },
                      "side")};
  d.dimensions = {{"side", {"plus", "minus"}, "side"}};
  d.create = [](const ModelInit& init) {
    return std::make_unique<Counter>(init.site.fields.real("start"), init.params.real("rate"),
                                     init.params.integer("stop"));
  };
  d.coupled = [](const ParamSet& p) { return p.boolean("couple"); };
  d.couple = [](std::int64_t, std::span<Model* const> sites, const ParamSet&) {
    double mean = 0;
    for (auto* m : sites) mean += static_cast<Counter*>(m)->value_;
    mean /= static_cast<double>(sites.size());
    for (auto* m : sites) static_cast<Counter*>(m)->value_ = mean;
  };
  r.add(std::move(d));
  return r;
}

ExperimentSpec load_for_runner(const std::string& toml) {
  static const ModelRegistry registry = test_registry();
  TempDir dir;
  dir.write("c.toml", toml);
  LoadOptions o;
  o.check_output_path = false;
  return load_experiment(dir.file("c.toml"), registry, o);
}

// Runs `toml` into a sink; `before` may complete some runs first (resume).
atc::io::MemorySink run(const std::string& toml, std::size_t threads = 2,
                        const std::function<void(atc::io::MemorySink&)>& before = {}) {
  const auto spec = load_for_runner(toml);
  oneapi::tbb::global_control control(oneapi::tbb::global_control::max_allowed_parallelism, threads);
  atc::io::MemorySink sink(atc::io::Layout::of(spec));
  if (before) before(sink);
  execute(spec, sink);
  REQUIRE(sink.finished());
  return sink;
}

const char* kSites = "[[site]]\nid = \"a\"\nstart = 0.0\n[[site]]\nid = \"b\"\nstart = 10.0\n";
}  // namespace

TEST_CASE("steps are recorded at 0, every N and at the end", "[exec]") {
  const auto sink = run("[experiment]\nsteps = 7\n[model]\nname = \"test/counter\"\n[output]\nevery = 3\n");
  CHECK(sink.layout().steps == std::vector<std::int64_t>{0, 3, 6, 7});
  CHECK(sink.series(0, 0, 0, 0) == std::vector<double>{0, 3, 6, 7});
  CHECK(sink.series(1, 0, 0, 0) == std::vector<double>{0, -0.0, 3, -3, 6, -6, 7, -7});
}

TEST_CASE("an absorbed model stops stepping and its last record is repeated", "[exec]") {
  const auto sink = run("[experiment]\nsteps = 6\n[model]\nname = \"test/counter\"\nstop = 2\n");
  CHECK(sink.series(0, 0, 0, 0) == std::vector<double>{0, 1, 2, 2, 2, 2, 2});
}

TEST_CASE("coupled sites exchange after every step, uncoupled sites are independent", "[exec]") {
  const std::string base =
      std::string("[experiment]\nsteps = 3\nreplicates = 2\n[model]\nname = \"test/counter\"\n") + kSites;
  const auto independent = run(base + "");
  CHECK(independent.series(0, 0, 0, 0) == std::vector<double>{0, 1, 2, 3});
  CHECK(independent.series(0, 0, 0, 1) == std::vector<double>{10, 11, 12, 13});
  const auto coupled =
      run(std::string(
              "[experiment]\nsteps = 3\nreplicates = 2\n[model]\nname = \"test/counter\"\ncouple = true\n") +
          kSites);
  CHECK(coupled.series(0, 0, 1, 0) == std::vector<double>{0, 6, 7, 8});
  CHECK(coupled.series(0, 0, 1, 1) == std::vector<double>{10, 6, 7, 8});
}

TEST_CASE("coupled runs are identical for 1 and 2 threads", "[exec][determinism]") {
  const std::string cfg = std::string(
                              "[experiment]\nsteps = 20\nreplicates = 3\n[model]\nname = \"test/counter\"\n"
                              "couple = true\nrate = 0.1\n") +
                          kSites;
  const auto one = run(cfg, 1);
  const auto two = run(cfg, 2);
  for (std::size_t r = 0; r < 3; ++r) {
    for (std::size_t site = 0; site < 2; ++site)
      CHECK(one.series(0, 0, r, site) == two.series(0, 0, r, site));
  }
}

TEST_CASE("absorption between two recorded steps records the absorbed state", "[exec]") {
  // Absorbs after step 2; records at 0, 3, 6: the record at 3 must show the
  // absorbed value (2), not repeat the record at 0.
  const auto sink =
      run("[experiment]\nsteps = 6\n[model]\nname = \"test/counter\"\nstop = 2\n[output]\nevery = 3\n");
  CHECK(sink.series(0, 0, 0, 0) == std::vector<double>{0, 2, 2});
}

namespace {

// Two sites, two replicates; "boost" acts at site a only (at site b it has
// no intervention, like baseline), "fast" has other parameters.
const char* const kBoostSites = "[[site]]\nid = \"a\"\nstart = 0.0\n[[site]]\nid = \"b\"\nstart = 10.0\n";
const char* const kBoostScenarios[] = {
    "[[scenario]]\nname = \"baseline\"\n",
    "[[scenario]]\nname = \"boost\"\n[[scenario.intervention]]\nkind = \"boost\"\namount = 100.0\n"
    "start_step = 2\nsites = [\"a\"]\n",
    "[[scenario]]\nname = \"fast\"\nmodel = { rate = 2.0 }\n[[scenario.intervention]]\nkind = \"boost\"\n"
    "amount = 100.0\nstart_step = 1\n"};

std::string boost_config(bool copies, int first = 0, int last = 2) {
  std::string toml =
      std::string("[experiment]\nsteps = 6\nreplicates = 2\n[model]\nname = \"test/boost\"\n") +
      "copies = " + (copies ? "true" : "false") + "\n" + kBoostSites;
  for (int s = first; s <= last; ++s) toml += kBoostScenarios[s];
  return toml;
}

// Every scenario run as an experiment of its own, as the reference.
std::vector<atc::io::MemorySink> alone(bool copies) {
  std::vector<atc::io::MemorySink> out;
  for (int s = 0; s < 3; ++s) out.push_back(run(boost_config(copies, s, s)));
  return out;
}

void check_against(const atc::io::MemorySink& all, const std::vector<atc::io::MemorySink>& reference) {
  for (std::size_t s = 0; s < 3; ++s) {
    for (std::size_t r = 0; r < 2; ++r) {
      for (std::size_t site = 0; site < 2; ++site) {
        INFO("scenario " << s << " replicate " << r << " site " << site);
        CHECK(all.series(0, s, r, site) == reference[s].series(0, 0, r, site));
      }
    }
  }
}

}  // namespace

TEST_CASE("scenarios with identical parameters build each site once", "[exec][shared]") {
  for (const bool copies : {true, false}) {
    INFO("copies " << copies);
    const auto reference = alone(copies);
    // The reference itself: the warm-up (10 rate), then rate and the boosts per step.
    CHECK(reference[1].series(0, 0, 0, 0) == std::vector<double>{10, 11, 12, 113, 214, 315, 416});
    CHECK(reference[1].series(0, 0, 0, 1) == std::vector<double>{20, 21, 22, 23, 24, 25, 26});
    CHECK(reference[2].series(0, 0, 1, 1) == std::vector<double>{30, 32, 134, 236, 338, 440, 542});
    for (const std::size_t threads : {1, 2}) {
      boost_builds = 0;
      const auto all = run(boost_config(copies), threads);
      check_against(all, reference);
      // Per (replicate, site): baseline and boost share one build, fast has
      // its own; a model that makes no copies is built once per run (the
      // build without interventions serves a run that has none).
      CHECK(boost_builds.load() == (copies ? 2 * 2 * 2 : 2 * 2 * 3));
    }
  }
}

TEST_CASE("resumed runs share the builds of the runs left", "[exec][shared][resume]") {
  const auto reference = alone(true);
  for (const std::size_t done : {0, 1, 2}) {
    INFO("scenario " << done << ", replicate 0 complete before");
    boost_builds = 0;
    const auto all = run(boost_config(true), 2, [&](atc::io::MemorySink& sink) {
      const atc::io::RunId id{done, 0, 0};
      for (std::size_t site = 0; site < 2; ++site)
        sink.write_site(id, site, atc::io::SiteSeries{{reference[done].series(0, 0, 0, site)}});
      sink.complete_run(id);
    });
    check_against(all, reference);
    // Replicate 0 lost one build per site only when fast was complete.
    CHECK(boost_builds.load() == (done == 2 ? 6 : 8));
  }
}
