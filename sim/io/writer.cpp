#include "sim/io/writer.hpp"

#include <fmt/format.h>
#include <cmath>
#include <filesystem>

#include "sim/core/error.hpp"
#include "sim/io/file_layout.hpp"

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
  CreatedFile created = create_file_layout(partial_path_, spec, metadata, layout_);
  file_ = std::move(created.file);
  variables_ = std::move(created.variables);
  run_complete_ = std::move(created.run_complete);
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
