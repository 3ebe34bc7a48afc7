// The three networks' methods (presets of intervention parameters): their
// values, how a site picks its network's, what an explicit value or another
// preset does, that the model uses them, that the resolved config re-runs to
// the same presets, and that docs/networks.md shows the values in the code.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sim/config/experiment.hpp"
#include "tests/models/territorial/harness.hpp"

using namespace atc::test::territorial;
namespace terr = atc::models::territorial;
using atc::sim::ParamValue;

namespace {

const std::vector<std::string> kKinds{"animator", "shared_governance"};

ParamValue value_at(const std::string& kind, const std::string& network, const Values& set,
                    const std::string& name) {
  const auto iv = intervention(kind, 0, INT64_MAX, set);
  const auto p = terr::apply_preset(iv, network);
  return p.value(p.index_of(name));
}

// The table of one intervention's presets as docs/networks.md shows it.
std::string preset_table(const std::string& kind) {
  const auto& decls = description().find_intervention(kind)->params;
  std::string out = "| parameter | fallback (`none`) | FCSF | CNLRQ | BBZ |\n|---|---|---|---|---|\n";
  for (const auto& d : decls) {
    if (!d.model_default) continue;
    out += "| `" + d.name + "` | " + atc::sim::format_value(d.default_value);
    for (const char* network : terr::network_names()) {
      std::string cell = atc::sim::format_value(d.default_value);
      for (const auto& [name, v] : terr::preset_values(network, kind)) {
        if (name == d.name) cell = "**" + atc::sim::format_value(v) + "**";
      }
      out += " | " + cell;
    }
    out += " |\n";
  }
  return out;
}

}  // namespace

TEST_CASE(
    "network presets: every value is a declared, in-range parameter the resolved config leaves to the model",
    "[territorial][networks]") {
  for (const char* network : terr::network_names()) {
    for (const auto& kind : kKinds) {
      const auto& values = terr::preset_values(network, kind);
      CHECK_FALSE(values.empty());
      const auto* decl = description().find_intervention(kind);
      REQUIRE(decl != nullptr);
      for (const auto& entry : values) {
        // Not a structured binding: clang 14 cannot capture one in the lambda below.
        const auto& name = entry.first;
        const auto& value = entry.second;
        INFO(network << " " << kind << "." << name);
        const auto it = std::find_if(decl->params.begin(), decl->params.end(),
                                     [&](const atc::sim::ParamDecl& d) { return d.name == name; });
        REQUIRE(it != decl->params.end());
        CHECK(it->check(value).empty());
        CHECK(it->model_default);
        CHECK(value.index() == it->default_value.index());
      }
    }
  }
  CHECK(terr::preset_values("FCSF", "lockdown").empty());
  CHECK(terr::preset_values("unknown", "animator").empty());
}

TEST_CASE("network presets: a site uses its network's method unless the config says otherwise",
          "[territorial][networks]") {
  // The site's network by default.
  CHECK(std::get<double>(value_at("animator", "FCSF", {}, "contacts_per_week")) == 45.0);
  CHECK(std::get<double>(value_at("animator", "CNLRQ", {}, "contacts_per_week")) == 50.0);
  CHECK(std::get<double>(value_at("animator", "BBZ", {}, "contacts_per_week")) == 30.0);
  CHECK(std::get<std::string>(value_at("animator", "CNLRQ", {}, "host")) == "regie_de_quartier");
  CHECK(std::get<std::string>(value_at("animator", "CNLRQ", {}, "theme_emphasis")) ==
        "housing_living_environment");
  CHECK(std::get<double>(value_at("shared_governance", "CNLRQ", {}, "resident_voice")) == 0.4);
  // No network, an unknown one, or preset = "none": the declared fallbacks.
  CHECK(std::get<double>(value_at("animator", "", {}, "contacts_per_week")) == 40.0);
  CHECK(std::get<double>(value_at("animator", "other", {}, "facilitation_quality")) == 0.6);
  CHECK(std::get<double>(
            value_at("animator", "CNLRQ", {{"preset", std::string("none")}}, "contacts_per_week")) == 40.0);
  CHECK(std::get<std::string>(value_at("animator", "CNLRQ", {{"preset", std::string("none")}}, "host")) ==
        "network");
  // Another network's method, by name.
  CHECK(std::get<double>(
            value_at("animator", "FCSF", {{"preset", std::string("BBZ")}}, "contacts_per_week")) == 30.0);
  CHECK(std::get<std::int64_t>(
            value_at("shared_governance", "FCSF", {{"preset", std::string("BBZ")}}, "period_weeks")) == 3);
  // An explicit value wins over the preset; the other values still come from it.
  const Values explicit_contacts{{"contacts_per_week", 20.0}};
  CHECK(std::get<double>(value_at("animator", "CNLRQ", explicit_contacts, "contacts_per_week")) == 20.0);
  CHECK(std::get<double>(value_at("animator", "CNLRQ", explicit_contacts, "facilitation_quality")) == 0.5);
  // Parameters outside the presets keep their declared default.
  CHECK(std::get<double>(value_at("animator", "BBZ", {}, "salary_cost_eur")) == 45000.0);
  CHECK(terr::preset_of(intervention("lockdown", 0), "FCSF").empty());
}

TEST_CASE("network presets reach the model: the animator's forums have the network's facilitation",
          "[territorial][networks]") {
  // No practice that would add to the facilitation (phase 9).
  const Values params{{"burn_in_weeks", std::int64_t{2}},
                      {"practice_initial_share", std::vector<double>{0, 0}}};
  const Values fields{{"population", 1000.0}};
  auto facilitation_after = [&](const std::string& network, const Values& animator) {
    Values v = animator;
    v.emplace_back("turnover_per_year", 0.0);
    v.emplace_back("ramp_up_weeks", std::int64_t{0});
    Site site(params, fields, {intervention("animator", 0, INT64_MAX, v)}, 1, 0, true, network);
    site.step();  // the animator's first week: it runs a forum whatever its period
    Capture c(site.model());
    return c.values.at("facilitation_quality").at(0);
  };
  CHECK(facilitation_after("FCSF", {}) == Approx(0.7));
  CHECK(facilitation_after("CNLRQ", {}) == Approx(0.5));
  CHECK(facilitation_after("BBZ", {}) == Approx(0.6));
  CHECK(facilitation_after("", {}) == Approx(0.6));
  CHECK(facilitation_after("CNLRQ", {{"facilitation_quality", 0.9}}) == Approx(0.9));
}

TEST_CASE("network presets: the resolved config leaves preset values out and re-runs to the same presets",
          "[territorial][networks]") {
  atc::test::TempDir dir;
  dir.write("c.toml", R"([model]
name = "territorial"
[[site]]
id = "f"
network = "FCSF"
[[site]]
id = "r"
network = "CNLRQ"
[[scenario]]
name = "atc"
[[scenario.intervention]]
kind = "animator"
contacts_per_week = 33.0
[[scenario.intervention]]
kind = "shared_governance"
)");
  atc::sim::LoadOptions o;
  o.check_output_path = false;
  const auto first = atc::sim::load_experiment(dir.file("c.toml"), atc::models::registry(), o);
  CHECK_THAT(first.resolved_toml, Catch::Contains("contacts_per_week = 33.0") &&
                                      Catch::Contains("preset = \"network\"") &&
                                      Catch::Contains("salary_cost_eur = 45000.0"));
  CHECK_THAT(first.resolved_toml,
             !Catch::Contains("facilitation_quality =") && !Catch::Contains("resident_voice ="));
  dir.write("resolved.toml", first.resolved_toml);
  const auto again = atc::sim::load_experiment(dir.file("resolved.toml"), atc::models::registry(), o);
  CHECK(again.resolved_toml == first.resolved_toml);
  for (std::size_t site = 0; site < first.sites.size(); ++site) {
    for (std::size_t k = 0; k < first.scenarios[0].interventions.size(); ++k) {
      const auto a = terr::apply_preset(first.scenarios[0].interventions[k], first.sites[site].network);
      const auto b = terr::apply_preset(again.scenarios[0].interventions[k], again.sites[site].network);
      for (std::size_t i = 0; i < a.size(); ++i) CHECK(a.value(i) == b.value(i));
    }
  }
}

TEST_CASE("docs/networks.md shows the presets of the code", "[territorial][networks][docs]") {
  std::ifstream in(atc::test::source_path("docs/networks.md"));
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& kind : kKinds) {
    INFO("expected in docs/networks.md:\n" << preset_table(kind));
    CHECK_THAT(text.str(), Catch::Contains(preset_table(kind)));
  }
}
