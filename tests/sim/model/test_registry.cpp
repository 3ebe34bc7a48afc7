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
  void observe(Observation& out) const override { out.set("level", 0.0); }
  [[nodiscard]] std::uint64_t agent_count() const override { return 1; }
};

IndicatorDecl indicator(std::string name, std::string extra_dimension = "") {
  IndicatorDecl i;
  i.name = std::move(name);
  i.long_name = i.name;
  i.extra_dimension = std::move(extra_dimension);
  return i;
}

// A well-formed description; each test breaks one thing.
ModelDescription valid(std::string name) {
  ModelDescription d;
  d.name = std::move(name);
  d.params = {ParamDecl::real("rate", 0.5).range(0, 1), ParamDecl::integer("n", 10).at_least(1)};
  d.indicators = {indicator("level")};
  d.create = [](const ModelInit&) { return std::make_unique<Idle>(); };
  return d;
}

// The message of the atc::Error that `add` throws, or "" when it accepts.
std::string rejection(ModelRegistry& registry, ModelDescription d) {
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
  auto second = valid("test/alpha");
  second.summary = "second";
  CHECK(rejection(r, std::move(second)) == "model 'test/alpha' is registered twice");
  CHECK(r.names() == std::vector<std::string>{"test/alpha"});
  CHECK(r.get("test/alpha").summary == "first");
}

TEST_CASE("registry: malformed descriptions are rejected with the reason", "[model][registry]") {
  ModelRegistry r;
  auto no_factory = valid("test/a");
  no_factory.create = nullptr;
  CHECK(rejection(r, std::move(no_factory)) == "model 'test/a' has no factory");

  auto duplicate_param = valid("test/b");
  duplicate_param.params.push_back(ParamDecl::real("rate", 0.1));
  CHECK(rejection(r, std::move(duplicate_param)) == "model 'test/b' declares parameter 'rate' twice");

  auto duplicate_indicator = valid("test/c");
  duplicate_indicator.indicators.push_back(indicator("level"));
  CHECK(rejection(r, std::move(duplicate_indicator)) == "model 'test/c' declares indicator 'level' twice");

  auto bad_default = valid("test/d");
  bad_default.params.push_back(ParamDecl::real("share", 1.5).range(0, 1));
  CHECK(rejection(r, std::move(bad_default)) == "model 'test/d': default of 'share' violates its own range");

  auto undeclared_dimension = valid("test/e");
  undeclared_dimension.indicators.push_back(indicator("by_theme", "theme"));
  CHECK(rejection(r, std::move(undeclared_dimension)) ==
        "model 'test/e': indicator 'by_theme' uses undeclared dimension 'theme'");

  CHECK(r.names().empty());  // nothing half-registered

  auto declared_dimension = valid("test/f");
  declared_dimension.indicators.push_back(indicator("by_theme", "theme"));
  declared_dimension.dimensions = {{"theme", {"youth", "jobs"}, "theme"}};
  CHECK(rejection(r, std::move(declared_dimension)).empty());
  CHECK(r.names() == std::vector<std::string>{"test/f"});
}
