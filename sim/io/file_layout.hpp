#pragma once
// Creating a result file's layout (docs/output_schema.md): dimensions and
// their coordinates, sweep coordinates, site profiles, the indicator
// variables and run_complete (all fill values), global attributes and the
// /parameters group. Data are written later by Hdf5Sink.
#include <cstddef>
#include <string>
#include <vector>

#include "sim/io/hdf5_file.hpp"
#include "sim/io/sink.hpp"

namespace atc::io {

struct FileMetadata;

// The open handles of a newly created file that the sink writes through.
struct CreatedFile {
  Handle file;
  std::vector<Handle> variables;  // recorded indicators, in layout order
  Handle run_complete;
};

// A chunk of an indicator variable holds one run's series of this many sites
// (each `bytes_per_site` bytes): all of the run's `sites`, or as many as fit
// in kChunkBytes. Few chunks make the file quick to read whole (HDF5 spends
// tens of microseconds on each chunk, whatever its size: with one chunk per
// run-site, reading a 15-site experiment took two seconds, most of a report's
// reading); bounded chunks stay in HDF5's chunk cache (1 MiB per dataset) and
// keep reading one site of a large experiment cheap.
inline constexpr std::size_t kChunkBytes = std::size_t{256} * 1024;
std::size_t sites_per_chunk(std::size_t sites, std::size_t bytes_per_site);

// Creates `path` (truncating it) with every dataset and attribute of the
// layout, and flushes it. Call with hdf5_mutex() held. Throws IoError.
CreatedFile create_file_layout(const std::string& path, const sim::ExperimentSpec& spec,
                               const FileMetadata& metadata, const Layout& layout);

}  // namespace atc::io
