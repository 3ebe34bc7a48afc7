#include "sim/io/writer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "atc/version.hpp"
#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/files.hpp"
#include "sim/io/file_layout.hpp"
#include "sim/io/hdf5_file.hpp"

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

std::string journal_path_for(const std::string& path) {
  return path + ".journal";
}

std::string journal_identity(const sim::ExperimentSpec& spec) {
  std::string config = spec.resolved_toml;
  try {
    toml::table table = toml::parse(spec.resolved_toml);
    if (auto* output = table["output"].as_table()) output->erase("path");
    config = sim::to_toml(table);
  } catch (const toml::parse_error&) {
    // Cannot happen (atcsim wrote it); the whole text is then the identity.
  }
  return fmt::format("atcsim {} (schema {})\n{}", kVersion, kSchemaVersion, config);
}

namespace {

// True when something (a file, a link, even a dangling one) is at `path`.
bool entry_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 || errno != ENOENT;
}

// A regular file nobody may write to: replacing it would silently undo that.
bool read_only_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0;
}

void remove_entry(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw IoError(fmt::format("cannot remove {}: {}", path, std::strerror(errno)));
}

// Writes one indicator of one run (every site) into its variable.
void write_run_indicator(hid_t variable, const Layout& layout, const RunId& run, std::size_t indicator,
                         const double* values, const std::string& path) {
  std::vector<hsize_t> start{run.scenario};
  if (layout.has_point_dimension) start.push_back(run.point);
  start.insert(start.end(), {run.replicate, 0, 0});
  std::vector<hsize_t> count(start.size(), 1);
  count[count.size() - 2] = layout.sites;
  count.back() = layout.steps.size();
  if (!layout.indicators[indicator]->extra_dimension.empty()) {
    start.push_back(0);
    count.push_back(layout.extent[indicator]);
  }
  Handle fspace = space_handle(check(H5Dget_space(variable), "space"));
  check_status(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
               "select");
  const hsize_t n = layout.sites * layout.values_per_site(indicator);
  Handle mspace = space_handle(check(H5Screate_simple(1, &n, nullptr), "memory space"));
  check_status(H5Dwrite(variable, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, values),
               fmt::format("write {} to {}", layout.indicators[indicator]->name, path));
}

}  // namespace

Hdf5Sink::Hdf5Sink(const sim::ExperimentSpec& spec, FileMetadata metadata, bool resume)
    : spec_(spec),
      metadata_(std::move(metadata)),
      layout_(Layout::of(spec)),
      final_path_(spec.output.path),
      partial_path_(partial_path_for(spec.output.path)),
      journal_path_(journal_path_for(spec.output.path)) {
  shape_.runs = layout_.run_count();
  for (std::size_t k = 0; k < layout_.indicators.size(); ++k)
    shape_.doubles_per_run += layout_.sites * layout_.values_per_site(k);
  if (read_only_file(final_path_)) {
    throw ConfigError(fmt::format(
        "{} exists and is read-only: it is not replaced (make it writable or remove it)", final_path_));
  }
  open_journal(resume);
}

void Hdf5Sink::open_journal(bool resume) {
  const std::string identity = journal_identity(spec_);
  if (!entry_exists(journal_path_)) {
    if (entry_exists(partial_path_)) {
      throw ConfigError(fmt::format(
          "{} exists without its journal {}: nothing can be resumed from it (it was written by an older "
          "atcsim, or the journal was deleted); delete it to start again",
          partial_path_, journal_path_));
    }
    if (resume) {
      throw ConfigError(
          fmt::format("--resume: no interrupted run to resume ({} does not exist)", journal_path_));
    }
    journal_ = std::make_unique<Journal>(Journal::create(journal_path_, identity, shape_));
    return;
  }
  Journal::Opened opened = Journal::Opened::kRuns;
  std::unique_ptr<Journal> found;
  try {
    // Only a resume repairs (truncates an incomplete last record): a refused command changes nothing.
    found = std::make_unique<Journal>(Journal::open(journal_path_, identity, shape_, opened, resume));
  } catch (const ConfigError& e) {
    if (resume)
      throw ConfigError(
          fmt::format("cannot resume from {}: {}; delete it to start again", journal_path_, e.what()));
    throw ConfigError(fmt::format(
        "{} exists (an earlier run was interrupted) and cannot be resumed: {}; delete it to start again",
        journal_path_, e.what()));
  }
  if (opened == Journal::Opened::kTornHeader || found->completed_runs() == 0) {
    found.reset();
    notice_ =
        fmt::format("{} holds no completed run (interrupted before the first run finished): starting again",
                    journal_path_);
    journal_ = std::make_unique<Journal>(Journal::create(journal_path_, identity, shape_));
    return;
  }
  if (!resume) {
    throw ConfigError(fmt::format(
        "{} exists: an earlier run of this experiment was interrupted with {} run(s) complete. Continue it "
        "with --resume, or delete the file to start again",
        journal_path_, found->completed_runs()));
  }
  if (found->dropped_bytes() > 0) {
    notice_ = fmt::format(
        "{}: dropped its incomplete last record (the interruption hit its write); that run is run again",
        journal_path_);
  }
  journal_ = std::move(found);
}

bool Hdf5Sink::run_complete(const RunId& run) const {
  std::lock_guard lock(mutex_);
  return journal_->complete(layout_.run_index(run));
}

std::size_t Hdf5Sink::completed_runs() const {
  std::lock_guard lock(mutex_);
  return journal_->completed_runs();
}

std::size_t Hdf5Sink::offset_of(std::size_t indicator, std::size_t site) const {
  std::size_t before = 0;
  for (std::size_t k = 0; k < indicator; ++k) before += layout_.values_per_site(k);
  return layout_.sites * before + site * layout_.values_per_site(indicator);
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
  std::lock_guard lock(mutex_);
  std::vector<double>& data = runs_in_flight_[layout_.run_index(run)];
  if (data.empty()) data.assign(shape_.doubles_per_run, std::nan(""));
  for (std::size_t k = 0; k < layout_.indicators.size(); ++k) {
    if (series.values[k].size() != layout_.values_per_site(k))
      throw Error("internal: site series of the wrong size");
    std::copy(series.values[k].begin(), series.values[k].end(),
              data.begin() + static_cast<std::ptrdiff_t>(offset_of(k, site)));
  }
}

void Hdf5Sink::complete_run(const RunId& run) {
  std::uint64_t end = 0;
  {
    std::lock_guard lock(mutex_);
    const std::size_t index = layout_.run_index(run);
    auto it = runs_in_flight_.find(index);
    if (it == runs_in_flight_.end()) throw Error("internal: a run completed without any site written");
    end = journal_->append(index, it->second);
    runs_in_flight_.erase(it);
  }
  // Group commit: the run counts as complete (this returns) once a sync that
  // began after its record was written has ended; one sync covers the records
  // other threads appended meanwhile, and appending goes on during a sync.
  std::lock_guard lock(sync_mutex_);
  if (synced_end_ >= end) return;
  std::uint64_t covered = 0;
  {
    std::lock_guard journal_lock(mutex_);
    covered = journal_->end();
  }
  journal_->sync();
  synced_end_ = covered;
}

void Hdf5Sink::write_hdf5(const std::string& path, bool all_complete) {
  std::lock_guard lock(hdf5_mutex());
  // Never written through: a link (even to /dev/null) or a stale file is replaced.
  remove_entry(path);
  // A second Ctrl-C while it is written removes it (sim/cli/signals.hpp).
  const FileInProgress in_progress(path);
  try {
    CreatedFile created = create_file_layout(path, spec_, metadata_, layout_);
    std::vector<double> data;
    std::vector<signed char> flags(layout_.run_count(), 0);
    for (std::size_t index = 0; index < layout_.run_count(); ++index) {
      if (!journal_->complete(index)) {
        if (all_complete) throw Error("internal: the HDF5 file written before every run completed");
        continue;
      }
      journal_->read(index, data);
      const RunId run = layout_.run_id(index);
      for (std::size_t k = 0; k < layout_.indicators.size(); ++k)
        write_run_indicator(created.variables[k], layout_, run, k, data.data() + offset_of(k, 0), path);
      flags[index] = 1;
    }
    if (!flags.empty()) {
      check_status(
          H5Dwrite(created.run_complete, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, flags.data()),
          "write run_complete");
    }
    created.variables.clear();
    created.run_complete.reset();
    // Closing writes the last metadata: it can fail (a full disk) and must be checked.
    check_status(H5Fclose(created.file.release()), "close " + path);
  } catch (...) {
    ::unlink(path.c_str());  // never a half-written file that looks like a result
    throw;
  }
}

void Hdf5Sink::finish() {
  std::lock_guard lock(mutex_);
  if (journal_->completed_runs() != layout_.run_count())
    throw Error("internal: finish() before every run completed");
  write_hdf5(partial_path_, true);
  // Durable before it takes the final name, and the name durable before the
  // journal goes: at every moment either PATH or the journal holds the runs.
  sync_file(partial_path_);
  if (read_only_file(final_path_)) {
    throw IoError(fmt::format("{} exists and is read-only: it is not replaced (the result is in {})",
                              final_path_, partial_path_));
  }
  std::error_code ec;
  fs::rename(partial_path_, final_path_, ec);
  if (ec) throw IoError(fmt::format("cannot rename {} to {}: {}", partial_path_, final_path_, ec.message()));
  sync_folder_of(final_path_);
  journal_->close();
  remove_entry(journal_path_);
  sync_folder_of(journal_path_);
}

void Hdf5Sink::write_partial_view() {
  std::lock_guard lock(mutex_);
  if (journal_->completed_runs() == 0) return;
  write_hdf5(partial_path_, false);
}

}  // namespace atc::io
