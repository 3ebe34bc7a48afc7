// Every registered model (asked of the registry, not a hand-kept list) runs
// through the engine with its defaults and writes every declared indicator,
// finite, at every recorded time.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "models/registry.hpp"
#include "sim/config/experiment.hpp"
#include "sim/exec/runner.hpp"
#include "sim/io/sink.hpp"
#include "support/process.hpp"

using namespace atc;

TEST_CASE("every registered model writes every declared indicator, finite, at every recorded time",
          "[models]") {
  const auto names = models::registry().names();
  REQUIRE(names.size() >= 10);
  for (const auto& name : names) {
    INFO("model " << name);
    const auto& desc = models::registry().get(name);
    test::TempDir dir;
    // Few steps, few agents where a size is declared: this checks the
    // indicators, not the dynamics.
    std::string model_table = "name = \"" + name + "\"\n";
    if (name == "territorial") model_table += "population_scale = 0.1\nburn_in_weeks = 4\n";
    dir.write("config.toml", "[experiment]\nreplicates = 2\nsteps = 5\nseed = 3\n[model]\n" + model_table +
                                 "[output]\npath = \"" + dir.file("out.h5") + "\"\n");
    sim::LoadOptions options;
    options.check_output_path = false;
    const auto spec = sim::load_experiment(dir.file("config.toml"), models::registry(), options);
    REQUIRE(spec.output.record.size() == desc.indicators.size());
    io::MemorySink sink(io::Layout::of(spec));
    sim::execute(spec, sink);
    const auto& layout = sink.layout();
    for (std::size_t k = 0; k < layout.indicators.size(); ++k) {
      for (std::size_t r = 0; r < layout.replicates; ++r) {
        for (std::size_t s = 0; s < layout.sites; ++s) {
          const auto& series = sink.series(k, 0, r, s);
          REQUIRE(series.size() == layout.steps.size() * layout.extent[k]);
          for (double v : series) {
            INFO("indicator " << layout.indicators[k]->name);
            REQUIRE(std::isfinite(v));
          }
        }
      }
    }
  }
}
