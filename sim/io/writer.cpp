#include "sim/io/writer.hpp"

#include <hdf5_hl.h>

#include <fmt/format.h>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "atc/version.hpp"
#include "sim/core/error.hpp"

namespace atc::io {

namespace fs = std::filesystem;

Layout Layout::of(const sim::ExperimentSpec& spec) {
  Layout l;
  l.scenarios = spec.scenarios.size();
  l.points = spec.point_count();
  l.has_point_dimension = spec.sweep.has_value();
  l.replicates = static_cast<std::size_t>(spec.replicates);
  l.sites = spec.sites.size();
  l.steps = spec.recorded_steps();
  for (const auto& name : spec.output.record) {
    const auto* decl = spec.model->find_indicator(name);
    l.indicators.push_back(decl);
    std::size_t extent = 1;
    if (!decl->extra_dimension.empty())
      extent = spec.model->find_dimension(decl->extra_dimension)->labels.size();
    l.extent.push_back(extent);
  }
  return l;
}

MemorySink::MemorySink(Layout layout) : layout_(std::move(layout)) {
  data_.resize(layout_.run_count() * layout_.sites);
  complete_.assign(layout_.run_count(), 0);
}

bool MemorySink::run_complete(const RunId& run) const {
  return complete_[layout_.run_index(run)] != 0;
}

void MemorySink::write_site(const RunId& run, std::size_t site, const SiteSeries& series) {
  data_[layout_.run_index(run) * layout_.sites + site] = series;
}

void MemorySink::complete_run(const RunId& run) {
  complete_[layout_.run_index(run)] = 1;
}

const std::vector<double>& MemorySink::series(std::size_t indicator, const RunId& run,
                                              std::size_t site) const {
  return data_.at(layout_.run_index(run) * layout_.sites + site).values.at(indicator);
}

std::size_t MemorySink::indicator_index(const std::string& name) const {
  for (std::size_t i = 0; i < layout_.indicators.size(); ++i) {
    if (layout_.indicators[i]->name == name) return i;
  }
  throw Error(fmt::format("indicator '{}' was not recorded", name));
}

std::string partial_path_for(const std::string& path) {
  return path + ".partial";
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

}  // namespace

Hdf5Sink::Hdf5Sink(const sim::ExperimentSpec& spec, const FileMetadata& metadata, bool resume)
    : layout_(Layout::of(spec)),
      final_path_(spec.output.path),
      partial_path_(partial_path_for(spec.output.path)) {
  std::lock_guard lock(hdf5_mutex());
  quiet_hdf5_errors();
  complete_.assign(layout_.run_count(), 0);
  const bool partial_exists = fs::exists(partial_path_);
  if (resume) {
    if (!partial_exists) {
      throw ConfigError(
          fmt::format("--resume: no interrupted run to resume ({} does not exist)", partial_path_));
    }
    open_for_resume(spec);
  } else {
    if (partial_exists) {
      throw ConfigError(fmt::format(
          "{} exists: an earlier run of this experiment was interrupted. Continue it with --resume, "
          "or delete the file to start again",
          partial_path_));
    }
    create_layout(spec, metadata);
  }
}

Hdf5Sink::~Hdf5Sink() {
  std::lock_guard lock(hdf5_mutex());
  variables_.clear();
  run_complete_.reset();
  file_.reset();
}

void Hdf5Sink::create_layout(const sim::ExperimentSpec& spec, const FileMetadata& metadata) {
  // netCDF-4 requires tracked creation order on groups and attributes.
  Handle fcpl = plist_handle(check(H5Pcreate(H5P_FILE_CREATE), "file properties"));
  check_status(H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
               "file properties");
  check_status(H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
               "file properties");
  file_ = file_handle(check(H5Fcreate(partial_path_.c_str(), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT),
                            "cannot create output file " + partial_path_));
  const hid_t f = file_.get();

  // Dimensions and coordinates.
  std::vector<std::string> scenario_names;
  for (const auto& s : spec.scenarios) scenario_names.push_back(s.name);
  Handle scenario = create_string_coordinate(f, "scenario", scenario_names);
  make_scale(scenario, "scenario");
  write_string_attr(scenario, "long_name", "scenario");

  std::vector<std::int64_t> replicate_ids(layout_.replicates);
  for (std::size_t r = 0; r < layout_.replicates; ++r) replicate_ids[r] = static_cast<std::int64_t>(r);
  Handle replicate = create_numeric_1d(f, "replicate", H5T_STD_I64LE, H5T_NATIVE_INT64, replicate_ids);
  make_scale(replicate, "replicate");
  write_string_attr(replicate, "long_name", "replicate (paired across scenarios)");

  // Sweeps: a point dimension with one coordinate per swept parameter and the
  // design's roles (what the sensitivity estimators need).
  Handle point;
  std::vector<Handle> point_aux;
  std::vector<std::string> point_coordinates;
  if (layout_.has_point_dimension) {
    const auto& sweep = *spec.sweep;
    std::vector<std::int64_t> ids(layout_.points);
    for (std::size_t i = 0; i < layout_.points; ++i) ids[i] = static_cast<std::int64_t>(i);
    point = create_numeric_1d(f, "point", H5T_STD_I64LE, H5T_NATIVE_INT64, ids);
    make_scale(point, "point");
    write_string_attr(point, "long_name", "sweep point");
    for (std::size_t j = 0; j < sweep.parameters.size(); ++j) {
      const auto& p = sweep.parameters[j];
      std::vector<double> values(layout_.points);
      for (std::size_t i = 0; i < layout_.points; ++i) values[i] = sweep.design.points[i][j];
      Handle ds = create_numeric_1d(f, p.coordinate, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values);
      attach(ds, point, 0, p.coordinate);
      write_string_attr(ds, "long_name", p.key);
      write_string_attr(ds, "units", p.units);
      write_string_attr(ds, "sweep_key", p.key);
      if (sweep.method != sim::SweepMethod::Grid) {
        write_double_attr(ds, "sweep_min", p.min);
        write_double_attr(ds, "sweep_max", p.max);
        write_string_attr(ds, "sweep_scale", p.log_scale ? "log" : "linear");
      }
      point_coordinates.push_back(p.coordinate);
      point_aux.push_back(std::move(ds));
    }
    Handle role = create_string_coordinate(f, "sweep_role", sweep.design.role);
    attach(role, point, 0, "sweep_role");
    write_string_attr(role, "long_name",
                      "role of the point in the sampling design (A, B, AB, trajectory, sample)");
    Handle group = create_numeric_1d(f, "sweep_group", H5T_STD_I64LE, H5T_NATIVE_INT64, sweep.design.group);
    attach(group, point, 0, "sweep_group");
    write_string_attr(group, "long_name", "Sobol base sample or Morris trajectory of the point");
    Handle factor =
        create_numeric_1d(f, "sweep_factor", H5T_STD_I64LE, H5T_NATIVE_INT64, sweep.design.factor);
    attach(factor, point, 0, "sweep_factor");
    write_string_attr(factor, "long_name",
                      "index of the parameter changed (Sobol AB column, Morris step), -1 if none");
    point_coordinates.insert(point_coordinates.end(), {"sweep_role", "sweep_group", "sweep_factor"});
    point_aux.push_back(std::move(role));
    point_aux.push_back(std::move(group));
    point_aux.push_back(std::move(factor));
  }
  std::string coordinates_attr = "site_name site_code network population step";
  for (const auto& c : point_coordinates) coordinates_attr += " " + c;

  std::vector<std::string> ids, names, codes, networks;
  std::vector<double> population;
  for (const auto& s : spec.sites) {
    ids.push_back(s.id);
    names.push_back(s.name);
    codes.push_back(s.code);
    networks.push_back(s.network);
    population.push_back(s.population());
  }
  Handle site = create_string_coordinate(f, "site", ids);
  make_scale(site, "site");
  write_string_attr(site, "long_name", "site identifier");

  std::vector<double> days;
  for (auto s : layout_.steps) days.push_back(static_cast<double>(s * spec.step_days));
  Handle time = create_numeric_1d(f, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, days);
  make_scale(time, "time");
  write_string_attr(time, "units", "days since " + spec.start_date.iso());
  write_string_attr(time, "calendar", "standard");
  write_string_attr(time, "long_name", "time");
  write_string_attr(time, "standard_name", "time");
  write_string_attr(time, "axis", "T");

  std::vector<Handle> extra_scales;
  for (const auto& dim : spec.model->dimensions) {
    extra_scales.push_back(create_string_coordinate(f, dim.name, dim.labels));
    make_scale(extra_scales.back(), dim.name);
    write_string_attr(extra_scales.back(), "long_name", dim.long_name.empty() ? dim.name : dim.long_name);
  }

  // Auxiliary coordinates.
  struct Aux {
    Handle ds;
    const char* long_name;
    const char* units;
  };
  std::vector<Aux> site_aux;
  site_aux.push_back({create_string_coordinate(f, "site_name", names), "site name", nullptr});
  site_aux.push_back({create_string_coordinate(f, "site_code", codes), "official QPV code", nullptr});
  site_aux.push_back({create_string_coordinate(f, "network", networks), "national network", nullptr});
  site_aux.push_back({create_numeric_1d(f, "population", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, population),
                      "resident population of the site", "1"});
  for (auto& a : site_aux) {
    attach(a.ds, site, 0, "site coordinate");
    write_string_attr(a.ds, "long_name", a.long_name);
    if (a.units != nullptr) write_string_attr(a.ds, "units", a.units);
  }
  // Site profiles with provenance: which values are official statistics,
  // neighbourhood figures or assumptions (per site and field).
  const auto& field_decls = spec.model->site_fields;
  if (!field_decls.empty()) {
    std::vector<std::string> field_names;
    for (const auto& d : field_decls) field_names.push_back(d.name);
    Handle field = create_string_coordinate(f, "site_field", field_names);
    make_scale(field, "site_field");
    write_string_attr(field, "long_name", "site profile field");
    const hsize_t dims[2] = {layout_.sites, field_decls.size()};
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
    write_string_attr(value_ds, "long_name",
                      "site profile value used by the model (non-numeric fields: NaN)");
    Handle type = vlen_string_type();
    Handle prov_ds = dataset_handle(
        check(H5Dcreate2(f, "site_provenance", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "create site_provenance"));
    std::vector<const char*> ptrs;
    for (const auto& p : provenance) ptrs.push_back(p.c_str());
    check_status(H5Dwrite(prov_ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()),
                 "write site_provenance");
    attach(prov_ds, site, 0, "site_provenance");
    attach(prov_ds, field, 1, "site_provenance");
    write_string_attr(
        prov_ds, "long_name",
        "source or confidence of each site value (qpv-official, neighbourhood, assumption, ...)");
  }

  std::vector<std::int64_t> steps(layout_.steps.begin(), layout_.steps.end());
  Handle step = create_numeric_1d(f, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, steps);
  attach(step, time, 0, "step");
  write_string_attr(step, "long_name", "model step number");

  // Indicators: (scenario, [point,] replicate, site, time[, extra]).
  const double nan = std::nan("");
  for (std::size_t k = 0; k < layout_.indicators.size(); ++k) {
    const auto& ind = *layout_.indicators[k];
    std::vector<hsize_t> dims{layout_.scenarios};
    std::vector<hid_t> scales{scenario.get()};
    if (layout_.has_point_dimension) {
      dims.push_back(layout_.points);
      scales.push_back(point.get());
    }
    dims.insert(dims.end(), {layout_.replicates, layout_.sites, layout_.steps.size()});
    scales.insert(scales.end(), {replicate.get(), site.get(), time.get()});
    if (!ind.extra_dimension.empty()) {
      dims.push_back(layout_.extent[k]);
      for (std::size_t d = 0; d < spec.model->dimensions.size(); ++d) {
        if (spec.model->dimensions[d].name == ind.extra_dimension) scales.push_back(extra_scales[d].get());
      }
    }
    std::vector<hsize_t> chunk(dims.size(), 1);
    chunk[chunk.size() - (ind.extra_dimension.empty() ? 1 : 2)] = layout_.steps.size();
    if (!ind.extra_dimension.empty()) chunk.back() = layout_.extent[k];
    const int rank = static_cast<int>(dims.size());
    Handle space = space_handle(check(H5Screate_simple(rank, dims.data(), nullptr), "space " + ind.name));
    Handle dcpl = plist_handle(check(H5Pcreate(H5P_DATASET_CREATE), "dataset properties"));
    check_status(H5Pset_chunk(dcpl, rank, chunk.data()), "chunking " + ind.name);
    check_status(H5Pset_shuffle(dcpl), "shuffle " + ind.name);
    check_status(H5Pset_deflate(dcpl, kDeflateLevel), "deflate " + ind.name);
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
    write_string_attr(var, "coordinates", coordinates_attr);
    variables_.push_back(std::move(var));
  }

  {
    std::vector<hsize_t> dims{layout_.scenarios};
    std::vector<hid_t> scales{scenario.get()};
    if (layout_.has_point_dimension) {
      dims.push_back(layout_.points);
      scales.push_back(point.get());
    }
    dims.push_back(layout_.replicates);
    scales.push_back(replicate.get());
    Handle space = space_handle(
        check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "space run_complete"));
    Handle dcpl = plist_handle(check(H5Pcreate(H5P_DATASET_CREATE), "dataset properties"));
    const signed char zero = 0;
    check_status(H5Pset_fill_value(dcpl, H5T_NATIVE_SCHAR, &zero), "fill value run_complete");
    run_complete_ = dataset_handle(
        check(H5Dcreate2(f, "run_complete", H5T_STD_I8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
              "create run_complete"));
    for (std::size_t d = 0; d < scales.size(); ++d)
      attach(run_complete_, scales[d], static_cast<unsigned>(d), "run_complete");
    write_string_attr(run_complete_, "long_name", "1 when all sites of the run were written completely");
    write_int8_array_attr(run_complete_, "flag_values", {0, 1});
    write_string_attr(run_complete_, "flag_meanings", "incomplete complete");
    const std::vector<signed char> zeros(layout_.run_count(), 0);
    if (!zeros.empty()) {
      check_status(H5Dwrite(run_complete_, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data()),
                   "write run_complete");
    }
  }

  // Global attributes.
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
  write_int_attr(f, "replicates", static_cast<std::int64_t>(layout_.replicates));
  if (layout_.has_point_dimension) {
    const auto& sweep = *spec.sweep;
    write_string_attr(f, "sweep_method", sim::method_name(sweep.method));
    write_int_attr(f, "sweep_seed", static_cast<std::int64_t>(sweep.seed));
    std::string coords;
    for (const auto& p : sweep.parameters) coords += (coords.empty() ? "" : " ") + p.coordinate;
    write_string_attr(f, "sweep_parameters", coords);
    if (sweep.method == sim::SweepMethod::Morris) write_int_attr(f, "sweep_levels", sweep.levels);
    if (sweep.method == sim::SweepMethod::Sobol) write_int_attr(f, "sweep_base_points", sweep.base_points);
  }

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
  check_status(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush " + partial_path_);
}

void Hdf5Sink::open_for_resume(const sim::ExperimentSpec& spec) {
  const hid_t id = H5Fopen(partial_path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (id < 0) {
    H5Eclear2(H5E_DEFAULT);
    throw IoError(
        fmt::format("cannot resume: {} is damaged (the interruption hit a write); "
                    "delete it and run again without --resume",
                    partial_path_));
  }
  file_ = file_handle(id);
  if (!has_attr(file_, "config_toml") || read_string_attr(file_, "config_toml") != spec.resolved_toml) {
    throw ConfigError(
        fmt::format("cannot resume {}: it was written by a different configuration "
                    "(compare its config_toml attribute with `atcsim validate`)",
                    partial_path_));
  }
  for (const auto* ind : layout_.indicators) {
    variables_.push_back(
        dataset_handle(check(H5Dopen2(file_, ind->name.c_str(), H5P_DEFAULT), "open " + ind->name)));
  }
  run_complete_ = dataset_handle(check(H5Dopen2(file_, "run_complete", H5P_DEFAULT), "open run_complete"));
  if (!complete_.empty()) {
    check_status(H5Dread(run_complete_, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, complete_.data()),
                 "read run_complete");
  }
}

bool Hdf5Sink::run_complete(const RunId& run) const {
  std::lock_guard lock(hdf5_mutex());
  return complete_[layout_.run_index(run)] != 0;
}

std::size_t Hdf5Sink::completed_runs() const {
  std::lock_guard lock(hdf5_mutex());
  std::size_t n = 0;
  for (auto c : complete_) n += c != 0 ? 1 : 0;
  return n;
}

void Hdf5Sink::write_site(const RunId& run, std::size_t site, const SiteSeries& series) {
  // Guard: a non-finite value is a model bug, never something to store silently.
  for (std::size_t k = 0; k < layout_.indicators.size(); ++k) {
    for (std::size_t t = 0; t < series.values[k].size(); ++t) {
      if (!std::isfinite(series.values[k][t])) {
        throw ModelError(
            fmt::format("indicator '{}' is not finite ({}) at recorded step {} of scenario {}, point {}, "
                        "replicate {}, site {}",
                        layout_.indicators[k]->name, series.values[k][t],
                        layout_.steps[t / layout_.extent[k]], run.scenario, run.point, run.replicate, site));
      }
    }
  }
  std::lock_guard lock(hdf5_mutex());
  for (std::size_t k = 0; k < layout_.indicators.size(); ++k) {
    std::vector<hsize_t> start{run.scenario};
    if (layout_.has_point_dimension) start.push_back(run.point);
    start.insert(start.end(), {run.replicate, site, 0});
    std::vector<hsize_t> count(start.size(), 1);
    count.back() = layout_.steps.size();
    if (!layout_.indicators[k]->extra_dimension.empty()) {
      start.push_back(0);
      count.push_back(layout_.extent[k]);
    }
    Handle fspace = space_handle(check(H5Dget_space(variables_[k]), "space"));
    check_status(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
                 "select");
    const hsize_t n = layout_.values_per_site(k);
    Handle mspace = space_handle(check(H5Screate_simple(1, &n, nullptr), "memory space"));
    check_status(
        H5Dwrite(variables_[k], H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, series.values[k].data()),
        fmt::format("write {} to {}", layout_.indicators[k]->name, partial_path_));
  }
}

void Hdf5Sink::complete_run(const RunId& run) {
  std::lock_guard lock(hdf5_mutex());
  // Data first, then the flag, each flushed: a crash between them leaves the
  // run marked incomplete, never the reverse.
  check_status(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + partial_path_);
  std::vector<hsize_t> start{run.scenario};
  if (layout_.has_point_dimension) start.push_back(run.point);
  start.push_back(run.replicate);
  const std::vector<hsize_t> count(start.size(), 1);
  Handle fspace = space_handle(check(H5Dget_space(run_complete_), "space"));
  check_status(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
               "select");
  const hsize_t one = 1;
  Handle mspace = space_handle(check(H5Screate_simple(1, &one, nullptr), "memory space"));
  const signed char flag = 1;
  check_status(H5Dwrite(run_complete_, H5T_NATIVE_SCHAR, mspace, fspace, H5P_DEFAULT, &flag),
               "write run_complete");
  check_status(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + partial_path_);
  complete_[layout_.run_index(run)] = 1;
}

void Hdf5Sink::finish() {
  std::lock_guard lock(hdf5_mutex());
  for (auto c : complete_) {
    if (c == 0) throw Error("internal: finish() before every run completed");
  }
  variables_.clear();
  run_complete_.reset();
  check_status(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + partial_path_);
  file_.reset();
  std::error_code ec;
  fs::rename(partial_path_, final_path_, ec);
  if (ec) throw IoError(fmt::format("cannot rename {} to {}: {}", partial_path_, final_path_, ec.message()));
}

}  // namespace atc::io
