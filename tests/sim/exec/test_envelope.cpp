// The plausibility envelope: each basis of a plausible range computed from a
// site's series, and the findings of a run whose outputs leave their ranges.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/config/experiment.hpp"
#include "sim/exec/envelope.hpp"
#include "sim/exec/runner.hpp"
#include "sim/io/sink.hpp"
#include "support/process.hpp"

using namespace atc::sim;
using atc::test::TempDir;
using Basis = PlausibleRange::Basis;

TEST_CASE("envelope: the statistic of each basis", "[exec][envelope]") {
  // Recorded at steps 0, 52, 104 (weeks), two labels per time.
  const std::vector<std::int64_t> steps{0, 52, 104};
  const std::vector<double> series{1, 10, 2, 0, 4, 30};  // (time, label)
  PlausibleRange r;
  r.basis = Basis::Value;
  CHECK(envelope_statistic(r, series, 2, steps, 7, 2000) == Approx(3.0));  // mean of times 1-2, label 0
  r.label = 1;
  CHECK(envelope_statistic(r, series, 2, steps, 7, 2000) == Approx(15.0));
  r.basis = Basis::PerEvent;  // zeros (no event) left out
  CHECK(envelope_statistic(r, series, 2, steps, 7, 2000) == Approx(30.0));
  r.basis = Basis::Per1000;
  CHECK(envelope_statistic(r, series, 2, steps, 7, 2000) == Approx(7.5));
  r.basis = Basis::Per1000PerYear;  // cumulative: (30 - 10) over 104 weeks, per 1,000 of 2,000
  CHECK(envelope_statistic(r, series, 2, steps, 7, 2000) == Approx(20.0 / (104 * 7 / 365.25) / 2.0));
  CHECK(std::isnan(envelope_statistic(r, series, 2, steps, 7, std::nan(""))));
}

namespace {

class Level final : public Model {
 public:
  explicit Level(double value) : value_(value) {}
  void step(std::int64_t, Parallel) override {}
  [[nodiscard]] std::uint64_t agent_count() const override { return 1; }
  double value_;
};

const ModelRegistry& level_registry() {
  static const ModelRegistry r = [] {
    ModelDescription d;
    d.name = "test/level";
    d.params = {ParamDecl::real("value", 0.5)};
    d.site_fields = {ParamDecl::real("residents", 1000).at_least(1)};
    d.site_schema.population_field = "residents";
    auto level = indicator<Level>("level", "1", "level", "", [](const Level& m) { return m.value_; });
    level.plausible.push_back({"level_share", Basis::Value, 0.1, 0.9, 0, 1e300, -1, "[read]", "(share)"});
    level.plausible.push_back(
        {"level_small_sites", Basis::Value, 0.0, 0.2, 0, 1500, -1, "assumption", "(share)"});
    d.indicators = {level};
    d.create = [](const ModelInit& init) { return std::make_unique<Level>(init.params.real("value")); };
    ModelRegistry reg;
    reg.add(std::move(d));
    return reg;
  }();
  return r;
}

}  // namespace

TEST_CASE("envelope: outputs outside their range are found, named by indicator, site and scenario",
          "[exec][envelope]") {
  TempDir dir;
  dir.write("c.toml", R"([experiment]
steps = 3
replicates = 2
[model]
name = "test/level"
[[site]]
id = "small"
residents = 1000.0
[[site]]
id = "large"
residents = 5000.0
[[scenario]]
name = "plausible"
[[scenario]]
name = "too_high"
model = { value = 0.95 }
[output]
path = "out.h5"
)");
  LoadOptions options;
  options.check_output_path = false;
  const auto spec = load_experiment(dir.file("c.toml"), level_registry(), options);
  const auto layout = atc::io::Layout::of(spec);
  atc::io::MemorySink memory(layout);
  EnvelopeCheck check(spec, layout, memory);
  execute(spec, check);
  REQUIRE(memory.finished());
  const auto found = check.findings();
  // value 0.5: outside only the small-site range at the small site; 0.95:
  // outside the share range at both sites and the small-site range at the small one.
  REQUIRE(found.size() == 4);
  CHECK(found[0].scenario == "plausible");
  CHECK(found[0].site == "small");
  CHECK(found[0].range.table == "level_small_sites");
  CHECK(found[0].replicates == 2);
  CHECK(found[0].value == Approx(0.5));
  CHECK_THAT(found[0].message(),
             Catch::Contains("level at site 'small' (scenario 'plausible')") && Catch::Contains("[0, 0.2]"));
  for (std::size_t k = 1; k < 4; ++k) CHECK(found[k].scenario == "too_high");
  CHECK(check.checked() == std::size_t{2} * 3);  // (scenario, site, range) statistics that apply
}
