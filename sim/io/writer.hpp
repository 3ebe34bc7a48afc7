#pragma once
// The HDF5 sink: a netCDF-4 / CF-1.8 compatible file (docs/output_schema.md),
// written to PATH.partial and renamed to PATH when every run is complete.
#include <memory>
#include <string>

#include "sim/io/hdf5_file.hpp"
#include "sim/io/sink.hpp"

namespace atc::io {

struct FileMetadata {
  std::string command_line;
};

class Hdf5Sink : public Sink {
 public:
  // Creates PATH.partial. With resume, reopens an existing PATH.partial written
  // by the same resolved config, keeping its completed runs.
  Hdf5Sink(const sim::ExperimentSpec& spec, const FileMetadata& metadata, bool resume);
  ~Hdf5Sink() override;
  Hdf5Sink(const Hdf5Sink&) = delete;
  Hdf5Sink& operator=(const Hdf5Sink&) = delete;

  [[nodiscard]] bool run_complete(const RunId& run) const override;
  void write_site(const RunId& run, std::size_t site, const SiteSeries& series) override;
  void complete_run(const RunId& run) override;
  void finish() override;

  [[nodiscard]] std::size_t completed_runs() const;
  [[nodiscard]] const std::string& partial_path() const { return partial_path_; }
  [[nodiscard]] const std::string& final_path() const { return final_path_; }

 private:
  void create_layout(const sim::ExperimentSpec& spec, const FileMetadata& metadata);
  void open_for_resume(const sim::ExperimentSpec& spec);

  Layout layout_;
  std::string final_path_;
  std::string partial_path_;
  Handle file_;
  std::vector<Handle> variables_;  // recorded indicators, in layout order
  Handle run_complete_;
  std::vector<signed char> complete_;  // by Layout::run_index
};

std::string partial_path_for(const std::string& path);

}  // namespace atc::io
