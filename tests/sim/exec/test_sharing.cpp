// Which runs share a built site (sim/exec/sharing.hpp): the one rule the
// runner, the memory estimate and bench_national follow.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "sim/config/experiment.hpp"
#include "sim/exec/sharing.hpp"
#include "support/process.hpp"

using namespace atc::sim;
using atc::test::TempDir;

namespace {

class Still final : public Model {
 public:
  void step(std::int64_t /*step*/, Parallel /*parallel*/) override {}
  [[nodiscard]] std::uint64_t agent_count() const override { return 1; }
};

// A model that couples its sites when its parameter `couple` is true, with
// an intervention ("boost"); the other models drop one of those.
ModelDescription description(const std::string& name) {
  ModelDescription d;
  d.name = name;
  d.params = {ParamDecl::real("rate", 1.0), ParamDecl::boolean("couple", false)};
  d.interventions = {{"boost", "does nothing", {}}};
  d.indicators = {indicator<Still>("agents", "1", "agents", "",
                                   [](const Still& m) { return static_cast<double>(m.agent_count()); })};
  d.create = [](const ModelInit& /*init*/) { return std::make_unique<Still>(); };
  d.couple = [](std::int64_t /*step*/, std::span<Model* const> /*sites*/, const ParamSet& /*params*/) {};
  d.coupled = [](const ParamSet& p) { return p.boolean("couple"); };
  return d;
}

ModelRegistry sharing_registry() {
  ModelRegistry r;
  r.add(description("test/share"));
  ModelDescription always = description("test/always_coupled");
  always.coupled = nullptr;  // couple set, no predicate: every run is coupled
  r.add(std::move(always));
  ModelDescription apart = description("test/uncoupled");
  apart.couple = nullptr;
  apart.coupled = nullptr;
  r.add(std::move(apart));
  ModelDescription plain = description("test/no_interventions");
  plain.interventions.clear();
  r.add(std::move(plain));
  return r;
}

const char* const kTwoSites = "[[site]]\nid = \"a\"\n[[site]]\nid = \"b\"\n";

// An experiment of `model` with `sites` and one scenario per entry of
// `scenarios` (its [[scenario]] body, after the name).
ExperimentSpec load_for_sharing(const std::string& model, const std::string& sites,
                                const std::vector<std::string>& scenarios) {
  static const ModelRegistry registry = sharing_registry();
  std::string toml = "[experiment]\nsteps = 3\nreplicates = 2\n[model]\nname = \"" + model + "\"\n" + sites;
  for (std::size_t s = 0; s < scenarios.size(); ++s)
    toml += "[[scenario]]\nname = \"s" + std::to_string(s) + "\"\n" + scenarios[s];
  TempDir dir;
  dir.write("s.toml", toml);
  LoadOptions o;
  o.check_output_path = false;
  return load_experiment(dir.file("s.toml"), registry, o);
}

const std::string kBoost = "[[scenario.intervention]]\nkind = \"boost\"\n";
const std::string kFast = "model = { rate = 2.0 }\n";
const std::string kCoupled = "model = { couple = true }\n";

using Classes = std::vector<std::size_t>;

}  // namespace

TEST_CASE("scenarios with identical parameters share the first one's build", "[exec][shared][sharing]") {
  // s0 and s2 differ only in an intervention, s3 in none; s1 and s4 have
  // their own rate.
  const auto spec = load_for_sharing("test/share", kTwoSites, {"", kFast, kBoost, "", kFast + kBoost});
  CHECK(share_classes(spec, 0) == Classes{0, 1, 0, 0, 1});
  for (std::size_t replicate = 0; replicate < 2; ++replicate)
    CHECK(share_classes(spec, 0, replicate) == Classes{0, 1, 0, 0, 1});
}

TEST_CASE("scenarios with different parameters build their own sites", "[exec][shared][sharing]") {
  const auto spec = load_for_sharing("test/share", kTwoSites,
                                     {kBoost, kFast + kBoost, "model = { rate = 3.0 }\n" + kBoost});
  CHECK(share_classes(spec, 0) == Classes{0, 1, 2});
  CHECK(share_classes(spec, 0, 1) == Classes{0, 1, 2});
}

TEST_CASE("coupled scenarios share no build", "[exec][shared][sharing]") {
  // s0, s1 and s3 are identical and coupled; s2 and s4 identical and not.
  const auto spec =
      load_for_sharing("test/share", kTwoSites, {kCoupled, kCoupled + kBoost, "", kCoupled, kBoost});
  CHECK(is_coupled(spec, spec.scenarios[0].params));
  CHECK_FALSE(is_coupled(spec, spec.scenarios[2].params));
  CHECK(share_classes(spec, 0) == Classes{0, 1, 2, 3, 2});
  CHECK(share_classes(spec, 0, 0) == Classes{0, 1, 2, 3, 2});
}

TEST_CASE("a model that couples without a predicate couples every run", "[exec][shared][sharing]") {
  const auto spec = load_for_sharing("test/always_coupled", kTwoSites, {"", kBoost});
  CHECK(is_coupled(spec, spec.scenarios[0].params));
  CHECK(share_classes(spec, 0) == Classes{0, 1});
}

TEST_CASE("a model that does not couple shares builds whatever its parameters", "[exec][shared][sharing]") {
  const auto spec = load_for_sharing("test/uncoupled", kTwoSites, {kCoupled, kCoupled + kBoost});
  CHECK_FALSE(is_coupled(spec, spec.scenarios[0].params));
  CHECK(share_classes(spec, 0) == Classes{0, 0});
}

TEST_CASE("a one-site experiment of a coupling model is not coupled", "[exec][shared][sharing]") {
  // One site has no other to exchange with: its runs are uncoupled tasks,
  // and share builds like any.
  const auto spec = load_for_sharing("test/share", "[[site]]\nid = \"a\"\n", {kCoupled, kCoupled + kBoost});
  CHECK_FALSE(is_coupled(spec, spec.scenarios[0].params));
  CHECK(share_classes(spec, 0) == Classes{0, 0});
  CHECK(share_classes(spec, 0, 1) == Classes{0, 0});
}

TEST_CASE("a model without interventions shares no build", "[exec][shared][sharing]") {
  // Its scenarios cannot differ by interventions alone: identical ones are
  // the same runs, each built on its own as before sharing existed.
  const auto spec = load_for_sharing("test/no_interventions", kTwoSites, {"", "", kFast});
  CHECK(share_classes(spec, 0) == Classes{0, 1, 2});
}
