#include "sim/io/writer.hpp"

#include <hdf5_hl.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>

#include "atc/version.hpp"
#include "sim/core/error.hpp"

namespace atc::io {

namespace fs = std::filesystem;

Layout Layout::of(const sim::ExperimentSpec& spec) {
  Layout l;
  l.scenarios = spec.scenarios.size();
  l.replicates = static_cast<std::size_t>(spec.replicates);
  l.sites = spec.sites.size();
  l.steps = spec.recorded_steps();
  for (const auto& name : spec.output.record) {
    const auto* decl = spec.model->find_indicator(name);
    l.indicators.push_back(decl);
    std::size_t extent = 1;
    if (!decl->extra_dimension.empty()) extent = spec.model->find_dimension(decl->extra_dimension)->labels.size();
    l.extent.push_back(extent);
  }
  return l;
}

MemorySink::MemorySink(Layout layout) : layout_(std::move(layout)) {
  data_.resize(layout_.scenarios * layout_.replicates * layout_.sites);
  complete_.assign(layout_.scenarios * layout_.replicates, 0);
}

bool MemorySink::run_complete(std::size_t scenario, std::size_t replicate) const {
  return complete_[scenario * layout_.replicates + replicate] != 0;
}

void MemorySink::write_site(std::size_t scenario, std::size_t replicate, std::size_t site,
                            const SiteSeries& series) {
  data_[(scenario * layout_.replicates + replicate) * layout_.sites + site] = series;
}

void MemorySink::complete_run(std::size_t scenario, std::size_t replicate) {
  complete_[scenario * layout_.replicates + replicate] = 1;
}

const std::vector<double>& MemorySink::series(std::size_t indicator, std::size_t scenario,
                                              std::size_t replicate, std::size_t site) const {
  return data_.at((scenario * layout_.replicates + replicate) * layout_.sites + site).values.at(indicator);
}

std::size_t MemorySink::indicator_index(const std::string& name) const {
  for (std::size_t i = 0; i < layout_.indicators.size(); ++i) {
    if (layout_.indicators[i]->name == name) return i;
  }
  throw Error(fmt::format("indicator '{}' was not recorded", name));
}

std::string partial_path_for(const std::string& path) { return path + ".partial"; }

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
  Handle ds = dataset_handle(check(H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                   "create " + name));
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
  Handle ds = dataset_handle(check(H5Dcreate2(file, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                   "create " + name));
  if (n > 0) check_status(H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "write " + name);
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
    ds = dataset_handle(check(H5Dcreate2(group, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name));
    check_status(H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, i), name);
  } else if (const auto* d = std::get_if<double>(&value)) {
    ds = dataset_handle(check(H5Dcreate2(group, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name));
    check_status(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d), name);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    const signed char v = *b ? 1 : 0;
    ds = dataset_handle(check(H5Dcreate2(group, name.c_str(), H5T_STD_I8LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name));
    check_status(H5Dwrite(ds, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v), name);
  } else {
    // Strings and lists are stored as their TOML text.
    const std::string text = std::holds_alternative<std::string>(value) ? std::get<std::string>(value)
                                                                        : sim::format_value(value);
    Handle type = vlen_string_type();
    const char* ptr = text.c_str();
    ds = dataset_handle(check(H5Dcreate2(group, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name));
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
  complete_.assign(layout_.scenarios * layout_.replicates, 0);
  const bool partial_exists = fs::exists(partial_path_);
  if (resume) {
    if (!partial_exists) {
      throw ConfigError(fmt::format("--resume: no interrupted run to resume ({} does not exist)", partial_path_));
    }
    open_for_resume(spec);
  } else {
    if (partial_exists) {
      throw ConfigError(fmt::format(
          "{} exists: an earlier run of this experiment was interrupted. Continue it with --resume, "
          "or delete the file to start again", partial_path_));
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
  check_status(H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), "file properties");
  check_status(H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), "file properties");
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
  struct Aux { Handle ds; const char* long_name; const char* units; };
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
  std::vector<std::int64_t> steps(layout_.steps.begin(), layout_.steps.end());
  Handle step = create_numeric_1d(f, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, steps);
  attach(step, time, 0, "step");
  write_string_attr(step, "long_name", "model step number");

  // Indicators.
  const double nan = std::nan("");
  for (std::size_t k = 0; k < layout_.indicators.size(); ++k) {
    const auto& ind = *layout_.indicators[k];
    const bool extra = !ind.extra_dimension.empty();
    const int rank = extra ? 5 : 4;
    const hsize_t dims[5] = {layout_.scenarios, layout_.replicates, layout_.sites, layout_.steps.size(), layout_.extent[k]};
    const hsize_t chunk[5] = {1, 1, 1, layout_.steps.size(), layout_.extent[k]};
    Handle space = space_handle(check(H5Screate_simple(rank, dims, nullptr), "space " + ind.name));
    Handle dcpl = plist_handle(check(H5Pcreate(H5P_DATASET_CREATE), "dataset properties"));
    check_status(H5Pset_chunk(dcpl, rank, chunk), "chunking " + ind.name);
    check_status(H5Pset_shuffle(dcpl), "shuffle " + ind.name);
    check_status(H5Pset_deflate(dcpl, kDeflateLevel), "deflate " + ind.name);
    check_status(H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan), "fill value " + ind.name);
    check_status(H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), "attribute order");
    Handle var = dataset_handle(check(H5Dcreate2(f, ind.name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                                      "create variable " + ind.name));
    attach(var, scenario, 0, ind.name);
    attach(var, replicate, 1, ind.name);
    attach(var, site, 2, ind.name);
    attach(var, time, 3, ind.name);
    if (extra) {
      for (std::size_t d = 0; d < spec.model->dimensions.size(); ++d) {
        if (spec.model->dimensions[d].name == ind.extra_dimension) attach(var, extra_scales[d], 4, ind.name);
      }
    }
    write_double_attr(var, "_FillValue", nan);
    write_string_attr(var, "units", ind.units);
    write_string_attr(var, "long_name", ind.long_name.empty() ? ind.name : ind.long_name);
    write_string_attr(var, "description", ind.description);
    write_string_attr(var, "coordinates", "site_name site_code network population step");
    variables_.push_back(std::move(var));
  }

  {
    const hsize_t dims[2] = {layout_.scenarios, layout_.replicates};
    Handle space = space_handle(check(H5Screate_simple(2, dims, nullptr), "space run_complete"));
    Handle dcpl = plist_handle(check(H5Pcreate(H5P_DATASET_CREATE), "dataset properties"));
    const signed char zero = 0;
    check_status(H5Pset_fill_value(dcpl, H5T_NATIVE_SCHAR, &zero), "fill value run_complete");
    run_complete_ = dataset_handle(check(H5Dcreate2(f, "run_complete", H5T_STD_I8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                                         "create run_complete"));
    attach(run_complete_, scenario, 0, "run_complete");
    attach(run_complete_, replicate, 1, "run_complete");
    write_string_attr(run_complete_, "long_name", "1 when all sites of the run were written completely");
    write_int8_array_attr(run_complete_, "flag_values", {0, 1});
    write_string_attr(run_complete_, "flag_meanings", "incomplete complete");
    const std::vector<signed char> zeros(layout_.scenarios * layout_.replicates, 0);
    if (!zeros.empty()) {
      check_status(H5Dwrite(run_complete_, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data()), "write run_complete");
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

  Handle gcpl = plist_handle(check(H5Pcreate(H5P_GROUP_CREATE), "group properties"));
  check_status(H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), "group properties");
  check_status(H5Pset_attr_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), "group properties");
  Handle params = group_handle(check(H5Gcreate2(f, "parameters", H5P_DEFAULT, gcpl, H5P_DEFAULT), "create /parameters"));
  for (std::size_t i = 0; i < spec.params.size(); ++i) {
    write_parameter(params, spec.model->params[i], spec.params.value(i));
  }
  check_status(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush " + partial_path_);
}

void Hdf5Sink::open_for_resume(const sim::ExperimentSpec& spec) {
  const hid_t id = H5Fopen(partial_path_.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (id < 0) {
    H5Eclear2(H5E_DEFAULT);
    throw IoError(fmt::format("cannot resume: {} is damaged (the interruption hit a write); "
                              "delete it and run again without --resume", partial_path_));
  }
  file_ = file_handle(id);
  if (!has_attr(file_, "config_toml") || read_string_attr(file_, "config_toml") != spec.resolved_toml) {
    throw ConfigError(fmt::format("cannot resume {}: it was written by a different configuration "
                                  "(compare its config_toml attribute with `atcsim validate`)", partial_path_));
  }
  for (const auto* ind : layout_.indicators) {
    variables_.push_back(dataset_handle(check(H5Dopen2(file_, ind->name.c_str(), H5P_DEFAULT), "open " + ind->name)));
  }
  run_complete_ = dataset_handle(check(H5Dopen2(file_, "run_complete", H5P_DEFAULT), "open run_complete"));
  if (!complete_.empty()) {
    check_status(H5Dread(run_complete_, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, complete_.data()),
                 "read run_complete");
  }
}

bool Hdf5Sink::run_complete(std::size_t scenario, std::size_t replicate) const {
  std::lock_guard lock(hdf5_mutex());
  return complete_[scenario * layout_.replicates + replicate] != 0;
}

std::size_t Hdf5Sink::completed_runs() const {
  std::lock_guard lock(hdf5_mutex());
  std::size_t n = 0;
  for (auto c : complete_) n += c != 0 ? 1 : 0;
  return n;
}

void Hdf5Sink::write_site(std::size_t scenario, std::size_t replicate, std::size_t site,
                          const SiteSeries& series) {
  // Guard: a non-finite value is a model bug, never something to store silently.
  for (std::size_t k = 0; k < layout_.indicators.size(); ++k) {
    for (std::size_t t = 0; t < series.values[k].size(); ++t) {
      if (!std::isfinite(series.values[k][t])) {
        throw ModelError(fmt::format("indicator '{}' is not finite ({}) at recorded step {} of scenario {}, "
                                     "replicate {}, site {}", layout_.indicators[k]->name, series.values[k][t],
                                     layout_.steps[t / layout_.extent[k]], scenario, replicate, site));
      }
    }
  }
  std::lock_guard lock(hdf5_mutex());
  for (std::size_t k = 0; k < layout_.indicators.size(); ++k) {
    const hsize_t start[5] = {scenario, replicate, site, 0, 0};
    const hsize_t count[5] = {1, 1, 1, layout_.steps.size(), layout_.extent[k]};
    Handle fspace = space_handle(check(H5Dget_space(variables_[k]), "space"));
    check_status(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr), "select");
    const hsize_t n = layout_.values_per_site(k);
    Handle mspace = space_handle(check(H5Screate_simple(1, &n, nullptr), "memory space"));
    check_status(H5Dwrite(variables_[k], H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, series.values[k].data()),
                 fmt::format("write {} to {}", layout_.indicators[k]->name, partial_path_));
  }
}

void Hdf5Sink::complete_run(std::size_t scenario, std::size_t replicate) {
  std::lock_guard lock(hdf5_mutex());
  // Data first, then the flag, each flushed: a crash between them leaves the
  // run marked incomplete, never the reverse.
  check_status(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + partial_path_);
  const hsize_t start[2] = {scenario, replicate};
  const hsize_t count[2] = {1, 1};
  Handle fspace = space_handle(check(H5Dget_space(run_complete_), "space"));
  check_status(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr), "select");
  const hsize_t one = 1;
  Handle mspace = space_handle(check(H5Screate_simple(1, &one, nullptr), "memory space"));
  const signed char flag = 1;
  check_status(H5Dwrite(run_complete_, H5T_NATIVE_SCHAR, mspace, fspace, H5P_DEFAULT, &flag), "write run_complete");
  check_status(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush " + partial_path_);
  complete_[scenario * layout_.replicates + replicate] = 1;
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
