// The model registry: lookup by name, explained unknown names, and the
// declarations it refuses (duplicates, no factory, defaults outside their range).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/model/registry.hpp"

using namespace atc::sim;

namespace {

class Idle final : public Model {
 public:
  void step(std::int64_t, Parallel) override {}
  [[nodiscard]] std::uint64_t agent_count() const override { return 1; }
};

IndicatorDecl level_indicator(const std::string& name, std::string extra_dimension = "") {
  IndicatorDecl i = indicator<Idle>(name, "1", name, "", [](const Idle&, std::span<double> out) {
    for (double& x : out) x = 0.0;
  });
  i.extra_dimension = std::move(extra_dimension);
  return i;
}

// A well-formed description; each test breaks one thing.
ModelDescription valid(std::string name) {
  ModelDescription d;
  d.name = std::move(name);
  d.params = {ParamDecl::real("rate", 0.5).range(0, 1), ParamDecl::integer("n", 10).at_least(1)};
  d.indicators = {level_indicator("level")};
  d.create = [](const ModelInit&) { return std::make_unique<Idle>(); };
  return d;
}

// Registers valid(name) after `breaking` changes it; returns the message of
// the atc::Error that add() throws, or "" when it accepts the description.
template <typename F>
std::string rejection(ModelRegistry& registry, const std::string& name, F&& breaking) {
  ModelDescription d = valid(name);
  breaking(d);
  try {
    registry.add(std::move(d));
  } catch (const atc::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("registry: models are found by name and listed in name order", "[model][registry]") {
  ModelRegistry r;
  r.add(valid("test/zeta"));
  r.add(valid("test/alpha"));
  CHECK(r.names() == std::vector<std::string>{"test/alpha", "test/zeta"});
  REQUIRE(r.find("test/zeta") != nullptr);
  CHECK(r.find("test/zeta")->name == "test/zeta");
  CHECK(&r.get("test/alpha") == r.find("test/alpha"));
  CHECK(r.find("test/beta") == nullptr);
}

TEST_CASE("registry: an unknown name is a ConfigError naming the nearest and the known models",
          "[model][registry]") {
  ModelRegistry r;
  r.add(valid("test/alpha"));
  r.add(valid("test/zeta"));
  try {
    (void)r.get("test/alpah");
    FAIL("get() accepted an unknown model");
  } catch (const atc::ConfigError& e) {
    CHECK(std::string(e.what()) ==
          "unknown model 'test/alpah' (did you mean 'test/alpha'?); known models: test/alpha, test/zeta");
  }
}

TEST_CASE("registry: a name registered twice is rejected and the first stays", "[model][registry]") {
  ModelRegistry r;
  auto first = valid("test/alpha");
  first.summary = "first";
  r.add(std::move(first));
  CHECK(rejection(r, "test/alpha", [](ModelDescription& d) { d.summary = "second"; }) ==
        "model 'test/alpha' is registered twice");
  CHECK(r.names() == std::vector<std::string>{"test/alpha"});
  CHECK(r.get("test/alpha").summary == "first");
}

TEST_CASE("registry: malformed descriptions are rejected with the reason", "[model][registry]") {
  ModelRegistry r;
  CHECK(rejection(r, "test/a", [](ModelDescription& d) { d.create = nullptr; }) ==
        "model 'test/a' has no factory");
  CHECK(rejection(r, "test/b", [](ModelDescription& d) {
          d.params.push_back(ParamDecl::real("rate", 0.1));
        }) == "model 'test/b' declares parameter 'rate' twice");
  CHECK(rejection(r, "test/c", [](ModelDescription& d) {
          d.indicators.push_back(level_indicator("level"));
        }) == "model 'test/c' declares indicator 'level' twice");
  CHECK(rejection(r, "test/d", [](ModelDescription& d) {
          d.params.push_back(ParamDecl::real("share", 1.5).range(0, 1));
        }) == "model 'test/d': default of 'share' violates its own range");
  CHECK(rejection(r, "test/e", [](ModelDescription& d) {
          d.indicators.push_back(level_indicator("by_theme", "theme"));
        }) == "model 'test/e': indicator 'by_theme' uses undeclared dimension 'theme'");
  CHECK(r.names().empty());  // nothing half-registered

  CHECK(rejection(r, "test/f", [](ModelDescription& d) {
          d.indicators.push_back(level_indicator("by_theme", "theme"));
          d.dimensions = {{"theme", {"youth", "jobs"}, "theme"}};
        }).empty());
  CHECK(r.names() == std::vector<std::string>{"test/f"});
}
