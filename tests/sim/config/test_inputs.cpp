// Bad input gets one clear line naming where it came from (issue 15):
// --set errors name the --set argument, scenario names with dots are
// addressable, included [[scenario]] tables merge, include chains that are
// too deep or circular are reported as such at the include that goes wrong.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "models/registry.hpp"
#include "sim/config/experiment.hpp"
#include "sim/config/includes.hpp"
#include "sim/core/error.hpp"
#include "support/process.hpp"

using atc::ConfigError;
using atc::sim::LoadOptions;
using atc::test::TempDir;

namespace {

const char* kScenarios = R"([experiment]
steps = 5
[model]
name = "canonical/watts"
n = 200
[[scenario]]
name = "z0.5"
model = { mean_degree = 0.5 }
[[scenario]]
name = "z4"
model = { mean_degree = 4.0 }
)";

atc::sim::ExperimentSpec load_with(const std::string& path, std::vector<std::string> overrides = {}) {
  LoadOptions o;
  o.overrides = std::move(overrides);
  o.check_output_path = false;
  return atc::sim::load_experiment(path, atc::models::registry(), o);
}

std::string set_error_of(const std::string& path, std::vector<std::string> overrides = {}) {
  try {
    (void)load_with(path, std::move(overrides));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("set errors name the --set argument, not the config file", "[config][set]") {
  TempDir dir;
  dir.write("c.toml", kScenarios);
  const std::string c = dir.file("c.toml");
  // Before: "c.toml: foo: unknown key" and "c.toml: model.phi: expected ...".
  CHECK_THAT(set_error_of(c, {"foo.bar=1"}), Catch::StartsWith("--set foo.bar=1: foo: unknown key"));
  CHECK(set_error_of(c, {"model.phi=abc"}) ==
        "--set model.phi=abc: model.phi: expected a real number in [0, 1], got \"abc\" (a string)");
  CHECK_THAT(set_error_of(c, {"model.nn=5"}),
             Catch::StartsWith("--set model.nn=5: model.nn: unknown key (did you mean 'n'?)"));
  CHECK_THAT(set_error_of(c, {"scenario.z4.model.phi=x"}),
             Catch::StartsWith("--set scenario.z4.model.phi=x: ") && Catch::Contains("phi: expected a real"));
  CHECK(set_error_of(c, {"model..n=5"}).find("--set model..n=5: malformed key 'model..n'") == 0);
  CHECK_THAT(set_error_of(c, {"scenario.\"z0.5.model.n=5"}), Catch::Contains("unterminated quote"));
  CHECK_THAT(set_error_of(c, {"scenario.\"z0.5\"x.model.n=5"}), Catch::Contains("malformed key"));
  CHECK_THAT(set_error_of(c, {"scenario.z3.model.n=5"}),
             Catch::Contains("no [[scenario]] named 'z3' (did you mean 'z4'?); names: z0.5, z4"));
}

TEST_CASE("scenario names with dots are addressable, quoted or whole", "[config][set]") {
  TempDir dir;
  dir.write("c.toml", kScenarios);
  const std::string c = dir.file("c.toml");
  const auto quoted = load_with(c, {"scenario.\"z0.5\".model.n=300"});
  CHECK(quoted.scenarios[0].params.integer("n") == 300);
  CHECK(quoted.scenarios[1].params.integer("n") == 200);
  CHECK(load_with(c, {"scenario.'z0.5'.model.n=301"}).scenarios[0].params.integer("n") == 301);
  // Unquoted, the longest run of parts that names a scenario is taken.
  CHECK(load_with(c, {"scenario.z0.5.model.n=302"}).scenarios[0].params.integer("n") == 302);
  // The shipped experiment whose scenarios have dots in their names.
  const auto shipped = atc::test::source_path("scenarios/canonical/watts.toml");
  const auto spec = load_with(shipped);
  bool any_dotted = false;
  for (const auto& s : spec.scenarios) any_dotted |= s.name.find('.') != std::string::npos;
  REQUIRE(any_dotted);
}

TEST_CASE("included [[scenario]] tables merge with the including file's, included first",
          "[config][include]") {
  TempDir dir;
  dir.write("base.toml",
            "[model]\nname = \"canonical/watts\"\nn = 100\n[[scenario]]\nname = \"a\"\n[[scenario]]\nname = "
            "\"b\"\n");
  dir.write("c.toml", "include = \"base.toml\"\n[[scenario]]\nname = \"c\"\nmodel = { n = 50 }\n");
  const auto spec = load_with(dir.file("c.toml"));
  REQUIRE(spec.scenarios.size() == 3);
  CHECK(spec.scenarios[0].name == "a");
  CHECK(spec.scenarios[1].name == "b");
  CHECK(spec.scenarios[2].name == "c");
  CHECK(spec.scenarios[2].params.integer("n") == 50);
  // The same name in both: an error naming both places.
  dir.write("d.toml", "include = \"base.toml\"\n\n[[scenario]]\nname = \"b\"\n");
  CHECK(set_error_of(dir.file("d.toml")) == dir.file("d.toml") +
                                                ":3:1: scenario: [[scenario]] 'b' is also defined "
                                                "in an included file, at " +
                                                dir.file("base.toml") + ":6:1");
}

TEST_CASE("an include chain too deep is reported as such, at the include that exceeds it",
          "[config][include]") {
  TempDir dir;
  const std::size_t levels = atc::sim::kMaxIncludeDepth + 1;
  // fmt, not "f" + std::to_string(i): GCC 12 misreports that prepend (-Wrestrict).
  for (std::size_t i = 0; i < levels; ++i) {
    dir.write(fmt::format("f{}.toml", i), fmt::format("include = \"f{}.toml\"\n", i + 1));
  }
  dir.write(fmt::format("f{}.toml", levels), "[model]\nname = \"canonical/watts\"\n");
  CHECK(set_error_of(dir.file("f0.toml")) ==
        dir.file("f8.toml") +
            ":1:11: include: includes nested too deep: 'f9.toml' would be level 9 "
            "of includes; at most 8 levels");
  // One level less is fine.
  CHECK_NOTHROW(load_with(dir.file("f1.toml")));
  // A cycle is named as one, with the chain.
  dir.write("x.toml", "include = \"y.toml\"\n");
  dir.write("y.toml", "\ninclude = [\"x.toml\"]\n");
  CHECK_THAT(set_error_of(dir.file("x.toml")),
             Catch::StartsWith(dir.file("y.toml") + ":2:12: include: file 'x.toml' includes itself: "));
}

TEST_CASE("includes that are not regular files are named as such", "[config][include]") {
  TempDir dir;
  std::filesystem::create_directory(dir.file("folder.toml"));
  dir.write("c.toml", "include = \"folder.toml\"\n");
  CHECK(set_error_of(dir.file("c.toml")) ==
        dir.file("c.toml") + ":1:11: include: file 'folder.toml' is a directory");
  dir.write("d.toml", "include = \"/dev/null\"\n");
  CHECK(set_error_of(dir.file("d.toml")) ==
        dir.file("d.toml") + ":1:11: include: file '/dev/null' is a character device, not a regular file");
  CHECK(set_error_of(dir.file("folder.toml")) == dir.file("folder.toml") + ": config file is a directory");
}
