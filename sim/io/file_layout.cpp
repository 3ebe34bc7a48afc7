#include "sim/io/file_layout.hpp"

#include <hdf5_hl.h>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "atc/version.hpp"
#include "sim/core/text.hpp"
#include "sim/io/writer.hpp"

namespace atc::io {

std::size_t sites_per_chunk(std::size_t sites, std::size_t bytes_per_site) {
  return std::clamp<std::size_t>(kChunkBytes / std::max<std::size_t>(bytes_per_site, 1), 1,
                                 std::max<std::size_t>(sites, 1));
}

namespace {

constexpr unsigned kDeflateLevel = 4;

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Handle create_string_coordinate(hid_t file, const std::string& name, const std::vector<std::string>& values) {
  const hsize_t n = values.size();
  Handle space = space_handle(check(H5Screate_simple(1, &n, nullptr), "space " + name));
  Handle type = vlen_string_type();
  Handle ds = dataset_handle(check(
      H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "create " + name));
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (n > 0) check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "write " + name);
  return ds;
}

// A (rows, columns) dataset of variable-length strings, `values` row-major.
Handle create_string_2d(hid_t file, const std::string& name, hsize_t rows, hsize_t columns,
                        const std::vector<std::string>& values) {
  const hsize_t dims[2] = {rows, columns};
  Handle space = space_handle(check(H5Screate_simple(2, dims, nullptr), "space " + name));
  Handle type = vlen_string_type();
  Handle ds = dataset_handle(check(
      H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "create " + name));
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  if (!ptrs.empty())
    check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), "write " + name);
  return ds;
}

template <typename T>
Handle create_numeric_1d(hid_t file, const std::string& name, hid_t file_type, hid_t mem_type,
                         const std::vector<T>& values) {
  const hsize_t n = values.size();
  Handle space = space_handle(check(H5Screate_simple(1, &n, nullptr), "space " + name));
  Handle ds = dataset_handle(
      check(H5Dcreate2(file, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            "create " + name));
  if (n > 0)
    check_status(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "write " + name);
  return ds;
}

void make_scale(hid_t ds, const std::string& name) {
  check_status(H5DSset_scale(ds, name.c_str()), "dimension scale " + name);
}

void attach(hid_t var, hid_t scale, unsigned index, const std::string& what) {
  check_status(H5DSattach_scale(var, scale, index), "attach dimension to " + what);
}

void write_parameter(hid_t group, const sim::ParamDecl& decl, const sim::ParamValue& value) {
  Handle space = space_handle(check(H5Screate(H5S_SCALAR), "parameter space"));
  Handle ds;
  const std::string& name = decl.name;
  if (const auto* i = std::get_if<std::int64_t>(&value)) {
    ds = dataset_handle(check(
        H5Dcreate2(group, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name));
    check_status(H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, i), name);
  } else if (const auto* d = std::get_if<double>(&value)) {
    ds = dataset_handle(check(
        H5Dcreate2(group, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name));
    check_status(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d), name);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    const signed char v = *b ? 1 : 0;
    ds = dataset_handle(check(
        H5Dcreate2(group, name.c_str(), H5T_STD_I8LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name));
    check_status(H5Dwrite(ds, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v), name);
  } else {
    // Strings and lists are stored as their TOML text.
    const std::string text =
        std::holds_alternative<std::string>(value) ? std::get<std::string>(value) : sim::format_value(value);
    Handle type = vlen_string_type();
    const char* ptr = text.c_str();
    ds = dataset_handle(
        check(H5Dcreate2(group, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name));
    check_status(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &ptr), name);
  }
  write_string_attr(ds, "units", decl.unit);
  write_string_attr(ds, "description", decl.doc);
  write_string_attr(ds, "source", decl.source);
  if (decl.min) write_double_attr(ds, "valid_min", *decl.min);
  if (decl.max) write_double_attr(ds, "valid_max", *decl.max);
}

// The dimension scales (and the sweep's coordinates on `point`).
struct Coordinates {
  Handle scenario;
  Handle replicate;
  std::vector<Handle> replicate_aux;         // coordinates on `replicate` (a [posterior]'s draws)
  std::vector<std::string> replicate_names;  // their names
  Handle point;                              // only with a [sweep]
  std::vector<Handle> point_aux;             // coordinates on `point`
  std::vector<std::string> point_names;      // their names, for the variables' coordinates attribute
  Handle site;
  Handle time;
  std::vector<Handle> extra;  // the model's dimensions, in declaration order
};

Handle create_file(const std::string& path) {
  // netCDF-4 requires tracked creation order on groups and attributes.
  Handle fcpl = plist_handle(check(H5Pcreate(H5P_FILE_CREATE), "file properties"));
  check_status(H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
               "file properties");
  check_status(H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
               "file properties");
  return file_handle(
      check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT), "cannot create output file " + path));
}

// Sweeps: a point dimension with one coordinate per swept parameter and the
// design's roles (what the sensitivity estimators need).
void create_sweep_coordinates(hid_t f, const sim::SweepSpec& sweep, const Layout& layout, Coordinates& c) {
  std::vector<std::int64_t> ids(layout.points);
  for (std::size_t i = 0; i < layout.points; ++i) ids[i] = static_cast<std::int64_t>(i);
  c.point = create_numeric_1d(f, "point", H5T_STD_I64LE, H5T_NATIVE_INT64, ids);
  make_scale(c.point, "point");
  write_string_attr(c.point, "long_name", "sweep point");
  for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
    const auto& p = sweep.parameters[j];
    std::vector<double> values(layout.points);
    for (std::size_t i = 0; i < layout.points; ++i) values[i] = sweep.design.points[i][j];
    Handle ds = create_numeric_1d(f, p.coordinate, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values);
    attach(ds, c.point, 0, p.coordinate);
    write_string_attr(ds, "long_name", p.key);
    write_string_attr(ds, "units", p.units);
    write_string_attr(ds, "sweep_key", p.key);
    if (sweep.method != sim::SweepMethod::Grid && sweep.method != sim::SweepMethod::Points) {
      write_double_attr(ds, "sweep_min", p.min);
      write_double_attr(ds, "sweep_max", p.max);
      write_string_attr(ds, "sweep_scale", p.log_scale ? "log" : "linear");
    }
    c.point_names.push_back(p.coordinate);
    c.point_aux.push_back(std::move(ds));
  }
  Handle role = create_string_coordinate(f, "sweep_role", sweep.design.role);
  attach(role, c.point, 0, "sweep_role");
  write_string_attr(role, "long_name",
                    "role of the point in the sampling design (A, B, AB, trajectory, sample)");
  Handle group = create_numeric_1d(f, "sweep_group", H5T_STD_I64LE, H5T_NATIVE_INT64, sweep.design.group);
  attach(group, c.point, 0, "sweep_group");
  write_string_attr(group, "long_name", "Sobol base sample or Morris trajectory of the point");
  Handle factor = create_numeric_1d(f, "sweep_factor", H5T_STD_I64LE, H5T_NATIVE_INT64, sweep.design.factor);
  attach(factor, c.point, 0, "sweep_factor");
  write_string_attr(factor, "long_name",
                    "index of the parameter changed (Sobol AB column, Morris step), -1 if none");
  c.point_names.insert(c.point_names.end(), {"sweep_role", "sweep_group", "sweep_factor"});
  c.point_aux.push_back(std::move(role));
  c.point_aux.push_back(std::move(group));
  c.point_aux.push_back(std::move(factor));
  if (!sweep.design.seed.empty()) {
    std::vector<std::int64_t> seeds(sweep.design.seed.begin(), sweep.design.seed.end());
    Handle seed = create_numeric_1d(f, "point_seed", H5T_STD_I64LE, H5T_NATIVE_INT64, seeds);
    attach(seed, c.point, 0, "point_seed");
    write_string_attr(seed, "long_name", "experiment seed of the point's runs (sweep seeds = \"per_point\")");
    c.point_names.emplace_back("point_seed");
    c.point_aux.push_back(std::move(seed));
  }
}

// A [posterior]: per replicate, the draw, the posterior sample and the drawn
// values (so that effects can be decomposed by parameter draw).
void create_posterior_coordinates(hid_t f, const sim::PosteriorSpec& post, const Layout& layout,
                                  Coordinates& c) {
  std::vector<std::int64_t> draw(layout.replicates), sample(layout.replicates);
  for (std::size_t r = 0; r < layout.replicates; ++r) {
    draw[r] = static_cast<std::int64_t>(post.draw_of(r));
    sample[r] = post.sample_of_draw[post.draw_of(r)];
  }
  Handle d = create_numeric_1d(f, "posterior_draw", H5T_STD_I64LE, H5T_NATIVE_INT64, draw);
  attach(d, c.replicate, 0, "posterior_draw");
  write_string_attr(d, "long_name",
                    "posterior draw of the replicate (replicates with one draw differ only by chance)");
  Handle s = create_numeric_1d(f, "posterior_sample", H5T_STD_I64LE, H5T_NATIVE_INT64, sample);
  attach(s, c.replicate, 0, "posterior_sample");
  write_string_attr(s, "long_name", "index of the drawn parameter set in the posterior file's samples");
  c.replicate_names.insert(c.replicate_names.end(), {"posterior_draw", "posterior_sample"});
  c.replicate_aux.push_back(std::move(d));
  c.replicate_aux.push_back(std::move(s));
  for (std::size_t k = 0; k < post.keys.size(); ++k) {
    std::vector<double> values(layout.replicates);
    for (std::size_t r = 0; r < layout.replicates; ++r) values[r] = post.draw_values[post.draw_of(r)][k];
    Handle ds = create_numeric_1d(f, post.coordinates[k], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values);
    attach(ds, c.replicate, 0, post.coordinates[k]);
    write_string_attr(ds, "long_name", post.keys[k]);
    write_string_attr(ds, "units", post.units[k]);
    write_string_attr(ds, "posterior_key", post.keys[k]);
    c.replicate_names.push_back(post.coordinates[k]);
    c.replicate_aux.push_back(std::move(ds));
  }
}

// Dimensions and coordinates: scenario, replicate, [point,] site, time and
// the model's extra dimensions.
Coordinates create_coordinates(hid_t f, const sim::ExperimentSpec& spec, const Layout& layout) {
  Coordinates c;
  std::vector<std::string> scenario_names;
  for (const auto& s : spec.scenarios) scenario_names.push_back(s.name);
  c.scenario = create_string_coordinate(f, "scenario", scenario_names);
  make_scale(c.scenario, "scenario");
  write_string_attr(c.scenario, "long_name", "scenario");

  std::vector<std::int64_t> replicate_ids(layout.replicates);
  for (std::size_t r = 0; r < layout.replicates; ++r) replicate_ids[r] = static_cast<std::int64_t>(r);
  c.replicate = create_numeric_1d(f, "replicate", H5T_STD_I64LE, H5T_NATIVE_INT64, replicate_ids);
  make_scale(c.replicate, "replicate");
  write_string_attr(c.replicate, "long_name", "replicate (paired across scenarios)");
  if (spec.posterior) create_posterior_coordinates(f, *spec.posterior, layout, c);

  if (layout.has_point_dimension) create_sweep_coordinates(f, *spec.sweep, layout, c);

  std::vector<std::string> ids;
  for (const auto& s : spec.sites) ids.push_back(s.id);
  c.site = create_string_coordinate(f, "site", ids);
  make_scale(c.site, "site");
  write_string_attr(c.site, "long_name", "site identifier");

  std::vector<double> days;
  for (auto s : layout.steps) days.push_back(static_cast<double>(s * spec.step_days));
  c.time = create_numeric_1d(f, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, days);
  make_scale(c.time, "time");
  write_string_attr(c.time, "units", "days since " + spec.start_date.iso());
  write_string_attr(c.time, "calendar", "standard");
  write_string_attr(c.time, "long_name", "time");
  write_string_attr(c.time, "standard_name", "time");
  write_string_attr(c.time, "axis", "T");

  for (const auto& dim : spec.model->dimensions) {
    c.extra.push_back(create_string_coordinate(f, dim.name, dim.labels));
    make_scale(c.extra.back(), dim.name);
    write_string_attr(c.extra.back(), "long_name", dim.long_name.empty() ? dim.name : dim.long_name);
  }
  return c;
}

// Auxiliary coordinates on `site`: name, code, network, population, labelled
// by the model's site schema.
void create_site_coordinates(hid_t f, const sim::ExperimentSpec& spec, hid_t site) {
  const sim::SiteSchema& schema = spec.model->site_schema;
  std::vector<std::string> names, codes, networks;
  std::vector<double> population;
  for (const auto& s : spec.sites) {
    names.push_back(s.name);
    codes.push_back(s.code);
    networks.push_back(s.network);
    population.push_back(s.number(schema.population_field));
  }
  struct Aux {
    Handle ds;
    std::string long_name;
    const char* units;
  };
  std::vector<Aux> site_aux;
  site_aux.push_back({create_string_coordinate(f, "site_name", names), "site name", nullptr});
  site_aux.push_back({create_string_coordinate(f, "site_code", codes), schema.code_long_name, nullptr});
  site_aux.push_back({create_string_coordinate(f, "network", networks), schema.network_long_name, nullptr});
  site_aux.push_back({create_numeric_1d(f, "population", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, population),
                      schema.population_long_name, "1"});
  for (auto& a : site_aux) {
    attach(a.ds, site, 0, "site coordinate");
    write_string_attr(a.ds, "long_name", a.long_name);
    if (a.units != nullptr) write_string_attr(a.ds, "units", a.units);
  }
}

// Site profiles with provenance: where each value of each site comes from
// (official statistics, a published figure, an assumption; the model's words).
void create_site_profiles(hid_t f, const sim::ExperimentSpec& spec, hid_t site) {
  const auto& field_decls = spec.model->site_fields;
  if (field_decls.empty()) return;
  std::vector<std::string> field_names;
  for (const auto& d : field_decls) field_names.push_back(d.name);
  Handle field = create_string_coordinate(f, "site_field", field_names);
  make_scale(field, "site_field");
  write_string_attr(field, "long_name", "site profile field");
  const hsize_t dims[2] = {spec.sites.size(), field_decls.size()};
  Handle space = space_handle(check(H5Screate_simple(2, dims, nullptr), "space site_value"));
  std::vector<double> values;
  std::vector<std::string> provenance;
  for (const auto& site_spec : spec.sites) {
    for (std::size_t i = 0; i < field_decls.size(); ++i) {
      const auto& v = site_spec.fields.value(i);
      double d = std::nan("");
      if (const auto* x = std::get_if<double>(&v)) d = *x;
      if (const auto* n = std::get_if<std::int64_t>(&v)) d = static_cast<double>(*n);
      if (const auto* b = std::get_if<bool>(&v)) d = *b ? 1.0 : 0.0;
      values.push_back(d);
      provenance.push_back(site_spec.provenance[i]);
    }
  }
  Handle value_ds = dataset_handle(
      check(H5Dcreate2(f, "site_value", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            "create site_value"));
  check_status(H5Dwrite(value_ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
               "write site_value");
  attach(value_ds, site, 0, "site_value");
  attach(value_ds, field, 1, "site_value");
  write_string_attr(value_ds, "long_name", "site profile value used by the model (non-numeric fields: NaN)");
  const sim::SiteSchema& schema = spec.model->site_schema;
  std::vector<std::string> perimeter, source_kind, identity;
  for (const auto& site_spec : spec.sites) {
    perimeter.insert(perimeter.end(), site_spec.perimeter.begin(), site_spec.perimeter.end());
    source_kind.insert(source_kind.end(), site_spec.source_kind.begin(), site_spec.source_kind.end());
    identity.push_back(site_spec.identity);
  }
  struct Labels {
    const char* name;
    const std::vector<std::string>* values;
    const std::string* long_name;
  };
  const Labels per_field[] = {{"site_provenance", &provenance, &schema.provenance_long_name},
                              {"site_perimeter", &perimeter, &schema.perimeter_long_name},
                              {"site_source_kind", &source_kind, &schema.source_kind_long_name}};
  for (const auto& labels : per_field) {
    Handle ds = create_string_2d(f, labels.name, spec.sites.size(), field_decls.size(), *labels.values);
    attach(ds, site, 0, labels.name);
    attach(ds, field, 1, labels.name);
    write_string_attr(ds, "long_name", *labels.long_name);
  }
  Handle identity_ds = create_string_coordinate(f, "site_identity", identity);
  attach(identity_ds, site, 0, "site_identity");
  write_string_attr(identity_ds, "long_name", schema.identity_long_name);
}

// Scenario metadata: each scenario's description, and every scheduled
// intervention (scenario by scenario, in config order) with its dates in the
// units of `time`, so that analyses can describe the scenarios and mark
// the interventions on plots. Without any intervention there is no
// `intervention` dimension. With a sweep these are the base config's.
void create_scenario_metadata(hid_t f, const sim::ExperimentSpec& spec, hid_t scenario) {
  std::vector<std::string> descriptions;
  for (const auto& s : spec.scenarios) descriptions.push_back(s.description);
  Handle description = create_string_coordinate(f, "scenario_description", descriptions);
  attach(description, scenario, 0, "scenario_description");
  write_string_attr(description, "long_name", "description of the scenario (empty if none)");

  std::vector<std::string> owners, kinds, sites;
  std::vector<double> starts, ends;
  const double nan = std::nan("");
  for (const auto& s : spec.scenarios) {
    for (const auto& iv : s.interventions) {
      owners.push_back(s.name);
      kinds.push_back(iv.kind);
      std::string ids;
      for (const auto& id : iv.sites) ids += (ids.empty() ? "" : ",") + id;
      sites.push_back(ids);
      starts.push_back(static_cast<double>(iv.start_step * spec.step_days));
      // An end at or after the last step is open-ended: it never ends within the run.
      ends.push_back(iv.end_step >= spec.steps ? nan : static_cast<double>(iv.end_step * spec.step_days));
    }
  }
  if (owners.empty()) return;
  std::vector<std::int64_t> index(owners.size());
  for (std::size_t i = 0; i < index.size(); ++i) index[i] = static_cast<std::int64_t>(i);
  Handle dim = create_numeric_1d(f, "intervention", H5T_STD_I64LE, H5T_NATIVE_INT64, index);
  make_scale(dim, "intervention");
  write_string_attr(dim, "long_name", "scheduled intervention (every scenario's, in config order)");
  struct Var {
    Handle ds;
    const char* long_name;
    bool time;
  };
  Var vars[] = {
      {create_string_coordinate(f, "intervention_scenario", owners),
       "scenario that schedules the intervention", false},
      {create_string_coordinate(f, "intervention_kind", kinds), "kind of intervention", false},
      {create_string_coordinate(f, "intervention_sites", sites),
       "ids of the sites it applies to, comma-separated (empty: every site)", false},
      {create_numeric_1d(f, "intervention_start", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, starts),
       "first day the intervention is active (the start of its first step)", true},
      {create_numeric_1d(f, "intervention_end", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, ends),
       "first day it is no longer active (NaN: active until the end of the run)", true},
  };
  for (auto& v : vars) {
    attach(v.ds, dim, 0, "intervention variable");
    write_string_attr(v.ds, "long_name", v.long_name);
    if (v.time) {
      write_string_attr(v.ds, "units", "days since " + spec.start_date.iso());
      write_string_attr(v.ds, "calendar", "standard");
      write_double_attr(v.ds, "_FillValue", nan);
    }
  }
}

// Named contrasts ([[contrast]]): a `contrast` dimension whose coordinate is
// the names, with the two scenarios and the question in English and French.
// Without [[contrast]] there is no `contrast` dimension.
void create_contrasts(hid_t f, const sim::ExperimentSpec& spec) {
  if (spec.contrasts.empty()) return;
  std::vector<std::string> names, treatments, baselines, questions, questions_fr, dates;
  for (const auto& c : spec.contrasts) {
    names.push_back(c.name);
    treatments.push_back(c.treatment);
    baselines.push_back(c.baseline);
    questions.push_back(c.question);
    questions_fr.push_back(c.question_fr);
    dates.push_back(c.at);
  }
  Handle dim = create_string_coordinate(f, "contrast", names);
  make_scale(dim, "contrast");
  write_string_attr(dim, "long_name", "named comparison of two scenarios");
  struct Var {
    const char* name;
    const std::vector<std::string>* values;
    const char* long_name;
  };
  const Var vars[] = {
      {"contrast_treatment", &treatments, "scenario whose effect is measured"},
      {"contrast_baseline", &baselines, "scenario it is compared with"},
      {"contrast_question", &questions, "question the contrast answers (English)"},
      {"contrast_question_fr", &questions_fr, "question the contrast answers (French; empty if not given)"},
      {"contrast_at", &dates,
       "date the contrast is measured at by default (ISO; empty: end of the experiment)"},
  };
  for (const auto& v : vars) {
    Handle ds = create_string_coordinate(f, v.name, *v.values);
    attach(ds, dim, 0, v.name);
    write_string_attr(ds, "long_name", v.long_name);
  }
}

void create_step_coordinate(hid_t f, const Layout& layout, hid_t time) {
  std::vector<std::int64_t> steps(layout.steps.begin(), layout.steps.end());
  Handle step = create_numeric_1d(f, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, steps);
  attach(step, time, 0, "step");
  write_string_attr(step, "long_name", "model step number");
}

// Indicators: (scenario, [point,] replicate, site, time[, extra]), all NaN
// (the fill value) until written.

// The indicator's plausible ranges, one per line:
// table|basis|min|max|population_min|population_max|label|status (label -1 = none).
std::string plausible_text(const sim::IndicatorDecl& ind) {
  std::string out;
  for (const auto& r : ind.plausible) {
    const char* basis = r.basis == sim::PlausibleRange::Basis::PerEvent         ? "per_event"
                        : r.basis == sim::PlausibleRange::Basis::Per1000        ? "per_1000"
                        : r.basis == sim::PlausibleRange::Basis::Per1000PerYear ? "per_1000_per_year"
                                                                                : "value";
    out += fmt::format("{}|{}|{}|{}|{}|{}|{}|{}\n", r.table, basis, r.min, r.max, r.population_min,
                       r.population_max, r.label, r.status);
  }
  return out;
}

std::vector<Handle> create_variables(hid_t f, const sim::ExperimentSpec& spec, const Layout& layout,
                                     const Coordinates& c) {
  std::string coordinates_attr = "site_name site_code network population step";
  for (const auto& name : c.point_names) coordinates_attr += " " + name;
  for (const auto& name : c.replicate_names) coordinates_attr += " " + name;
  const double nan = std::nan("");
  std::vector<Handle> variables;
  for (std::size_t k = 0; k < layout.indicators.size(); ++k) {
    const auto& ind = *layout.indicators[k];
    std::vector<hsize_t> dims{layout.scenarios};
    std::vector<hid_t> scales{c.scenario.get()};
    if (layout.has_point_dimension) {
      dims.push_back(layout.points);
      scales.push_back(c.point.get());
    }
    dims.insert(dims.end(), {layout.replicates, layout.sites, layout.steps.size()});
    scales.insert(scales.end(), {c.replicate.get(), c.site.get(), c.time.get()});
    if (!ind.extra_dimension.empty()) {
      dims.push_back(layout.extent[k]);
      for (std::size_t d = 0; d < spec.model->dimensions.size(); ++d) {
        if (spec.model->dimensions[d].name == ind.extra_dimension) scales.push_back(c.extra[d].get());
      }
    }
    // One run's series, of all its sites or of as many as kChunkBytes hold.
    std::vector<hsize_t> chunk(dims.size(), 1);
    const std::size_t site_axis = chunk.size() - (ind.extra_dimension.empty() ? 2 : 3);
    chunk[site_axis + 1] = layout.steps.size();
    if (!ind.extra_dimension.empty()) chunk.back() = layout.extent[k];
    chunk[site_axis] = sites_per_chunk(layout.sites, layout.values_per_site(k) * sizeof(double));
    const int rank = static_cast<int>(dims.size());
    Handle space = space_handle(check(H5Screate_simple(rank, dims.data(), nullptr), "space " + ind.name));
    Handle dcpl = plist_handle(check(H5Pcreate(H5P_DATASET_CREATE), "dataset properties"));
    check_status(H5Pset_chunk(dcpl, rank, chunk.data()), "chunking " + ind.name);
    check_status(H5Pset_shuffle(dcpl), "shuffle " + ind.name);
    check_status(H5Pset_deflate(dcpl, kDeflateLevel), "deflate " + ind.name);
    // Last in the pipeline: the checksum covers the bytes on disk, so any
    // damage to a chunk is an error when it is read, never other numbers.
    check_status(H5Pset_fletcher32(dcpl), "checksum " + ind.name);
    check_status(H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan), "fill value " + ind.name);
    check_status(H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
                 "attribute order");
    Handle var = dataset_handle(
        check(H5Dcreate2(f, ind.name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
              "create variable " + ind.name));
    for (std::size_t d = 0; d < scales.size(); ++d)
      attach(var, scales[d], static_cast<unsigned>(d), ind.name);
    write_double_attr(var, "_FillValue", nan);
    write_string_attr(var, "units", ind.units);
    write_string_attr(var, "long_name", ind.long_name.empty() ? ind.name : ind.long_name);
    write_string_attr(var, "description", ind.description);
    write_string_attr(var, "atcsim_role", ind.role);
    if (!ind.plausible.empty()) write_string_attr(var, "atcsim_plausible", plausible_text(ind));
    write_string_attr(var, "coordinates", coordinates_attr);
    variables.push_back(std::move(var));
  }
  return variables;
}

// run_complete: (scenario, [point,] replicate), 0 until the run's data are flushed.
Handle create_run_complete(hid_t f, const Layout& layout, const Coordinates& c) {
  std::vector<hsize_t> dims{layout.scenarios};
  std::vector<hid_t> scales{c.scenario.get()};
  if (layout.has_point_dimension) {
    dims.push_back(layout.points);
    scales.push_back(c.point.get());
  }
  dims.push_back(layout.replicates);
  scales.push_back(c.replicate.get());
  Handle space = space_handle(
      check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "space run_complete"));
  Handle dcpl = plist_handle(check(H5Pcreate(H5P_DATASET_CREATE), "dataset properties"));
  const signed char zero = 0;
  check_status(H5Pset_fill_value(dcpl, H5T_NATIVE_SCHAR, &zero), "fill value run_complete");
  Handle run_complete =
      dataset_handle(check(H5Dcreate2(f, "run_complete", H5T_STD_I8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                           "create run_complete"));
  for (std::size_t d = 0; d < scales.size(); ++d)
    attach(run_complete, scales[d], static_cast<unsigned>(d), "run_complete");
  write_string_attr(run_complete, "long_name", "1 when all sites of the run were written completely");
  write_int8_array_attr(run_complete, "flag_values", {0, 1});
  write_string_attr(run_complete, "flag_meanings", "incomplete complete");
  const std::vector<signed char> zeros(layout.run_count(), 0);
  if (!zeros.empty()) {
    check_status(H5Dwrite(run_complete, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data()),
                 "write run_complete");
  }
  return run_complete;
}

void write_global_attributes(hid_t f, const sim::ExperimentSpec& spec, const FileMetadata& metadata,
                             const Layout& layout) {
  write_string_attr(f, "Conventions", "CF-1.8");
  write_string_attr(f, "title", spec.name);
  write_string_attr(f, "institution", "atcsim");
  write_string_attr(f, "source", fmt::format("atcsim {} model {}", kVersion, spec.model->name));
  write_string_attr(f, "atcsim_version", kVersion);
  write_int_attr(f, "atcsim_schema", kSchemaVersion);
  write_string_attr(f, "git_commit", kGitCommit);
  write_string_attr(f, "created", utc_now());
  write_string_attr(f, "command_line", metadata.command_line);
  write_string_attr(f, "config_toml", spec.resolved_toml);
  write_int_attr(f, "seed", static_cast<std::int64_t>(spec.seed));
  write_string_attr(f, "model", spec.model->name);
  write_string_attr(f, "model_citation", spec.model->citation);
  write_int_attr(f, "step_days", spec.step_days);
  write_int_attr(f, "replicates", static_cast<std::int64_t>(layout.replicates));
  if (spec.posterior) {
    const auto& post = *spec.posterior;
    write_string_attr(f, "posterior_path", post.path);
    write_string_attr(f, "posterior_checksum", fmt::format("fnv1a64:{:016x}", post.checksum));
    write_int_attr(f, "posterior_seed", static_cast<std::int64_t>(post.seed));
    write_int_attr(f, "posterior_draws", post.draws);
    write_string_attr(f, "posterior_parameters", join(post.coordinates, " "));
  }
  if (layout.has_point_dimension) {
    const auto& sweep = *spec.sweep;
    write_string_attr(f, "sweep_method", sim::method_name(sweep.method));
    write_int_attr(f, "sweep_seed", static_cast<std::int64_t>(sweep.seed));
    std::string coords;
    for (const auto& p : sweep.parameters) coords += (coords.empty() ? "" : " ") + p.coordinate;
    write_string_attr(f, "sweep_parameters", coords);
    if (sweep.method == sim::SweepMethod::Morris) write_int_attr(f, "sweep_levels", sweep.levels);
    if (sweep.method == sim::SweepMethod::Sobol) write_int_attr(f, "sweep_base_points", sweep.base_points);
    if (sweep.method == sim::SweepMethod::Points) {
      write_string_attr(f, "sweep_seeds", sweep.per_point_seeds ? "per_point" : "common");
      if (!sweep.points_file.empty()) write_string_attr(f, "sweep_points_file", sweep.points_file);
    }
  }
}

// /parameters: the base parameters, one scalar dataset each, with their declarations as attributes.
void write_parameters(hid_t f, const sim::ExperimentSpec& spec) {
  Handle gcpl = plist_handle(check(H5Pcreate(H5P_GROUP_CREATE), "group properties"));
  check_status(H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
               "group properties");
  check_status(H5Pset_attr_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
               "group properties");
  Handle params =
      group_handle(check(H5Gcreate2(f, "parameters", H5P_DEFAULT, gcpl, H5P_DEFAULT), "create /parameters"));
  for (std::size_t i = 0; i < spec.params.size(); ++i) {
    write_parameter(params, spec.model->params[i], spec.params.value(i));
  }
}

}  // namespace

CreatedFile create_file_layout(const std::string& path, const sim::ExperimentSpec& spec,
                               const FileMetadata& metadata, const Layout& layout) {
  CreatedFile out;
  out.file = create_file(path);
  const hid_t f = out.file.get();
  const Coordinates c = create_coordinates(f, spec, layout);
  create_site_coordinates(f, spec, c.site);
  create_site_profiles(f, spec, c.site);
  create_scenario_metadata(f, spec, c.scenario);
  create_contrasts(f, spec);
  create_step_coordinate(f, layout, c.time);
  out.variables = create_variables(f, spec, layout, c);
  out.run_complete = create_run_complete(f, layout, c);
  write_global_attributes(f, spec, metadata, layout);
  write_parameters(f, spec);
  check_status(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush " + path);
  return out;
}

}  // namespace atc::io
