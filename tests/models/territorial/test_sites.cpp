// The 15 ATC sites and the default experiment: the site file loads with a
// provenance label for every value, official Insee-style statistics override
// it end to end (output file and `atcsim info`), a malformed statistics file
// is reported with its row and column, and scenarios/atc15.toml has the
// experiment's calendar and scenarios and runs (shortened).
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>

#include "sim/config/experiment.hpp"
#include "support/h5read.hpp"
#include "tests/models/territorial/harness.hpp"

using atc::test::atcsim;
using atc::test::source_path;
using atc::test::TempDir;
namespace fs = std::filesystem;

namespace {

atc::sim::ExperimentSpec load_territorial(const std::string& path) {
  atc::sim::LoadOptions o;
  o.check_output_path = false;
  return atc::sim::load_experiment(path, atc::models::registry(), o);
}

const atc::sim::SiteSpec& site(const atc::sim::ExperimentSpec& spec, const std::string& id) {
  for (const auto& s : spec.sites) {
    if (s.id == id) return s;
  }
  throw std::runtime_error("no site " + id);
}

std::string provenance(const atc::sim::SiteSpec& s, const std::string& field) {
  return s.provenance.at(s.fields.index_of(field));
}

// A short experiment on the 15 sites with official statistics from insee.csv.
std::string override_config(const std::string& csv = "insee.csv") {
  std::string text = "include = \"";
  text += source_path("scenarios/sites/atc15.toml");
  text += R"("
[experiment]
steps = 2
[model]
name = "territorial"
burn_in_weeks = 1
population_scale = 0.05
[sites]
overrides = ")";
  text += csv;
  text += "\"\n";
  return text;
}

}  // namespace

TEST_CASE("the ATC site file: 15 sites, 5 per network, every value with its provenance",
          "[territorial][sites]") {
  const auto spec = load_territorial(source_path("scenarios/atc15.toml"));
  REQUIRE(spec.sites.size() == 15);
  std::map<std::string, int> per_network;
  const std::set<std::string> labels{"qpv-official", "neighbourhood", "assumption"};
  const auto& decls = atc::test::territorial::description().site_fields;
  for (const auto& s : spec.sites) {
    ++per_network[s.network];
    CHECK_FALSE(s.notes.empty());
    for (std::size_t i = 0; i < decls.size(); ++i) {
      INFO(s.id << "." << decls[i].name << " = " << s.provenance[i]);
      CHECK(labels.count(s.provenance[i]) == 1);
      // An assumed value is the model's documented national default.
      if (s.provenance[i] == "assumption") CHECK(s.fields.value(i) == decls[i].default_value);
    }
  }
  CHECK(per_network == std::map<std::string, int>{{"BBZ", 5}, {"CNLRQ", 5}, {"FCSF", 5}});
  const auto& sabatot = site(spec, "saint_gilles_sabatot");
  CHECK(sabatot.code == "QP030009");
  CHECK(sabatot.fields.real("population") == 3272.0);
  CHECK(provenance(sabatot, "population") == "qpv-official");
  CHECK(provenance(sabatot, "under25_share") == "assumption");
  CHECK(provenance(site(spec, "les_mureaux_cinq_quartiers"), "population") == "neighbourhood");
  // The open questions stay visible, the sites stay in the experiment.
  const auto& saint_denis = site(spec, "saint_denis_unresolved");
  CHECK_THAT(saint_denis.name, Catch::Contains("93 or 974: unresolved"));
  CHECK(saint_denis.network == "CNLRQ");
  CHECK_THAT(site(spec, "roubaix_epeule_unverified").notes, Catch::Contains("unverified"));
}

TEST_CASE("scenarios/atc15.toml: the experiment's calendar and exactly its four scenarios",
          "[territorial][sites]") {
  const auto spec = load_territorial(source_path("scenarios/atc15.toml"));
  CHECK(spec.start_date.iso() == "2019-09-02");
  CHECK(spec.step_days == 7);
  CHECK(spec.steps == 226);  // to 2023-12-31
  CHECK(spec.replicates >= 20);
  CHECK(spec.output.path == "out/atc15.h5");
  std::vector<std::string> names;
  for (const auto& s : spec.scenarios) names.push_back(s.name);
  REQUIRE(names == std::vector<std::string>{"baseline", "atc", "atc_covid", "atc_continued"});
  auto week_of = [&](int y, int m, int d) {
    return (atc::Date{y, m, d}.days_since_epoch() - spec.start_date.days_since_epoch()) / 7;
  };
  auto kinds = [](const atc::sim::ScenarioSpec& s) {
    std::multiset<std::string> k;
    for (const auto& iv : s.interventions) k.insert(iv.kind);
    return k;
  };
  auto find = [](const atc::sim::ScenarioSpec& s,
                 const std::string& kind) -> const atc::sim::InterventionSpec& {
    for (const auto& iv : s.interventions) {
      if (iv.kind == kind) return iv;
    }
    throw std::runtime_error("no " + kind);
  };
  const std::multiset<std::string> method{"animator", "shared_governance", "shared_diagnosis"};
  std::multiset<std::string> with_covid = method;
  for (int k = 0; k < 3; ++k) with_covid.insert("lockdown");
  CHECK(spec.scenarios[0].interventions.empty());
  CHECK(kinds(spec.scenarios[1]) == method);
  CHECK(kinds(spec.scenarios[2]) == with_covid);
  CHECK(kinds(spec.scenarios[3]) == with_covid);
  for (std::size_t s = 1; s < 4; ++s) {
    const auto& animator = find(spec.scenarios[s], "animator");
    CHECK(animator.start_step == 0);
    // Each site's network method: nothing of the animator's preset is overridden.
    CHECK(animator.params.string("preset") == "network");
    for (const auto& d : animator.params.decls())
      CHECK_FALSE((d.model_default && animator.params.was_set(d.name)));
    CHECK(find(spec.scenarios[s], "shared_governance").start_step == 0);
    CHECK(find(spec.scenarios[s], "shared_diagnosis").start_step == 0);
    // The animator leaves after 2021-12-31, except when kept.
    CHECK(animator.end_step == (s == 3 ? INT64_MAX : week_of(2021, 12, 31)));
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> lockdowns;
  for (const auto& iv : spec.scenarios[2].interventions) {
    if (iv.kind == "lockdown") lockdowns.emplace_back(iv.start_step, iv.end_step);
  }
  CHECK(lockdowns ==
        std::vector<std::pair<std::int64_t, std::int64_t>>{{week_of(2020, 3, 17), week_of(2020, 5, 11)},
                                                           {week_of(2020, 10, 30), week_of(2020, 12, 15)},
                                                           {week_of(2021, 4, 3), week_of(2021, 5, 3)}});
}

TEST_CASE("scenarios/atc15.toml runs (shortened): every scenario and site, with provenance in the file",
          "[territorial][sites]") {
  TempDir dir;
  const auto out = dir.file("atc15.h5");
  const auto r = atcsim({"run", source_path("scenarios/atc15.toml"), "-o", out, "--replicates", "1", "--set",
                         "experiment.end_date=2021-04-12", "--set", "model.burn_in_weeks=2", "--set",
                         "model.population_scale=0.05", "--quiet"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto info = atcsim({"info", out});
  CHECK_THAT(info.out, Catch::Contains("scenarios:   baseline, atc, atc_covid, atc_continued") &&
                           Catch::Contains("site=15") && Catch::Contains("runs:        4/4 complete") &&
                           Catch::Contains("saint_gilles_sabatot: assumption [") &&
                           Catch::Contains("qpv-official [population, poverty_rate, foreign_share]"));
  const auto vars = atc::test::read_variables(out);
  for (double x : vars.at("participation_share")) CHECK(std::isfinite(x));
}

TEST_CASE("official Insee-style statistics override the territorial site fields, end to end",
          "[territorial][sites]") {
  TempDir dir;
  dir.write("c.toml", override_config());
  // Insee conventions: semicolons, decimal commas, percentages, upper-case
  // names, extra columns; a row for a QPV that is not a site is an error,
  // or, with --allow-unmatched (a national table), a warning.
  dir.write("insee.csv",
            "CODE_QP;LIB_QP;pop_mun;TP60;part_moins25;tx_chom;tx_tot_et;partPop0_14;nb_menages\n"
            "QP030009;Sabatot - Centre Ancien;3300;55,5;41,2;30,1;28,0;22,5;1400\n"
            "QP999999;Elsewhere;;;;;;;\n");
  const auto out = dir.file("o.h5");
  const auto refused = atcsim({"run", dir.file("c.toml"), "-o", out, "--quiet"});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("1 row(s) match no site's QPV code: QP999999 (line 3)"));
  const auto r = atcsim({"run", dir.file("c.toml"), "-o", out, "--quiet", "--allow-unmatched"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::StartsWith("atcsim: warning: ") && Catch::Contains("QP999999 (line 3)"));
  const auto sites = atc::test::read_strings(out, "site");
  const auto fields = atc::test::read_strings(out, "site_field");
  const auto prov = atc::test::read_strings(out, "site_provenance");
  const auto values = atc::test::read_variables(out).at("site_value");
  REQUIRE(prov.size() == sites.size() * fields.size());
  auto at = [&](const std::string& s, const std::string& f) {
    const auto i = std::find(sites.begin(), sites.end(), s) - sites.begin();
    const auto j = std::find(fields.begin(), fields.end(), f) - fields.begin();
    return static_cast<std::size_t>(i) * fields.size() + static_cast<std::size_t>(j);
  };
  const std::map<std::string, double> expected{{"population", 3300},         {"poverty_rate", 0.555},
                                               {"under25_share", 0.412},     {"under15_share", 0.225},
                                               {"unemployment_rate", 0.301}, {"foreign_share", 0.28}};
  for (const auto& [field, value] : expected) {
    INFO(field);
    CHECK(prov.at(at("saint_gilles_sabatot", field)) == "qpv-official");
    CHECK(values.at(at("saint_gilles_sabatot", field)) == Approx(value));
  }
  CHECK(prov.at(at("saint_gilles_sabatot", "senior_share")) == "assumption");
  CHECK(prov.at(at("marseille_frais_vallon", "poverty_rate")) == "assumption");
  CHECK(prov.at(at("marseille_frais_vallon", "population")) == "qpv-official");  // from the site file
  // Provenance in two parts: perimeter and source kind per value, identity per site.
  const auto perimeter = atc::test::read_strings(out, "site_perimeter");
  const auto source_kind = atc::test::read_strings(out, "site_source_kind");
  const auto identity = atc::test::read_strings(out, "site_identity");
  REQUIRE(perimeter.size() == prov.size());
  REQUIRE(source_kind.size() == prov.size());
  REQUIRE(identity.size() == sites.size());
  for (const auto& [field, value] : expected) {
    INFO(field);
    CHECK(perimeter.at(at("saint_gilles_sabatot", field)) == "qpv");  // a CSV override: official QPV figure
    CHECK(source_kind.at(at("saint_gilles_sabatot", field)) == "official");
  }
  CHECK(perimeter.at(at("saint_gilles_sabatot", "senior_share")) == "national_default");
  CHECK(source_kind.at(at("saint_gilles_sabatot", "senior_share")) == "assumption");
  // Marseille's 9,000 is for the QPV perimeter but was read in Wikipedia.
  CHECK(perimeter.at(at("marseille_frais_vallon", "population")) == "qpv");
  CHECK(source_kind.at(at("marseille_frais_vallon", "population")) == "secondary");
  CHECK(perimeter.at(at("les_mureaux_cinq_quartiers", "population")) == "estate");
  CHECK(source_kind.at(at("hombourg_haut_les_chenes", "population")) == "official");
  auto identity_of = [&](const std::string& id) {
    return identity.at(static_cast<std::size_t>(std::find(sites.begin(), sites.end(), id) - sites.begin()));
  };
  CHECK(identity_of("saint_denis_unresolved") == "unresolved");
  CHECK(identity_of("roubaix_epeule_unverified") == "unverified");
  CHECK(identity_of("saint_gilles_sabatot") == "confirmed");
  const auto info = atcsim({"info", out});
  CHECK_THAT(info.out,
             Catch::Contains("saint_gilles_sabatot: assumption [senior_share, associations_per_1000") &&
                 Catch::Contains("qpv-official [population, poverty_rate, under25_share, under15_share, "
                                 "unemployment_rate, foreign_share]"));
}

TEST_CASE("the project's own site table is accepted as an override file", "[territorial][sites]") {
  TempDir dir;
  dir.write("c.toml", override_config(source_path("scenarios/sites/atc15_sites.csv")));
  const auto spec = load_territorial(dir.file("c.toml"));
  // Only Saint-Gilles has a QPV code in the table: its figures, in percent there.
  const auto& sabatot = site(spec, "saint_gilles_sabatot");
  CHECK(sabatot.fields.real("poverty_rate") == Approx(0.57));
  CHECK(sabatot.fields.real("foreign_share") == Approx(0.292));
  CHECK(provenance(sabatot, "foreign_share") == "qpv-official");
  CHECK(provenance(sabatot, "under25_share") == "assumption");  // empty cell
  CHECK(provenance(site(spec, "aubenas_quartiers_davenir"), "population") == "assumption");
  // Its ten other columns (names, sources, employment_rate_pct beside
  // unemployment_rate_pct...) are not taken for misspelt fields.
  for (const auto& w : spec.warnings) CHECK_THAT(w, !Catch::Contains("matches no site field"));
}

TEST_CASE("a statistics column that looks like a misspelt site field is named in a warning",
          "[territorial][sites]") {
  TempDir dir;
  dir.write("c.toml", override_config());
  // 'povrety_rate' is poverty_rate misspelt (the table has no poverty
  // column): its values would silently not be used. 'employment_rate' is
  // close to unemployment_rate, which the table has: another figure.
  dir.write("insee.csv",
            "CODE_QP;povrety_rate;tx_chom;employment_rate\n"
            "QP030009;55,5;30,1;41,0\n");
  const auto spec = load_territorial(dir.file("c.toml"));
  std::vector<std::string> about_columns;
  for (const auto& w : spec.warnings) {
    if (w.find("matches no site field") != std::string::npos) about_columns.push_back(w);
  }
  REQUIRE(about_columns.size() == 1);
  CHECK_THAT(about_columns[0],
             Catch::Contains("insee.csv:1: column 2 'povrety_rate' matches no site field and "
                             "is ignored (did you mean 'poverty_rate'?)"));
  CHECK(site(spec, "saint_gilles_sabatot").fields.real("poverty_rate") != Approx(0.555));  // not taken
  CHECK(provenance(site(spec, "saint_gilles_sabatot"), "unemployment_rate") == "qpv-official");
}

TEST_CASE("a malformed statistics file stops atcsim with its row, column and QPV", "[territorial][sites]") {
  TempDir dir;
  dir.write("c.toml", override_config());
  SECTION("not a number") {
    dir.write("insee.csv", "code_qp,pop_mun,tp60\nQP999999,4000,40\nQP030009,3300,n/a\n");
    const auto r = atcsim({"validate", dir.file("c.toml")});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err,
               Catch::Contains("insee.csv:3: column 'tp60' (QPV QP030009): expected a number, got 'n/a'"));
  }
  SECTION("out of range") {
    dir.write("insee.csv", "code_qp,tx_chom\nQP030009,130\n");
    const auto r = atcsim({"validate", dir.file("c.toml")});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err,
               Catch::Contains("insee.csv:2: column 'tx_chom' (QPV QP030009): site field unemployment_rate "
                               "expected a real number in [0, 1], got 1.3"));
  }
  SECTION("a row with a missing cell") {
    dir.write("insee.csv", "code_qp,pop_mun,tp60\nQP030009,3300\n");
    const auto r = atcsim({"validate", dir.file("c.toml")});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("insee.csv:2: expected 3 columns (as in the header), got 2"));
  }
  CHECK_FALSE(fs::exists(dir.file("out")));
}

TEST_CASE("site provenance labels are the model's: perimeter, source kind, identity",
          "[territorial][sites]") {
  TempDir dir;
  const std::string head =
      "[model]\nname = \"territorial\"\n[[site]]\nid = \"a\"\npopulation = 5000.0\nidentity = "
      "\"unverified\"\n";
  dir.write("ok.toml", head +
                           "[site.perimeter]\npopulation = \"estate\"\n[site.source_kind]\npopulation = "
                           "\"secondary\"\n");
  atc::sim::LoadOptions options;
  options.check_output_path = false;
  const auto spec = atc::sim::load_experiment(dir.file("ok.toml"), atc::models::registry(), options);
  const auto& s = spec.sites.at(0);
  const auto pop = s.fields.index_of("population");
  CHECK(s.identity == "unverified");
  CHECK(s.perimeter.at(pop) == "estate");
  CHECK(s.source_kind.at(pop) == "secondary");
  const auto poverty = s.fields.index_of("poverty_rate");
  CHECK(s.perimeter.at(poverty) == "national_default");
  CHECK(s.source_kind.at(poverty) == "assumption");
  dir.write("bad.toml", head + "[site.source_kind]\npopulation = \"oficial\"\n");
  const auto r = atcsim({"validate", dir.file("bad.toml")});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err,
             Catch::Contains("bad.toml:8:14: site \"a\".source_kind.population: unknown label \"oficial\" "
                             "(did you mean 'official'?); expected one of: official, secondary, "
                             "assumption, unstated"));
  dir.write("bad_identity.toml",
            "[model]\nname = \"territorial\"\n[[site]]\nid = \"a\"\nidentity = \"maybe\"\n");
  CHECK_THAT(atcsim({"validate", dir.file("bad_identity.toml")}).err,
             Catch::Contains("site \"a\".identity: unknown label \"maybe\""));
}

TEST_CASE("a site of a network the model does not know loads with a located warning and a suggestion",
          "[sites][config]") {
  TempDir dir;
  dir.write("c.toml", R"([experiment]
steps = 2
[model]
name = "territorial"
[[site]]
id = "misspelt"
network = "FCFS"
[[site]]
id = "lower_case"
network = "bbz"
[[site]]
id = "known"
network = "CNLRQ"
[[site]]
id = "none"
[[scenario]]
name = "baseline"
)");
  const auto spec = load_territorial(dir.file("c.toml"));
  REQUIRE(spec.warnings.size() == 2);
  CHECK(spec.warnings[0].find("c.toml:7:11: site \"misspelt\".network: \"FCFS\" is none of the networks the "
                              "model knows (FCSF, CNLRQ, BBZ) (did you mean 'FCSF'?)") != std::string::npos);
  CHECK(spec.warnings[1].find("\"bbz\"") != std::string::npos);
  CHECK(spec.warnings[1].find("(did you mean 'BBZ'?)") != std::string::npos);
  // The site keeps the name it was given (no silent correction).
  CHECK(site(spec, "misspelt").network == "FCFS");
}
