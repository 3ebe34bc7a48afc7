#include "sim/io/posterior_file.hpp"

#include <hdf5.h>

#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <mutex>

#include "sim/core/error.hpp"
#include "sim/core/text.hpp"
#include "sim/io/hdf5_file.hpp"

namespace atc::io {

namespace {

std::uint64_t file_checksum(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return fnv1a(bytes);
}

std::vector<hsize_t> dims_of(hid_t ds) {
  Handle space = space_handle(check(H5Dget_space(ds), "dataset space"));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

Handle open_dataset(hid_t file, const std::string& path, const std::string& name) {
  if (H5Lexists(file, name.c_str(), H5P_DEFAULT) <= 0) {
    throw ConfigError(fmt::format("{}: not a posterior file: no variable '{}'", path, name));
  }
  return dataset_handle(check(H5Dopen2(file, name.c_str(), H5P_DEFAULT), "open " + name));
}

std::vector<double> read_doubles(hid_t ds, std::size_t count, const std::string& name) {
  std::vector<double> out(count);
  if (count > 0) {
    check_status(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + name);
  }
  return out;
}

}  // namespace

PosteriorFile read_posterior_file(const std::string& path) {
  const std::lock_guard<std::mutex> lock(hdf5_mutex());
  quiet_hdf5_errors();
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    throw ConfigError(fmt::format("{}: not a posterior file (not netCDF-4/HDF5)", path));
  }
  PosteriorFile out;
  try {
    Handle file = file_handle(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path));
    out.format = has_attr(file.get(), "calibration_format")
                     ? read_string_attr(file.get(), "calibration_format")
                     : std::string();
    Handle keys = open_dataset(file.get(), path, "parameter_key");
    out.keys = read_strings(keys.get());
    Handle samples = open_dataset(file.get(), path, "samples");
    const auto dims = dims_of(samples.get());
    if (dims.size() != 2 || dims[1] != out.keys.size()) {
      throw ConfigError(
          fmt::format("{}: not a posterior file: 'samples' is not (sample, parameter) with {} "
                      "parameters",
                      path, out.keys.size()));
    }
    const auto n = static_cast<std::size_t>(dims[0]);
    const std::vector<double> flat = read_doubles(samples.get(), n * out.keys.size(), "samples");
    out.samples.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      out.samples[i].assign(flat.begin() + static_cast<std::ptrdiff_t>(i * out.keys.size()),
                            flat.begin() + static_cast<std::ptrdiff_t>((i + 1) * out.keys.size()));
    }
    Handle weights = open_dataset(file.get(), path, "weights");
    const auto wdims = dims_of(weights.get());
    if (wdims.size() != 1 || wdims[0] != n) {
      throw ConfigError(
          fmt::format("{}: not a posterior file: 'weights' has not one value per sample ({})", path, n));
    }
    out.weights = read_doubles(weights.get(), n, "weights");
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& e) {
    throw ConfigError(fmt::format("{}: cannot read the posterior file: {}", path, e.what()));
  }
  out.checksum = file_checksum(path);
  return out;
}

}  // namespace atc::io
