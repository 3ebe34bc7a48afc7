// Site profiles: declared fields, provenance, and official statistics
// imported from a CSV matched by site code, in the words of the model's
// site schema (here QPV codes, as the territorial model declares them).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fmt/format.h>
#include <filesystem>

#include "sim/config/csv.hpp"
#include "sim/config/experiment.hpp"
#include "sim/core/error.hpp"
#include "support/process.hpp"

using namespace atc::sim;
using atc::test::TempDir;

namespace {

class Nothing final : public Model {
 public:
  void step(std::int64_t, Parallel) override {}
  [[nodiscard]] std::uint64_t agent_count() const override { return 1; }
};

ModelDescription sites_model(std::string name, SiteSchema schema) {
  ModelDescription d;
  d.name = std::move(name);
  d.site_fields = {
      ParamDecl::real("population", 3900).range(100, 2e7).cite("national mean").csv_aliases({"pop_mun"}),
      ParamDecl::real("poverty_rate", 0.42).range(0, 1).cite("national QPV figure").csv_aliases({"tp60%"}),
      ParamDecl::real("barrier_share", 0.25).range(0, 1),
  };
  d.site_schema = std::move(schema);
  d.indicators = {indicator<Nothing>("zero", "1", "zero", "", [](const Nothing&) { return 0.0; })};
  d.create = [](const ModelInit&) { return std::make_unique<Nothing>(); };
  return d;
}

SiteSchema qpv_schema() {
  SiteSchema s;
  s.code_columns = {"qpv_code", "code_qp"};
  s.code_system = "QPV";
  s.override_provenance = "qpv-official";
  return s;
}

const ModelRegistry& sites_registry() {
  static const ModelRegistry r = [] {
    ModelRegistry reg;
    reg.add(sites_model("test/sites", qpv_schema()));
    reg.add(sites_model("test/neutral", SiteSchema{}));
    return reg;
  }();
  return r;
}

const char* kConfig = R"([model]
name = "test/sites"

[[site]]
id = "sabatot"
code = "QP030009"
population = 3000.0
[site.provenance]
population = "neighbourhood"

[[site]]
id = "other"
code = "QP999999"

[sites]
overrides = "insee.csv"
)";

ExperimentSpec load_with_sites(const TempDir& dir, bool allow_unmatched = false) {
  LoadOptions o;
  o.check_output_path = false;
  o.allow_unmatched = allow_unmatched;
  return load_experiment(dir.file("c.toml"), sites_registry(), o);
}

std::string error_of(const TempDir& dir, bool allow_unmatched = false) {
  try {
    load_with_sites(dir, allow_unmatched);
  } catch (const atc::ConfigError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("official statistics override site fields by QPV code and are marked qpv-official",
          "[sites][config]") {
  TempDir dir;
  dir.write("c.toml", kConfig);
  // Insee-style: semicolons, decimal commas, a percent column, extra columns ignored.
  dir.write("insee.csv",
            "CODE_QP;LIB_QP;pop_mun;tp60;tx_emploi\nQP030009;Sabatot;3272;57,0;35,9\nQP111111;Elsewhere;5000;"
            "40;50\n");
  // QP111111 matches no site: an error, unless allowed (a national table).
  CHECK(error_of(dir) == dir.file("insee.csv") +
                             ": 1 row(s) match no site's QPV code: QP111111 (line 3); the sites' codes are: "
                             "QP030009, QP999999 (--allow-unmatched accepts them)");
  const auto spec = load_with_sites(dir, true);
  CHECK(spec.warnings ==
        std::vector<std::string>{dir.file("insee.csv") +
                                 ": 1 row(s) match no site's QPV code: QP111111 (line 3); the "
                                 "sites' codes are: QP030009, QP999999 (ignored: --allow-unmatched)"});
  const auto& sab = spec.sites[0];
  CHECK(sab.fields.real("population") == 3272.0);
  CHECK(sab.fields.real("poverty_rate") == Approx(0.57));
  CHECK(sab.fields.real("barrier_share") == 0.25);
  CHECK(sab.provenance == std::vector<std::string>{"qpv-official", "qpv-official", "assumption"});
  const auto& other = spec.sites[1];
  CHECK(other.fields.real("population") == 3900.0);
  CHECK(other.provenance == std::vector<std::string>{"national mean", "national QPV figure", "assumption"});
  CHECK_THAT(spec.resolved_toml, Catch::Contains("population = \"qpv-official\""));
}

TEST_CASE("a malformed override CSV names the row and the column", "[sites][config]") {
  TempDir dir;
  dir.write("c.toml", kConfig);
  SECTION("not a number") {
    dir.write("insee.csv", "qpv_code,pop_mun,tp60\nQP999999,4000,40\nQP030009,lots,57\n");
    CHECK_THAT(
        error_of(dir),
        Catch::Contains("insee.csv:3: column 'pop_mun' (QPV QP030009): expected a number, got 'lots'"));
  }
  SECTION("out of range") {
    dir.write("insee.csv", "qpv_code,tp60\nQP030009,157\n");
    CHECK_THAT(error_of(dir), Catch::Contains("insee.csv:2: column 'tp60' (QPV QP030009): site field "
                                              "poverty_rate expected a real number in [0, 1], got 1.57"));
  }
  SECTION("ragged row") {
    dir.write("insee.csv", "qpv_code,tp60\nQP030009,57,1\n");
    CHECK_THAT(error_of(dir), Catch::Contains("insee.csv:2: expected 2 columns (as in the header), got 3"));
  }
  SECTION("no code column") {
    dir.write("insee.csv", "name,tp60\nx,57\n");
    CHECK_THAT(error_of(dir), Catch::Contains("insee.csv:1: expected a QPV code column"));
  }
  SECTION("duplicate code") {
    dir.write("insee.csv", "qpv_code,tp60\nQP030009,57\nQP030009,58\n");
    CHECK_THAT(error_of(dir), Catch::Contains("insee.csv:3: QPV code 'QP030009' appears twice"));
  }
  SECTION("missing file") {
    CHECK_THAT(error_of(dir), Catch::Contains("c.toml:16:13: sites.overrides: file 'insee.csv' not found"));
  }
}

TEST_CASE("site overrides match and speak as the model's site schema says", "[sites][config]") {
  TempDir dir;
  std::string config = kConfig;
  config.replace(config.find("test/sites"), 10, "test/neutral");
  dir.write("c.toml", config);
  SECTION("neutral defaults: a `code` column, values marked official") {
    dir.write("insee.csv", "code,tp60\nQP030009,57\n");
    const auto spec = load_with_sites(dir);
    CHECK(spec.sites[0].fields.real("poverty_rate") == Approx(0.57));
    CHECK(spec.sites[0].provenance[1] == "official");
    CHECK(spec.sites[0].provenance[0] == "neighbourhood");
  }
  SECTION("messages use the neutral words; another model's key column is no key here") {
    const std::vector<std::pair<std::string, std::string>> mistakes{
        {"qpv_code,tp60\nQP030009,57\n",
         "insee.csv:1: expected a site code column (code); columns are: qpv_code, tp60"},
        {"code,tp60\nQP030009,57\nQP030009,58\n", "insee.csv:3: site code 'QP030009' appears twice"},
        {"code,tp60\nQP030009,lots\n", "insee.csv:2: column 'tp60' (site QP030009): expected a number"},
    };
    for (const auto& [csv, message] : mistakes) {
      dir.write("insee.csv", csv);
      CHECK_THAT(error_of(dir), Catch::Contains(message));
    }
  }
}

TEST_CASE("a site schema must name a numeric site field and a way to match codes", "[sites][model]") {
  ModelRegistry reg;
  SiteSchema missing;
  missing.population_field = "residents";
  CHECK_THROWS_WITH(reg.add(sites_model("a", missing)),
                    Catch::Contains("site_schema.population_field 'residents' is not a numeric site field"));
  SiteSchema no_columns;
  no_columns.code_columns.clear();
  CHECK_THROWS_WITH(reg.add(sites_model("b", no_columns)), Catch::Contains("site_schema needs code_columns"));
  SiteSchema fine;
  fine.population_field = "population";
  CHECK_NOTHROW(reg.add(sites_model("c", fine)));
}

TEST_CASE("the CSV reader handles quotes, separators and blank lines", "[sites]") {
  TempDir dir;
  dir.write("q.csv", "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\n1,2\n");
  const auto t = read_csv(dir.file("q.csv"));
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0][0] == "x, y");
  CHECK(t.rows[0][1] == "say \"hi\"");
  CHECK(t.row_lines[1] == 4);
  CHECK(parse_number("57,5", ';') == 57.5);
  CHECK_FALSE(parse_number("57,5", ',').has_value());
  CHECK_FALSE(parse_number("12abc", ',').has_value());
}

TEST_CASE("a CSV text parses as its file does, byte order mark and NUL byte included", "[sites]") {
  TempDir dir;
  const std::string text =
      "\xEF\xBB\xBF"
      "code;population\r\nQP013001;\"1 000,5\"\r\n";
  dir.write("t.csv", text);
  const auto from_file = read_csv(dir.file("t.csv"));
  const auto from_text = parse_csv(text, dir.file("t.csv"));
  CHECK(from_text.header == from_file.header);
  CHECK(from_text.rows == from_file.rows);
  CHECK(from_text.header[0] == "code");
  CHECK(from_text.separator == ';');
  CHECK(from_text.path == from_file.path);
  CHECK_THROWS_WITH(parse_csv(std::string("a,b\n1,\0", 7), "n.csv"),
                    Catch::Contains("n.csv:2: a NUL byte (at byte 7)"));
}

TEST_CASE("override CSV damage gets one clear line (issue 15, finding 13)", "[sites][config]") {
  TempDir dir;
  dir.write("c.toml", kConfig);
  SECTION("lower-case and mistyped codes are listed") {
    dir.write("insee.csv", "qpv_code,tp60\nqp030009,57\nQP03009,50\nQP999999,40\n");
    CHECK_THAT(error_of(dir),
               Catch::Contains("insee.csv: 2 row(s) match no site's QPV code: qp030009 (line 2), "
                               "QP03009 (line 3); the sites' codes are: QP030009, QP999999"));
  }
  SECTION("a duplicated column") {
    dir.write("insee.csv", "qpv_code,tp60,TP60\nQP030009,57,58\n");
    CHECK_THAT(error_of(dir), Catch::Contains("insee.csv:1: column 'TP60' appears twice (columns 2 and 3)"));
  }
  SECTION("a huge bad cell is echoed cut to 80 characters") {
    std::string huge;
    huge.resize(10'000'000, '9');  // a 10 MB cell (issue 15, finding 13)
    dir.write("insee.csv", fmt::format("qpv_code,tp60\nQP030009,{}x\n", huge));
    const std::string e = error_of(dir);
    CHECK(e.size() < 400);
    CHECK_THAT(e, Catch::Contains(fmt::format("got '{}... (10000001 bytes in all)'", std::string(80, '9'))));
  }
  SECTION("CR-only line ends (old Mac files) are read") {
    dir.write("insee.csv", "qpv_code;tp60\rQP030009;57\rQP999999;40\r");
    const auto spec = load_with_sites(dir);
    CHECK(spec.sites[0].fields.real("poverty_rate") == Approx(0.57));
    CHECK(spec.sites[1].fields.real("poverty_rate") == Approx(0.40));
  }
  SECTION("a quote inside an unquoted field") {
    dir.write("insee.csv", "qpv_code,tp60\nQP030009,50\"00\"\n");
    CHECK_THAT(error_of(dir), Catch::Contains("insee.csv:2: a quote inside an unquoted field ('50\"')"));
    dir.write("insee.csv", "qpv_code,tp60\nQP030009,\"50\"00\n");
    CHECK_THAT(error_of(dir), Catch::Contains("insee.csv:2: text after a closing quote in a field"));
  }
  SECTION("a NUL byte") {
    dir.write("insee.csv", std::string("qpv_code,tp60\nQP030009,5\0"
                                       "7\n",
                                       27));
    CHECK_THAT(error_of(dir),
               Catch::EndsWith("insee.csv:2: a NUL byte (at byte 25): expected a text CSV file"));
  }
  SECTION("a directory or a FIFO is named as such") {
    std::filesystem::create_directory(dir.file("insee.csv"));
    CHECK_THAT(error_of(dir), Catch::Contains("sites.overrides: file 'insee.csv' is a directory"));
    std::filesystem::remove(dir.file("insee.csv"));
    REQUIRE(::mkfifo(dir.file("insee.csv").c_str(), 0600) == 0);
    CHECK_THAT(
        error_of(dir),
        Catch::Contains("sites.overrides: file 'insee.csv' is a FIFO (named pipe), not a regular file"));
  }
}
