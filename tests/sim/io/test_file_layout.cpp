// The layout of a result file takes the words for its site coordinates from
// the model's site schema; the engine supplies only neutral defaults.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/config/experiment.hpp"
#include "sim/io/file_layout.hpp"
#include "sim/io/hdf5_file.hpp"
#include "sim/io/writer.hpp"
#include "support/process.hpp"

using namespace atc::sim;
using atc::test::TempDir;

namespace {

class LayoutModel final : public Model {
 public:
  void step(std::int64_t, Parallel) override {}
  [[nodiscard]] std::uint64_t agent_count() const override { return 1; }
};

ModelDescription model(std::string name, SiteSchema schema) {
  ModelDescription d;
  d.name = std::move(name);
  d.site_fields = {ParamDecl::integer("households", 120).at_least(1), ParamDecl::real("density", 2.5)};
  d.site_schema = std::move(schema);
  d.indicators = {indicator<LayoutModel>("zero", "1", "zero", "", [](const LayoutModel&) { return 0.0; })};
  d.create = [](const ModelInit&) { return std::make_unique<LayoutModel>(); };
  return d;
}

const ModelRegistry& registry() {
  static const ModelRegistry r = [] {
    SiteSchema districts;
    districts.code_long_name = "district number";
    districts.network_long_name = "federation";
    districts.population_long_name = "households of the district";
    districts.provenance_long_name = "where each value comes from";
    districts.population_field = "households";
    ModelRegistry reg;
    reg.add(model("test/districts", districts));
    reg.add(model("test/plain", SiteSchema{}));
    return reg;
  }();
  return r;
}

struct SiteCoordinates {
  std::string code, network, population, provenance;
  double population_value = 0;
};

// Writes `config` to DIR/c.toml, creates the layout of its file (DIR/out.h5;
// no run is written) and opens it. Call with hdf5_mutex() held.
atc::io::Handle open_layout(const TempDir& dir, const std::string& config) {
  using namespace atc::io;
  dir.write("c.toml", config);
  LoadOptions options;
  options.overrides = {"output.path=\"" + dir.file("out.h5") + "\""};
  const auto spec = load_experiment(dir.file("c.toml"), registry(), options);
  const std::string path = partial_path_for(spec.output.path);
  { CreatedFile created = create_file_layout(path, spec, FileMetadata{"test"}, Layout::of(spec)); }
  return file_handle(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path));
}

// Creates the file's layout only (no run is written) and reads it back.
SiteCoordinates layout_of(const std::string& model_name) {
  using namespace atc::io;
  TempDir dir;
  std::lock_guard lock(hdf5_mutex());
  Handle file = open_layout(dir, "[experiment]\nsteps = 2\n[model]\nname = \"" + model_name +
                                     "\"\n[[site]]\nid = \"d1\"\ncode = \"75-01\"\nhouseholds = 340\n");
  auto long_name = [&](const char* dataset) {
    Handle ds = dataset_handle(check(H5Dopen2(file, dataset, H5P_DEFAULT), dataset));
    return read_string_attr(ds, "long_name");
  };
  SiteCoordinates out{long_name("site_code"), long_name("network"), long_name("population"),
                      long_name("site_provenance")};
  Handle population = dataset_handle(check(H5Dopen2(file, "population", H5P_DEFAULT), "population"));
  check_status(H5Dread(population, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &out.population_value),
               "read population");
  return out;
}

// The chunk dimensions of the indicator "zero" in the layout of `sites`
// sites over `steps` steps.
std::vector<hsize_t> chunk_of(int sites, int steps) {
  using namespace atc::io;
  TempDir dir;
  std::string config =
      "[experiment]\nsteps = " + std::to_string(steps) + "\n[model]\nname = \"test/plain\"\n";
  for (int s = 0; s < sites; ++s) config += "[[site]]\nid = \"s" + std::to_string(s) + "\"\n";
  std::lock_guard lock(hdf5_mutex());
  Handle file = open_layout(dir, config);
  Handle ds = dataset_handle(check(H5Dopen2(file, "zero", H5P_DEFAULT), "zero"));
  Handle plist = plist_handle(check(H5Dget_create_plist(ds), "creation properties"));
  std::vector<hsize_t> dims(4, 0);
  CHECK(H5Pget_chunk(plist, 4, dims.data()) == 4);
  return dims;
}

}  // namespace

TEST_CASE("a chunk holds one run's series of all its sites, or of as many as 256 KiB hold", "[io][chunks]") {
  // Reading a file costs HDF5 mostly per chunk: one chunk per run-site made
  // reading a 15-site file whole take seconds. (scenario, replicate, site, time)
  CHECK(chunk_of(3, 10) == std::vector<hsize_t>{1, 1, 3, 11});
  // 8,001 values (64 kB) a site: four sites a chunk, the fifth in a second one
  CHECK(chunk_of(5, 8000) == std::vector<hsize_t>{1, 1, 4, 8001});
  // a site's series above the bound: one site a chunk
  CHECK(chunk_of(2, 40000) == std::vector<hsize_t>{1, 1, 1, 40001});
  CHECK(atc::io::sites_per_chunk(15, std::size_t{227} * 8) == 15);
  CHECK(atc::io::sites_per_chunk(1362, std::size_t{313} * 8) == 104);
  CHECK(atc::io::sites_per_chunk(0, 0) == 1);
}

TEST_CASE("site coordinates are labelled by the model's site schema, else neutrally", "[io][sites]") {
  const auto districts = layout_of("test/districts");
  const auto plain = layout_of("test/plain");
  const std::vector<std::pair<std::string, std::string>> labels{
      {districts.code, "district number"},
      {districts.network, "federation"},
      {districts.population, "households of the district"},
      {districts.provenance, "where each value comes from"},
      {plain.code, "site code"},
      {plain.network, "site network"},
      {plain.population, "resident population of the site"},
      {plain.provenance, "source or confidence of each site value"},
  };
  for (const auto& [written, declared] : labels) CHECK(written == declared);
  CHECK(districts.population_value == 340.0);  // the declared integer field, as a number
  CHECK(std::isnan(plain.population_value));   // no population field declared
}
