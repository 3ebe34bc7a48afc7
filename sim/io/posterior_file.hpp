#pragma once
// Reading a calibration's posterior file (netCDF-4/HDF5, format
// "atcsim-calibration/1", written by `python3 -m atcsim calibrate`): the
// weighted sample of parameter sets that [posterior] runs draw from. Only the
// parts a run needs are read: parameter keys, samples and weights.
#include <cstdint>
#include <string>
#include <vector>

namespace atc::io {

struct PosteriorFile {
  std::string format;                        // the calibration_format attribute
  std::vector<std::string> keys;             // dotted keys (parameter_key), one per column
  std::vector<std::vector<double>> samples;  // [sample][parameter]
  std::vector<double> weights;               // one per sample, as stored (not checked)
  std::uint64_t checksum = 0;                // FNV-1a 64 of the file's bytes
};

// Throws ConfigError (no position: the caller names the config key) when the
// file cannot be read or lacks `samples`, `weights` or `parameter_key`.
PosteriorFile read_posterior_file(const std::string& path);

}  // namespace atc::io
