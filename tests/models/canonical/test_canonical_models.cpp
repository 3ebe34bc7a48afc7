// Properties shared by every canonical model: registered and documented,
// results independent of the number of threads, invalid values exit 2.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "harness.hpp"

using atc::test::atcsim;
using atc::test::identical;
using atc::test::run_all;
using atc::test::TempDir;

namespace {
// Every canonical model in the registry (names "canonical/..."), so that a new
// one is covered by these tests as soon as it is registered.
std::vector<std::string> canonical_models() {
  std::vector<std::string> out;
  for (const auto& name : atc::models::registry().names()) {
    if (name.rfind("canonical/", 0) == 0) out.push_back(name);
  }
  return out;
}

// Small experiments, large enough that synchronous models use several
// parallel blocks (Parallel::kDefaultBlock = 2048 agents).
std::string experiment(const std::string& model, const std::string& params, int steps) {
  return "[experiment]\nsteps = " + std::to_string(steps) +
         "\nreplicates = 3\nseed = 77\n[model]\nname = \"" + model + "\"\n" + params + "\n";
}
}  // namespace

TEST_CASE("canonical: models are registered, cited and document every parameter", "[canonical]") {
  const auto models = canonical_models();
  REQUIRE(models.size() >= 7);  // the seven published models of docs/models/, at least
  for (const auto& name : models) {
    INFO(name);
    const auto* d = atc::models::registry().find(name);
    REQUIRE(d != nullptr);
    CHECK_FALSE(d->citation.empty());
    CHECK_FALSE(d->summary.empty());
    CHECK_FALSE(d->indicators.empty());
    for (const auto& p : d->params) {
      INFO(p.name);
      CHECK_FALSE(p.doc.empty());
    }
    for (const auto& i : d->indicators) {
      INFO(i.name);
      CHECK_FALSE(i.description.empty());
      CHECK_FALSE(i.long_name.empty());
    }
  }
}

TEST_CASE("canonical: models give bit-identical results for any thread count", "[canonical][determinism]") {
  struct Case {
    std::string model;
    std::string params;
    int steps;
  };
  const std::vector<Case> cases{
      {"canonical/granovetter", "n = 5000\nsd = 0.13", 60},
      {"canonical/watts", "n = 5000\nmean_degree = 3.0", 40},
      {"canonical/deffuant", "n = 300\nd = 0.2", 40},
      {"canonical/hk", "n = 5000\nepsilon = 0.1", 30},
      {"canonical/nowak_may", "size = 70\nb = 1.9", 30},
      {"canonical/nowak_may", "size = 30\nb = 1.9\nupdate = \"asynchronous\"", 10},
      {"canonical/axelrod", "size = 10\ntraits = 10", 200},
      {"canonical/schelling", "width = 40\nagents = 1000", 20},
  };
  for (const auto& name : canonical_models()) {
    INFO(name << " needs a case in this test");
    CHECK(std::any_of(cases.begin(), cases.end(), [&](const Case& c) { return c.model == name; }));
  }
  for (const auto& c : cases) {
    const auto text = experiment(c.model, c.params, c.steps);
    INFO(text);
    const auto one = run_all(text, 1);
    const auto two = run_all(text, 2);
    const auto serial_agents = run_all(text, 2, false);
    REQUIRE_FALSE(one.empty());
    CHECK(identical(one, two));
    CHECK(identical(one, serial_agents));
  }
}

TEST_CASE("canonical: replicates differ, the same seed repeats", "[canonical][determinism]") {
  const auto text = experiment("canonical/schelling", "width = 20\nagents = 300", 5);
  CHECK(identical(run_all(text, 2), run_all(text, 2)));
  TempDir dir;
  atc::io::MemorySink sink(atc::io::Layout::of(atc::test::load_text(dir, text)));
  atc::sim::execute(atc::test::load_text(dir, text), sink);
  CHECK(sink.series(0, 0, 0, 0) != sink.series(0, 0, 1, 0));
}

TEST_CASE("canonical: atcsim describe documents the models, invalid values exit 2", "[canonical][cli]") {
  const auto list = atcsim({"describe"});
  CHECK(list.exit_code == 0);
  for (const auto& name : canonical_models()) {
    INFO(name);
    CHECK(list.out.find(name) != std::string::npos);
    const auto r = atcsim({"describe", name});
    CHECK(r.exit_code == 0);
    for (const auto& p : atc::models::registry().get(name).params)
      CHECK(r.out.find(p.name) != std::string::npos);
  }
  TempDir dir;
  struct Bad {
    std::string model;
    std::string set;
    std::string key;
  };
  const std::vector<Bad> bad{{"canonical/granovetter", "model.n=-5", "model.n"},
                             {"canonical/deffuant", "model.d=1.5", "model.d"},
                             {"canonical/deffuant", "model.d=0", "model.d"},
                             {"canonical/hk", "model.epsilon=-1", "model.epsilon"},
                             {"canonical/nowak_may", "model.size=1", "model.size"},
                             {"canonical/axelrod", "model.traits=0", "model.traits"},
                             {"canonical/schelling", "model.radius=1001", "model.radius"},
                             {"canonical/schelling", "model.agents=5000", "model.agents"}};
  for (const auto& b : bad) {
    INFO(b.model << " " << b.set);
    dir.write("c.toml",
              "[model]\nname = \"" + b.model + "\"\n[output]\npath = \"" + dir.file("o.h5") + "\"\n");
    const auto r = atcsim({"validate", dir.file("c.toml"), "--set", b.set});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(b.key) != std::string::npos);
  }
}

TEST_CASE("canonical: every model has a scenario file, and it validates", "[canonical][cli]") {
  TempDir cwd;  // output paths are relative: keep them out of the build tree
  for (const auto& name : canonical_models()) {
    INFO(name);
    // canonical/watts -> scenarios/canonical/watts.toml
    const auto r = atcsim({"validate", atc::test::source_path("scenarios/" + name + ".toml")}, cwd.path());
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
  }
}
