#include <catch2/catch.hpp>

#include "models/registry.hpp"
#include "sim/config/experiment.hpp"
#include "sim/core/error.hpp"
#include "support/process.hpp"

using atc::ConfigError;
using atc::sim::load_experiment;
using atc::sim::LoadOptions;
using atc::test::TempDir;

namespace {
const char* kWatts = R"(
[experiment]
name = "t"
steps = 20
replicates = 3
seed = 9

[model]
name = "canonical/watts"
n = 500
mean_degree = 3.0

[[scenario]]
name = "low"
model = { mean_degree = 1.0 }

[[scenario]]
name = "high"

[output]
path = "OUT"
)";

std::string config(const TempDir& dir, std::string text, const std::string& name = "c.toml") {
  const auto pos = text.find("OUT");
  if (pos != std::string::npos) text.replace(pos, 3, dir.file("out.h5"));
  dir.write(name, text);
  return dir.file(name);
}

auto load_config(const std::string& path, std::vector<std::string> overrides = {}) {
  LoadOptions o;
  o.overrides = std::move(overrides);
  return load_experiment(path, atc::models::registry(), o);
}

std::string error_of(const std::string& path, std::vector<std::string> overrides = {}) {
  try {
    load_config(path, std::move(overrides));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("a config resolves defaults, scenarios and overrides", "[config]") {
  TempDir dir;
  const auto spec = load_config(config(dir, kWatts));
  CHECK(spec.name == "t");
  CHECK(spec.steps == 20);
  CHECK(spec.replicates == 3);
  CHECK(spec.seed == 9);
  CHECK(spec.params.integer("n") == 500);
  CHECK(spec.params.real("phi") == 0.18);  // default
  REQUIRE(spec.scenarios.size() == 2);
  CHECK(spec.scenarios[0].params.real("mean_degree") == 1.0);
  CHECK(spec.scenarios[1].params.real("mean_degree") == 3.0);
  CHECK(spec.sites.size() == 1);
  CHECK(spec.sites[0].id == "all");
  CHECK(spec.output.record == std::vector<std::string>{"active_fraction", "active_count", "new_active"});
  CHECK(spec.recorded_steps().size() == 21);
  // The resolved config writes every default out.
  CHECK(spec.resolved_toml.find("phi = 0.18") != std::string::npos);
}

TEST_CASE("overrides given with --set are validated like the file", "[config]") {
  TempDir dir;
  const auto path = config(dir, kWatts);
  const auto spec =
      load_config(path, {"model.phi=0.25", "experiment.replicates=5", "scenario.high.model.n=800"});
  CHECK(spec.params.real("phi") == 0.25);
  CHECK(spec.replicates == 5);
  CHECK(spec.scenarios[1].params.integer("n") == 800);
  CHECK(spec.scenarios[0].params.integer("n") == 500);
  CHECK_THAT(
      error_of(path, {"model.phi=2"}),
      Catch::Contains("--set model.phi=2: model.phi: expected a real number in [0, 1], got 2 (an integer)"));
  CHECK_THAT(error_of(path, {"model.phii=0.2"}), Catch::Contains("unknown key (did you mean 'phi'?)"));
  CHECK_THAT(error_of(path, {"model.phi"}), Catch::Contains("expected key.path=value"));
  CHECK_THAT(error_of(path, {"scenario.nope.model.n=3"}), Catch::Contains("no [[scenario]] named 'nope'"));
}

TEST_CASE("config errors name file, line, column, key, expectation and value", "[config]") {
  TempDir dir;
  std::string text = kWatts;
  SECTION("out of range") {
    text.replace(text.find("n = 500"), 7, "n = -5");
    CHECK_THAT(error_of(config(dir, text)),
               Catch::Contains("c.toml:10:5: model.n: expected an integer in [2, 2000000000], got -5"));
  }
  SECTION("wrong type") {
    text.replace(text.find("mean_degree = 3.0"), 17, "mean_degree = \"three\"");
    CHECK_THAT(error_of(config(dir, text)),
               Catch::Contains(
                   "c.toml:11:15: model.mean_degree: expected a real number >= 0, got \"three\" (a string)"));
  }
  SECTION("unknown key with suggestion") {
    text.replace(text.find("seed = 9"), 8, "sed = 9");
    CHECK_THAT(error_of(config(dir, text)),
               Catch::Contains("c.toml:6:1: experiment.sed: unknown key (did you mean 'seed'?)"));
  }
  SECTION("unknown model") {
    text.replace(text.find("canonical/watts"), 15, "canonical/wats");
    CHECK_THAT(
        error_of(config(dir, text)),
        Catch::Contains("model.name: unknown model 'canonical/wats' (did you mean 'canonical/watts'?)"));
  }
  SECTION("syntax error") {
    text.replace(text.find("seed = 9"), 8, "seed = ");
    CHECK_THAT(error_of(config(dir, text)), Catch::Contains("c.toml:6:") && Catch::Contains("syntax error"));
  }
  SECTION("missing model table") {
    CHECK_THAT(error_of(config(dir, "[experiment]\nsteps = 3\n")),
               Catch::Contains("missing required table [model]"));
  }
  SECTION("cross-parameter check") {
    text.replace(text.find("n = 500"), 7, "n = 5\ninitial_active = 9");
    CHECK_THAT(error_of(config(dir, text)),
               Catch::Contains("model.initial_active: expected at most n = 5 seed nodes"));
  }
  SECTION("duplicate scenario") {
    text.replace(text.find("name = \"high\""), 13, "name = \"low\"");
    CHECK_THAT(error_of(config(dir, text)),
               Catch::Contains("scenario[1].name: scenario 'low' is defined twice"));
  }
  SECTION("unknown indicator") {
    text += "record = [\"active_fractoin\"]\n";
    CHECK_THAT(error_of(config(dir, text)),
               Catch::Contains("unknown indicator 'active_fractoin' (did you mean 'active_fraction'?)"));
  }
  SECTION("missing file") {
    CHECK_THAT(error_of(dir.file("nope.toml")), Catch::Contains("nope.toml: config file not found"));
  }
}

TEST_CASE("includes merge files, the including file wins, a missing include is an error", "[config]") {
  TempDir dir;
  dir.write("base.toml", "[experiment]\nsteps = 7\nseed = 3\n[model]\nname = \"canonical/watts\"\nn = 100\n");
  const auto path =
      config(dir, "include = \"base.toml\"\n[experiment]\nseed = 4\n[output]\npath = \"OUT\"\n");
  const auto spec = load_config(path);
  CHECK(spec.steps == 7);
  CHECK(spec.seed == 4);
  CHECK(spec.params.integer("n") == 100);
  const auto bad = config(dir, "include = [\"missing.toml\"]\n", "bad.toml");
  CHECK_THAT(error_of(bad), Catch::Contains("bad.toml:1:12: include: file 'missing.toml' not found"));
  // Locations inside an included file point into that file.
  dir.write("base2.toml", "[model]\nname = \"canonical/watts\"\nn = -1\n");
  const auto inc = config(dir, "include = \"base2.toml\"\n", "inc.toml");
  CHECK_THAT(error_of(inc), Catch::Contains("base2.toml:3:5: model.n"));
}

TEST_CASE("a config's text loads as its file does: same spec, same located errors, same includes",
          "[config]") {
  TempDir dir;
  dir.write("base.toml", "[experiment]\nsteps = 7\nseed = 3\n[model]\nname = \"canonical/watts\"\nn = 100\n");
  const std::string text =
      "include = \"base.toml\"\n[experiment]\nseed = 4\n[output]\npath = \"" + dir.file("out.h5") + "\"\n";
  const auto path = config(dir, text);
  const auto from_file = load_config(path);
  const auto from_text = atc::sim::load_experiment_text(text, path, atc::models::registry());
  CHECK(from_text.resolved_toml == from_file.resolved_toml);
  CHECK(from_text.config_path == path);
  // The text need not be in a file: includes are looked up beside `path`.
  const auto elsewhere =
      atc::sim::load_experiment_text(text, dir.file("absent.toml"), atc::models::registry());
  CHECK(elsewhere.seed == 4);
  CHECK(elsewhere.steps == 7);
  const std::string bad = "include = \"base.toml\"\n[model]\nn = -1\n";
  const auto bad_path = config(dir, bad, "bad.toml");
  std::string from_text_error = "no error";
  try {
    (void)atc::sim::load_experiment_text(bad, bad_path, atc::models::registry());
  } catch (const ConfigError& e) {
    from_text_error = e.what();
  }
  CHECK_THAT(from_text_error, Catch::Contains("bad.toml:3:5: model.n"));
  CHECK(from_text_error == error_of(bad_path));
}

TEST_CASE("end_date sets the number of steps", "[config]") {
  TempDir dir;
  std::string text = kWatts;
  text.replace(text.find("steps = 20"), 10, "start_date = 2019-09-02\nend_date = 2019-09-30\nstep_days = 7");
  const auto spec = load_config(config(dir, text));
  CHECK(spec.steps == 4);
  CHECK(spec.step_days == 7);
}

TEST_CASE("an intervention that could never be active is an error naming its scenario", "[config]") {
  TempDir dir;
  const std::string head =
      "[experiment]\nstart_date = 2019-09-02\nend_date = 2020-09-01\n[model]\nname = \"territorial\"\n"
      "[[scenario]]\nname = \"base\"\n[[scenario]]\nname = \"atc_covid\"\n[[scenario.intervention]]\n"
      "kind = \"animator\"\n";
  const std::string tail = "[output]\npath = \"OUT\"\n";
  // Starts after the experiment ends (2025 typed for 2020): never active.
  CHECK_THAT(error_of(config(dir, head + "start_date = 2025-01-04\n" + tail)),
             Catch::Contains("c.toml:12:14: scenario \"atc_covid\".intervention \"animator\".start_date: "
                             "'animator' would start on 2024-12-30 (step 278), at or after the end of the "
                             "experiment (2020-09-07, step 53): it would never be active"));
  // Ends before it starts.
  CHECK_THAT(error_of(config(dir, head + "start_week = 10\nend_date = 2019-10-01\n" + tail)),
             Catch::Contains("c.toml:13:12: scenario \"atc_covid\".intervention \"animator\".end_date: "
                             "'animator' must end after it starts: it would end on 2019-09-30 (step 4) and "
                             "start on 2019-11-11 (step 10)"));
  // A kind scheduled twice is told apart by its rank among that kind.
  CHECK_THAT(error_of(config(
                 dir, head + "[[scenario.intervention]]\nkind = \"animator\"\nstart_step = 999\n" + tail)),
             Catch::Contains("scenario \"atc_covid\".intervention \"animator\"[1].start_step"));
  // Parameters of a scenario are named by the scenario too.
  CHECK_THAT(error_of(config(dir, head + "sites = [\"exampel\"]\n" + tail)),
             Catch::Contains("scenario \"atc_covid\".intervention \"animator\".sites: unknown site 'exampel' "
                             "(did you mean 'example'?)"));
  // An empty list is neither "no site" nor "every site": refused.
  CHECK_THAT(error_of(config(dir, head + "sites = []\n" + tail)),
             Catch::Contains("c.toml:12:9: scenario \"atc_covid\".intervention \"animator\".sites: expected "
                             "at least one site id (leave 'sites' out for every site"));
  CHECK(
      load_config(config(dir, head + "start_date = 2020-08-31\n" + tail)).scenarios[1].interventions.size() ==
      1);
}

TEST_CASE("a --set of a model value every scenario overrides is an error", "[config]") {
  TempDir dir;
  std::string text = kWatts;
  text.replace(text.find("name = \"high\""), 13, "name = \"high\"\nmodel = { mean_degree = 4.0 }");
  const auto path = config(dir, text);
  CHECK_THAT(error_of(path, {"model.mean_degree=2.0"}),
             Catch::Contains("--set model.mean_degree=2.0: model.mean_degree: every [[scenario]] sets "
                             "model.mean_degree itself (low, high), so this would change nothing; set it per "
                             "scenario instead, e.g. --set scenario.low.model.mean_degree=2.0"));
  // A value only some scenarios set still applies to the others.
  CHECK(load_config(path, {"model.phi=0.2"}).scenarios[1].params.real("phi") == 0.2);
  CHECK(load_config(config(dir, kWatts), {"model.mean_degree=2.0"}).scenarios[1].params.real("mean_degree") ==
        2.0);
}

TEST_CASE("contrasts name two existing scenarios and the question they answer", "[config]") {
  TempDir dir;
  const std::string watts = kWatts;
  const std::string head = watts.substr(0, watts.find("[output]")) + "[[contrast]]\nname = \"degree\"\n";
  const auto with = [&](const std::string& body) {
    return config(dir, head + body + "[output]\npath = \"OUT\"\n");
  };
  const auto spec =
      load_config(with("treatment = \"high\"\nbaseline = \"low\"\nquestion = \"Does degree matter?\"\n"
                       "question_fr = \"Le degré compte-t-il ?\"\n"));
  REQUIRE(spec.contrasts.size() == 1);
  CHECK(spec.contrasts[0].name == "degree");
  CHECK(spec.contrasts[0].treatment == "high");
  CHECK(spec.contrasts[0].baseline == "low");
  CHECK(spec.contrasts[0].question_fr == "Le degré compte-t-il ?");
  CHECK_THAT(spec.resolved_toml, Catch::Contains("[[contrast]]") && Catch::Contains("treatment = \"high\""));
  CHECK(load_config(with("treatment = \"high\"\nbaseline = \"low\"\nquestion = \"q\"\n"))
            .contrasts[0]
            .question_fr.empty());
  CHECK_THAT(
      error_of(with("treatment = \"hihg\"\nbaseline = \"low\"\nquestion = \"q\"\n")),
      Catch::Contains("c.toml:22:13: contrast \"degree\".treatment: unknown scenario 'hihg' (did you mean "
                      "'high'?); scenarios: low, high"));
  CHECK_THAT(error_of(with("treatment = \"high\"\nbaseline = \"low\"\n")),
             Catch::Contains("contrast \"degree\".question: missing required key"));
  CHECK_THAT(error_of(with("treatment = \"high\"\nbaseline = \"high\"\nquestion = \"q\"\n")),
             Catch::Contains("contrast \"degree\".baseline: expected a scenario other than the treatment"));
  CHECK(load_config(config(dir, kWatts)).contrasts.empty());
  // `at`: the date a contrast is measured at by default, within the run.
  const std::string both = "treatment = \"high\"\nbaseline = \"low\"\nquestion = \"q\"\n";
  CHECK(spec.contrasts[0].at.empty());
  const auto dated = load_config(with(both + "at = 2019-09-05\n"));
  CHECK(dated.contrasts[0].at == "2019-09-05");
  CHECK_THAT(dated.resolved_toml, Catch::Contains("at = 2019-09-05"));
  const auto late = load_config(with(both + "at = 2030-01-01\n"));  // a shortened run keeps its contrasts
  REQUIRE(late.warnings.size() == 1);
  CHECK_THAT(late.warnings[0],
             Catch::Contains("contrast \"degree\".at = 2030-01-01 is after the end of the run"));
  CHECK(dated.warnings.empty());
  CHECK_THAT(error_of(with(both + "at = 2019-08-01\n")), Catch::Contains("contrast \"degree\".at: expected"));
  CHECK_THAT(error_of(with(both + "at = \"end\"\n")),
             Catch::Contains("contrast \"degree\".at: expected a date"));
}
