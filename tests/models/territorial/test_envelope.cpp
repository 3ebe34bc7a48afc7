// The territorial model's plausibility envelope (docs/data/envelope.toml,
// compiled in): level bounds attached to the indicators they bound, declared
// defaults of cost and calendar parameters inside their published ranges, and
// `atcsim run` warning about an output outside its range.
#include <catch2/catch.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <map>

#include "tests/models/territorial/harness.hpp"

using namespace atc::test::territorial;

namespace {

const atc::sim::IndicatorDecl& find(const std::string& name) {
  const auto& inds = description().indicators;
  const auto it = std::find_if(inds.begin(), inds.end(), [&](const auto& d) { return d.name == name; });
  REQUIRE(it != inds.end());
  return *it;
}

}  // namespace

TEST_CASE("envelope: level bounds are attached to the indicators they bound", "[territorial][envelope]") {
  std::map<std::string, std::string> tables;
  for (const auto& ind : description().indicators) {
    for (const auto& r : ind.plausible) tables[r.table] = ind.name;
  }
  CHECK(tables["core_members_per_1000"] == "core_members");
  CHECK(tables["core_members_per_site"] == "core_members");
  CHECK(tables["forum_attendance"] == "forum_session_attendance");
  CHECK(tables["participation_share"] == "participation_share");
  CHECK(tables["active_share"] == "active_share");
  // Bounds on effects, ratios and drifts are for the report, not the engine.
  CHECK(tables.count("employment_moves_per_1000") == 0);
  CHECK(tables.count("benefit_cost_ratio") == 0);
  CHECK(tables.count("baseline_drift") == 0);
  const auto& core = find("core_members").plausible;
  const auto per_site = std::find_if(core.begin(), core.end(),
                                     [](const auto& r) { return r.table == "core_members_per_site"; });
  REQUIRE(per_site != core.end());
  CHECK(per_site->population_min == 1000);
  CHECK(per_site->population_max == 10000);
  CHECK(per_site->min == 3);
  CHECK(per_site->max == 100);
}

TEST_CASE("envelope: declared defaults of costs and calendars sit inside their published ranges",
          "[territorial][envelope]") {
  const auto table = toml::parse_file(std::string(ATCSIM_SOURCE_DIR) + "/docs/data/envelope.toml");
  const std::map<std::string, std::string> kinds{{"animator", "animator"},
                                                 {"governance", "shared_governance"},
                                                 {"training", "institution_training"},
                                                 {"diagnosis", "shared_diagnosis"},
                                                 {"lockdown", "lockdown"}};
  int checked = 0;
  for (const auto& [key, node] : table) {
    // Read as a view: copying the string value made GCC 12 warn of a bogus memchr bound
    // (-Wstringop-overread) once Catch2 came from the precompiled header.
    const std::string target((*node.as_table())["indicator"].value_or(std::string_view()));
    const auto dot = target.find('.');
    if (dot == std::string::npos) continue;  // an output, not a parameter
    INFO("[" << key.str() << "] " << target);
    const auto kind = kinds.find(target.substr(0, dot));
    REQUIRE(kind != kinds.end());
    const auto* iv = description().find_intervention(kind->second);
    REQUIRE(iv != nullptr);
    const auto decl = std::find_if(iv->params.begin(), iv->params.end(),
                                   [&](const auto& p) { return p.name == target.substr(dot + 1); });
    REQUIRE(decl != iv->params.end());
    const double value = decl->type == atc::sim::ParamType::Integer
                             ? static_cast<double>(std::get<std::int64_t>(decl->default_value))
                             : std::get<double>(decl->default_value);
    CHECK(value >= (*node.as_table())["min"].value_or(0.0));
    CHECK(value <= (*node.as_table())["max"].value_or(0.0));
    ++checked;
  }
  CHECK(checked >= 7);
}

TEST_CASE("envelope: atcsim run warns, naming the indicator and the site, when an output leaves its range",
          "[territorial][envelope][cli]") {
  atc::test::TempDir dir;
  dir.write("c.toml", R"([experiment]
steps = 4
replicates = 1
[model]
name = "territorial"
burn_in_weeks = 4
population_scale = 0.2
[[site]]
id = "quiet_estate"
population = 3000.0
)");
  // Nobody climbs the ladder: participation far below its range.
  const auto r = atc::test::run_process({ATCSIM_BINARY, "run", dir.file("c.toml"), "--quiet", "-o",
                                         dir.file("o.h5"), "--set", "model.threshold_mean=0.99", "--set",
                                         "model.initial_level_shares=[0, 0, 0, 0]"});
  REQUIRE(r.exit_code == 0);  // a warning, not a failure
  CHECK_THAT(r.err, Catch::Contains("atcsim: warning: participation_share at site 'quiet_estate'") &&
                        Catch::Contains("outside the plausible range [0.03, 0.3]") &&
                        Catch::Contains("docs/data/envelope.md"));
}
