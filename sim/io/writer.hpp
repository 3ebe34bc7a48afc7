#pragma once
// The HDF5 sink: a netCDF-4 / CF-1.8 compatible file (docs/output_schema.md).
//
// While an experiment runs, each completed run goes to the run journal,
// PATH.journal (sim/io/journal.hpp), and is durable before it counts as
// complete; nothing else is written. When every run is complete the HDF5
// file is written from the journal to PATH.partial, synced, renamed to PATH,
// and only then is the journal removed. A kill at any moment therefore
// leaves either PATH (complete) or a journal whose completed runs `--resume`
// keeps. A run that stops early (interrupted, failed) can also write
// PATH.partial from the journal: a readable view of the completed runs, with
// run_complete flags, that nothing relies on.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "sim/io/journal.hpp"
#include "sim/io/sink.hpp"

namespace atc::io {

struct FileMetadata {
  std::string command_line;
};

class Hdf5Sink : public Sink {
 public:
  // Starts PATH.journal. With resume, continues an existing PATH.journal of
  // the same resolved config (the output path's spelling aside), keeping its
  // completed runs. A journal without any completed run is started again
  // (see notice()). Throws ConfigError (refused, exit 2) or IoError.
  // `spec` must outlive the sink.
  Hdf5Sink(const sim::ExperimentSpec& spec, FileMetadata metadata, bool resume);
  ~Hdf5Sink() override = default;
  Hdf5Sink(const Hdf5Sink&) = delete;
  Hdf5Sink& operator=(const Hdf5Sink&) = delete;

  [[nodiscard]] bool run_complete(const RunId& run) const override;
  void write_site(const RunId& run, std::size_t site, const SiteSeries& series) override;
  void complete_run(const RunId& run) override;
  void finish() override;

  // Writes PATH.partial from the journal: the completed runs, the others
  // NaN with run_complete 0. Throws IoError (the journal is kept).
  void write_partial_view();

  [[nodiscard]] std::size_t completed_runs() const;
  [[nodiscard]] const std::string& partial_path() const { return partial_path_; }
  [[nodiscard]] const std::string& journal_path() const { return journal_path_; }
  [[nodiscard]] const std::string& final_path() const { return final_path_; }
  // A line for the user about what was found on disk ("" if nothing to say):
  // a journal started again, an incomplete last record dropped.
  [[nodiscard]] const std::string& notice() const { return notice_; }

 private:
  void open_journal(bool resume);
  void write_hdf5(const std::string& path, bool all_complete);
  [[nodiscard]] std::size_t offset_of(std::size_t indicator, std::size_t site) const;

  const sim::ExperimentSpec& spec_;
  FileMetadata metadata_;
  Layout layout_;
  std::string final_path_;
  std::string partial_path_;
  std::string journal_path_;
  std::string notice_;
  JournalShape shape_;
  mutable std::mutex mutex_;      // runs_in_flight_, journal_ (but journal_->sync())
  std::mutex sync_mutex_;         // synced_end_
  std::uint64_t synced_end_ = 0;  // the journal is durable up to here
  std::map<std::size_t, std::vector<double>> runs_in_flight_;  // by run index: sites received so far
  std::unique_ptr<Journal> journal_;
};

std::string partial_path_for(const std::string& path);
std::string journal_path_for(const std::string& path);

// What identifies an experiment in its journal: the atcsim version and the
// resolved config without the output path (the journal's own location names
// the output; `-o ./r.h5` and `-o r.h5` are the same experiment).
std::string journal_identity(const sim::ExperimentSpec& spec);

}  // namespace atc::io
