#pragma once
// Creating a result file's layout (docs/output_schema.md): dimensions and
// their coordinates, sweep coordinates, site profiles, the indicator
// variables and run_complete (all fill values), global attributes and the
// /parameters group. Data are written later by Hdf5Sink.
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

// Creates `path` (truncating it) with every dataset and attribute of the
// layout, and flushes it. Call with hdf5_mutex() held. Throws IoError.
CreatedFile create_file_layout(const std::string& path, const sim::ExperimentSpec& spec,
                               const FileMetadata& metadata, const Layout& layout);

}  // namespace atc::io
