#include "sim/io/info.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hdf5_hl.h>
#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "atc/version.hpp"
#include "sim/core/error.hpp"
#include "sim/core/files.hpp"
#include "sim/io/hdf5_file.hpp"

namespace atc::io {

namespace {

struct Entry {
  std::string name;
  bool dataset = false;
};

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

std::vector<std::string> links(hid_t group) {
  std::vector<std::string> names;
  hsize_t idx = 0;
  H5Literate(group, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect_link, &names);
  return names;
}

std::vector<hsize_t> shape(hid_t ds) {
  Handle space = space_handle(check(H5Dget_space(ds), "space"));
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

std::string attr_or(hid_t obj, const std::string& name, const std::string& fallback) {
  return has_attr(obj, name) ? read_string_attr(obj, name) : fallback;
}

// What the file's dimensions hold (the later sections depend on it).
struct Extent {
  std::vector<std::string> scenarios;
  std::vector<std::string> sites;
  std::size_t points = 1;
  std::size_t replicates = 0;
  bool sweep = false;
};

void describe_header(std::ostringstream& out, hid_t file, const std::string& path) {
  out << fmt::format("file:        {}\n", path);
  out << fmt::format("title:       {}\n", attr_or(file, "title", "?"));
  out << fmt::format("model:       {}\n", attr_or(file, "model", "?"));
  out << fmt::format("created:     {} by atcsim {} (commit {})\n", attr_or(file, "created", "?"),
                     attr_or(file, "atcsim_version", "?"), attr_or(file, "git_commit", "?"));
  out << fmt::format("seed:        {}\n", read_int_attr(file, "seed"));
  out << fmt::format("command:     {}\n", attr_or(file, "command_line", ""));
}

Extent describe_dimensions(std::ostringstream& out, hid_t file) {
  auto strings_of = [&](const char* name) {
    Handle ds = dataset_handle(check(H5Dopen2(file, name, H5P_DEFAULT), std::string("open ") + name));
    return read_strings(ds);
  };
  Extent e;
  e.scenarios = strings_of("scenario");
  e.sites = strings_of("site");
  Handle time = dataset_handle(check(H5Dopen2(file, "time", H5P_DEFAULT), "open time"));
  const auto nt = shape(time).at(0);
  Handle rep = dataset_handle(check(H5Dopen2(file, "replicate", H5P_DEFAULT), "open replicate"));
  e.replicates = shape(rep).at(0);
  std::string point_text;
  if (H5Lexists(file, "point", H5P_DEFAULT) > 0) {
    Handle pt = dataset_handle(check(H5Dopen2(file, "point", H5P_DEFAULT), "open point"));
    e.points = shape(pt).at(0);
    e.sweep = true;
    point_text = fmt::format(" point={}", e.points);
  }
  out << fmt::format("dimensions:  scenario={}{} replicate={} site={} time={} ({})\n", e.scenarios.size(),
                     point_text, e.replicates, e.sites.size(), nt, attr_or(time, "units", "?"));
  if (e.sweep) {
    out << fmt::format("sweep:       {} over {}\n", attr_or(file, "sweep_method", "?"),
                       attr_or(file, "sweep_parameters", "?"));
  }
  out << "scenarios:   ";
  for (std::size_t i = 0; i < e.scenarios.size(); ++i) out << (i ? ", " : "") << e.scenarios[i];
  out << "\nsites:       ";
  for (std::size_t i = 0; i < e.sites.size(); ++i) out << (i ? ", " : "") << e.sites[i];
  out << "\n";
  return e;
}

// Provenance of site values: which are not from official statistics.
void describe_provenance(std::ostringstream& out, hid_t file, const std::vector<std::string>& sites) {
  if (H5Lexists(file, "site_provenance", H5P_DEFAULT) <= 0) return;
  Handle fields_ds = dataset_handle(check(H5Dopen2(file, "site_field", H5P_DEFAULT), "open site_field"));
  const auto fields = read_strings(fields_ds);
  Handle prov_ds =
      dataset_handle(check(H5Dopen2(file, "site_provenance", H5P_DEFAULT), "open site_provenance"));
  Handle space = space_handle(check(H5Dget_space(prov_ds), "space"));
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<char*> raw(n, nullptr);
  Handle mem = vlen_string_type();
  if (n > 0)
    check_status(H5Dread(prov_ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "read site_provenance");
  out << "provenance:  (per site: fields by source; 'assumption' = documented default, not data)\n";
  for (std::size_t i = 0; i < sites.size() && !fields.empty(); ++i) {
    std::map<std::string, std::vector<std::string>> by_source;
    for (std::size_t j = 0; j < fields.size(); ++j) {
      const std::size_t k = i * fields.size() + j;
      const char* p = k < n ? raw[k] : nullptr;  // never past the values read
      by_source[p != nullptr ? p : ""].push_back(fields[j]);
    }
    out << fmt::format("  {}:", sites[i]);
    for (const auto& [source, names] : by_source) {
      out << fmt::format(" {} [{}]", source, fmt::join(names, ", "));
    }
    out << "\n";
  }
  if (n > 0) H5Dvlen_reclaim(mem, space, H5P_DEFAULT, raw.data());
}

void describe_completion(std::ostringstream& out, hid_t file) {
  Handle rc = dataset_handle(check(H5Dopen2(file, "run_complete", H5P_DEFAULT), "open run_complete"));
  // As many flags as the dataset holds, whatever its shape: H5Dread fills the whole buffer.
  Handle space = space_handle(check(H5Dget_space(rc), "space"));
  std::vector<signed char> flags(
      static_cast<std::size_t>(std::max<hssize_t>(H5Sget_simple_extent_npoints(space), 0)));
  if (!flags.empty())
    check_status(H5Dread(rc, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, flags.data()),
                 "read run_complete");
  std::size_t done = 0;
  for (auto f : flags) done += f != 0 ? 1 : 0;
  out << fmt::format("runs:        {}/{} complete{}\n", done, flags.size(),
                     done == flags.size() ? "" : "  (INCOMPLETE: resume with atcsim run --resume)");
}

// Variables with units.
void describe_variables(std::ostringstream& out, hid_t file, bool sweep) {
  const std::vector<std::string> skip{
      "scenario",   "replicate",   "site",         "time",         "site_name",  "site_code",
      "network",    "population",  "step",         "run_complete", "parameters", "point",
      "sweep_role", "sweep_group", "sweep_factor", "site_field",   "site_value", "site_provenance"};
  out << "variables:\n";
  for (const auto& name : links(file)) {
    if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
    H5O_info_t oinfo;
    if (H5Oget_info_by_name2(file, name.c_str(), &oinfo, H5O_INFO_BASIC, H5P_DEFAULT) < 0) continue;
    if (oinfo.type != H5O_TYPE_DATASET) continue;
    Handle ds = dataset_handle(check(H5Dopen2(file, name.c_str(), H5P_DEFAULT), "open " + name));
    const auto dims = shape(ds);
    const std::size_t base_rank = sweep ? 5 : 4;
    if (dims.size() < base_rank) continue;  // coordinates
    std::string extra = dims.size() > base_rank ? fmt::format(" x{}", dims[base_rank]) : "";
    out << fmt::format("  {:<32} [{}]{}  {}\n", name, attr_or(ds, "units", "?"), extra,
                       attr_or(ds, "long_name", ""));
  }
}

// The value of a /parameters dataset (a number or a string) as text.
std::string parameter_value(hid_t ds, const std::string& name) {
  Handle type = type_handle(check(H5Dget_type(ds), "type"));
  if (H5Tget_class(type) == H5T_FLOAT) {
    double v = 0;
    check_status(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v), "read " + name);
    return fmt::format("{}", v);
  }
  if (H5Tget_class(type) == H5T_INTEGER) {
    std::int64_t v = 0;
    check_status(H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v), "read " + name);
    return fmt::format("{}", v);
  }
  char* s = nullptr;
  Handle mem = vlen_string_type();
  check_status(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s), "read " + name);
  std::string value = s != nullptr ? s : "";
  H5free_memory(s);
  return value;
}

void describe_parameters(std::ostringstream& out, hid_t file) {
  if (H5Lexists(file, "parameters", H5P_DEFAULT) <= 0) return;
  Handle params = group_handle(check(H5Gopen2(file, "parameters", H5P_DEFAULT), "open /parameters"));
  out << "parameters:\n";
  for (const auto& name : links(params)) {
    Handle ds = dataset_handle(check(H5Dopen2(params, name.c_str(), H5P_DEFAULT), "open " + name));
    const std::string value = parameter_value(ds, name);
    const std::string units = attr_or(ds, "units", "");
    const std::string source = attr_or(ds, "source", "");
    out << fmt::format("  {:<32} = {}{}{}\n", name, value, units.empty() || units == "1" ? "" : " " + units,
                       source == "assumption" ? "  (assumption)" : "");
  }
}

// ---------------------------------------------------------------------------
// The layout, checked before anything is described: the rules the analysis
// package applies when it opens a file (analysis/atcsim/dataset.py,
// `_layout_problem`, after h5netcdf and xarray have required every axis of a
// variable to be named by an HDF5 dimension scale and every dimension to have
// one size, and its file check that dimension scales and the axes they are
// attached to name each other), in the same order and words, so that `atcsim
// info` refuses what `atcsim.open` refuses. Only the root group is checked, as
// xarray opens it.

// A variable of the root group as netCDF-4 readers see it.
struct Variable {
  std::string name;
  std::vector<std::string> dims;  // one dimension name per axis
  std::vector<hsize_t> shape;
  H5T_class_t type_class = H5T_NO_CLASS;
  bool scale = false;  // a dimension scale: the coordinate of the dimension of its name
};

constexpr std::array<const char*, 4> kCoreDims{"scenario", "replicate", "site", "time"};
constexpr const char* kSweepDim = "point";
// 1-D coordinates the package relies on (run_complete: (scenario[, point], replicate)),
// and those of them that must hold numbers.
constexpr std::array<const char*, 9> kCheckedCoordinates{"site_name",  "site_code",   "network",
                                                         "population", "step",        "run_complete",
                                                         "sweep_role", "sweep_group", "sweep_factor"};
constexpr std::array<const char*, 5> kNumericCoordinates{"population", "step", "run_complete", "sweep_group",
                                                         "sweep_factor"};

template <typename Names>
bool contains(const Names& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// ('scenario', 'replicate'), as Python writes the tuple.
std::string dims_text(const std::vector<std::string>& dims) {
  std::string text = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? ", '" : "'") + dims[i] + "'";
  return text + (dims.size() == 1 ? ",)" : ")");
}

// Numbers are integers, floats and enumerations (booleans); anything else is named.
bool numeric(H5T_class_t c) {
  return c == H5T_INTEGER || c == H5T_FLOAT || c == H5T_ENUM;
}

std::string type_word(H5T_class_t c) {
  switch (c) {
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND:
      return "compound";
    case H5T_REFERENCE:
      return "reference";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_ARRAY:
      return "array";
    case H5T_VLEN:
      return "variable-length";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_TIME:
      return "time";
    default:
      return "non-numeric";
  }
}

// An object's path in the file ("" when it has none).
std::string object_path(hid_t id) {
  const ssize_t size = H5Iget_name(id, nullptr, 0);
  if (size <= 0) return "";
  std::string path(static_cast<std::size_t>(size) + 1, '\0');
  H5Iget_name(id, path.data(), path.size());
  path.resize(static_cast<std::size_t>(size));
  return path;
}

// The scales attached to one axis: the name of the last one (h5netcdf and netCDF-C
// take the last), and the first that does not list the axis back.
struct AxisScales {
  std::string name;
  std::string unlisted;
};

herr_t read_axis_scale(hid_t dataset, unsigned axis, hid_t scale, void* data) {
  auto& scales = *static_cast<AxisScales*>(data);
  const std::string path = object_path(scale);
  if (path.empty()) return -1;
  scales.name = path.substr(path.rfind('/') + 1);
  if (scales.unlisted.empty() && H5DSis_attached(dataset, scale, axis) <= 0) scales.unlisted = path;
  return 0;
}

// A scale lists back (REFERENCE_LIST) only axes that name it ("" when so).
std::string scale_users_problem(hid_t scale, const std::string& path) {
  if (!has_attr(scale, "REFERENCE_LIST")) return "";
  struct User {
    hobj_ref_t dataset;
    int axis;
  };
  Handle attr =
      attr_handle(check(H5Aopen(scale, "REFERENCE_LIST", H5P_DEFAULT), "open REFERENCE_LIST of " + path));
  Handle space = space_handle(check(H5Aget_space(attr), "space"));
  Handle mem = type_handle(check(H5Tcreate(H5T_COMPOUND, sizeof(User)), "type"));
  check_status(H5Tinsert(mem, "dataset", HOFFSET(User, dataset), H5T_STD_REF_OBJ), "type");
  check_status(H5Tinsert(mem, "dimension", HOFFSET(User, axis), H5T_NATIVE_INT), "type");
  std::vector<User> users(
      static_cast<std::size_t>(std::max<hssize_t>(H5Sget_simple_extent_npoints(space), 0)));
  if (!users.empty()) check_status(H5Aread(attr, mem, users.data()), "read REFERENCE_LIST of " + path);
  for (const auto& u : users) {
    Handle user(
        check(H5Rdereference2(scale, H5P_DEFAULT, H5R_OBJECT, &u.dataset), "dereference a user of " + path),
        H5Oclose);
    bool names_it = false;
    if (H5Iget_type(user) == H5I_DATASET && u.axis >= 0) {
      Handle user_space = space_handle(check(H5Dget_space(user), "space"));
      names_it = u.axis < H5Sget_simple_extent_ndims(user_space) &&
                 H5DSis_attached(user, scale, static_cast<unsigned>(u.axis)) > 0;
    }
    if (!names_it) {
      const std::string user_path = object_path(user);
      return fmt::format("inconsistent dimension scales: {} lists {} axis {}, which does not name it", path,
                         user_path.empty() ? "an unnamed object" : user_path, u.axis);
    }
  }
  return "";
}

// The root group's datasets with their dimensions, or the first variable whose
// dimensions cannot be named (in `problem`). Dimension scales must agree with
// the axes they are attached to, both ways (as the package's file check asks).
std::vector<Variable> root_variables(hid_t file, std::string& problem) {
  std::vector<Variable> vars;
  for (const auto& name : links(file)) {
    H5O_info_t oinfo;
    if (H5Oget_info_by_name2(file, name.c_str(), &oinfo, H5O_INFO_BASIC, H5P_DEFAULT) < 0) continue;
    if (oinfo.type != H5O_TYPE_DATASET) continue;
    Handle ds = dataset_handle(check(H5Dopen2(file, name.c_str(), H5P_DEFAULT), "open " + name));
    Handle type = type_handle(check(H5Dget_type(ds), "type of " + name));
    Variable v{name, {}, shape(ds), H5Tget_class(type), H5DSis_scale(ds) > 0};
    if (v.scale) {
      v.dims = {name};
      problem = scale_users_problem(ds, "/" + name);
      if (problem.empty() && v.shape.size() != 1) {
        problem = fmt::format("variable '{}' has {} axes but dimensions {}", name, v.shape.size(),
                              dims_text(v.dims));
      }
      if (!problem.empty()) return vars;
    } else {
      for (unsigned axis = 0; axis < v.shape.size(); ++axis) {
        AxisScales scales;
        if (H5DSget_num_scales(ds, axis) > 0)
          check_status(H5DSiterate_scales(ds, axis, nullptr, read_axis_scale, &scales),
                       fmt::format("dimension scales of {} axis {}", name, axis));
        if (!scales.unlisted.empty()) {
          problem =
              fmt::format("inconsistent dimension scales: /{} axis {} names {}, which does not list it back",
                          name, axis, scales.unlisted);
        } else if (scales.name.empty()) {
          problem = fmt::format("variable '{}' has no dimension scale associated with axis {}", name, axis);
        }
        if (!problem.empty()) return vars;
        v.dims.push_back(scales.name);
      }
    }
    vars.push_back(std::move(v));
  }
  return vars;
}

// What makes the file unusable as an atcsim output ("" when nothing does).
std::string layout_problem(hid_t file) {
  std::string problem;
  const std::vector<Variable> vars = root_variables(file, problem);
  if (!problem.empty()) return problem;
  // One size per dimension: its coordinate's (the scales come first), then every variable's.
  std::map<std::string, std::pair<hsize_t, std::string>> sizes;
  for (const bool scales : {true, false}) {
    for (const auto& v : vars) {
      if (v.scale != scales) continue;
      for (std::size_t axis = 0; axis < v.dims.size(); ++axis) {
        const auto [it, added] = sizes.try_emplace(v.dims[axis], v.shape[axis], v.name);
        if (!added && it->second.first != v.shape[axis]) {
          return fmt::format("conflicting sizes for dimension '{}': length {} on '{}' and length {} on '{}'",
                             v.dims[axis], v.shape[axis], v.name, it->second.first, it->second.second);
        }
      }
    }
  }
  std::vector<std::string> missing;
  for (const char* dim : kCoreDims) {
    if (sizes.count(dim) == 0) missing.emplace_back(dim);
  }
  if (!missing.empty())
    return fmt::format("atcsim_schema is set but dimension(s) {} are missing", fmt::join(missing, ", "));
  const auto find = [&](const std::string& name) -> const Variable* {
    const auto it = std::find_if(vars.begin(), vars.end(), [&](const Variable& v) { return v.name == name; });
    return it == vars.end() ? nullptr : &*it;
  };
  for (const char* dim : {"scenario", "replicate", "site", "time", kSweepDim}) {
    const Variable* v = find(dim);
    if (v != nullptr && v->dims != std::vector<std::string>{dim})
      return fmt::format("coordinate '{}' has dimensions {}; expected ('{}',)", dim, dims_text(v->dims), dim);
  }
  // Indicators: the variables with every core dimension that are not a dimension's coordinate.
  std::vector<const Variable*> indicators;
  for (const auto& v : vars) {
    const bool coordinate = v.dims == std::vector<std::string>{v.name};
    const bool core =
        std::all_of(kCoreDims.begin(), kCoreDims.end(), [&](const char* d) { return contains(v.dims, d); });
    if (!coordinate && core) indicators.push_back(&v);
  }
  if (indicators.empty())
    return "no indicator variable (none has the dimensions scenario, replicate, site, time)";
  for (const Variable* v : indicators) {
    if (!numeric(v->type_class))
      return fmt::format("indicator '{}' holds {} values; expected numbers", v->name,
                         type_word(v->type_class));
  }
  for (const char* name : kCheckedCoordinates) {
    const Variable* v = find(name);
    if (v == nullptr) continue;
    if (v->name == "run_complete") {
      const std::array<std::string, 3> allowed{"scenario", kSweepDim, "replicate"};
      const bool within = std::all_of(v->dims.begin(), v->dims.end(),
                                      [&](const std::string& d) { return contains(allowed, d); });
      if (!within || !contains(v->dims, "scenario") || !contains(v->dims, "replicate")) {
        return fmt::format("run_complete has dimensions {}; expected (scenario[, point], replicate)",
                           dims_text(v->dims));
      }
    } else if (v->dims.size() != 1) {
      return fmt::format("variable '{}' has dimensions {}; expected one dimension", name, dims_text(v->dims));
    }
    if (contains(kNumericCoordinates, name) && !numeric(v->type_class))
      return fmt::format("variable '{}' holds {} values; expected numbers", name, type_word(v->type_class));
  }
  return "";
}

// What every file written by `atcsim run` has; without it `info` cannot describe the file.
constexpr std::array<const char*, 1> kRequiredAttributes{"seed"};
constexpr std::array<const char*, 5> kRequiredDatasets{"scenario", "replicate", "site", "time",
                                                       "run_complete"};

// HDF5's "truncated file: eof = 30000, sblock->base_addr = 0, stored_eof = 68285" in words.
std::string truncation(const std::string& hdf5_message) {
  const auto at = hdf5_message.find("stored_eof = ");
  const auto eof = hdf5_message.find("eof = ");
  if (at == std::string::npos || eof == std::string::npos) return "truncated HDF5 file";
  const auto number = [&](std::size_t pos) {
    const auto begin = hdf5_message.find('=', pos) + 2;
    return hdf5_message.substr(begin, hdf5_message.find_first_not_of("0123456789", begin) - begin);
  };
  return fmt::format("truncated HDF5 file ({} of {} bytes: copied or written only in part)", number(eof),
                     number(at));
}

// Opens `path` as an atcsim result file, or throws ConfigError (exit code 2)
// naming the file and what is wrong, in the words of the analysis package
// (analysis/atcsim/dataset.py: check_file).
Handle open_result_file(const std::string& path) {
  constexpr const char* kExpected = "expected a file written by `atcsim run`";
  // Never blocks: a FIFO is not opened (H5Fis_hdf5 waited for a writer).
  if (const std::string why = unreadable_file_reason(path); !why.empty()) {
    if (why == "not found") throw ConfigError(fmt::format("{}: no such file", path));
    throw ConfigError(fmt::format("{}: {}; {}", path, why, kExpected));
  }
  std::error_code ec;
  if (std::filesystem::file_size(path, ec) == 0 && !ec)
    throw ConfigError(fmt::format("{}: empty file (0 bytes); {}", path, kExpected));
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw ConfigError(fmt::format("{}: not an HDF5 file; {}", path, kExpected));
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) {
    std::string message;
    try {
      check(id, "open");
    } catch (const IoError& e) {
      message = std::string(e.what()).substr(std::string_view("open: ").size());
    }
    if (message.find("truncated file") != std::string::npos)
      throw ConfigError(fmt::format("{}: {}", path, truncation(message)));
    throw ConfigError(fmt::format("{}: damaged HDF5 file ({})", path, message));
  }
  Handle file = file_handle(id);
  if (!has_attr(file, "atcsim_schema")) {
    throw ConfigError(fmt::format("{}: not an atcsim result file (no 'atcsim_schema' global attribute); {}",
                                  path, kExpected));
  }
  std::int64_t schema = -1;
  try {
    schema = read_int_attr(file, "atcsim_schema");
  } catch (const IoError& e) {
    throw ConfigError(fmt::format("{}: damaged atcsim result file ({})", path, e.what()));
  }
  if (schema != kSchemaVersion) {
    throw ConfigError(
        fmt::format("{}: written by {} atcsim (output schema {}; this one reads schema {} only): {}", path,
                    schema > kSchemaVersion ? "a newer" : "an older", schema, kSchemaVersion,
                    schema > kSchemaVersion ? "use the atcsim release that wrote it"
                                            : "re-run the experiment with this atcsim"));
  }
  for (const char* name : kRequiredAttributes) {
    if (!has_attr(file, name))
      throw ConfigError(
          fmt::format("{}: not an atcsim result file (no '{}' attribute); {}", path, name, kExpected));
  }
  std::vector<std::string> missing;
  for (const char* name : kRequiredDatasets) {
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) missing.emplace_back(name);
  }
  if (!missing.empty()) {
    throw ConfigError(fmt::format("{}: not an atcsim result file (no {} dataset{}); {}", path,
                                  fmt::join(missing, ", "), missing.size() > 1 ? "s" : "", kExpected));
  }
  return file;
}

}  // namespace

std::string describe_file(const std::string& path) {
  std::lock_guard lock(hdf5_mutex());
  quiet_hdf5_errors();
  Handle file = open_result_file(path);
  std::ostringstream out;
  try {
    if (const std::string problem = layout_problem(file); !problem.empty())
      throw ConfigError(fmt::format("{}: {}", path, problem));
    describe_header(out, file, path);
    const Extent extent = describe_dimensions(out, file);
    describe_provenance(out, file, extent.sites);
    describe_completion(out, file);
    describe_variables(out, file, extent.sweep);
    describe_parameters(out, file);
  } catch (const IoError& e) {
    // Laid out as an atcsim file, yet something in it cannot be read as one.
    throw ConfigError(fmt::format("{}: malformed atcsim result file: {}", path, e.what()));
  }
  return out.str();
}

}  // namespace atc::io
