#include "support/h5read.hpp"

#include <cstring>

#include "sim/io/hdf5_file.hpp"

namespace atc::test {

namespace {
herr_t collect(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}
}  // namespace

Variables read_variables(const std::string& path) {
  using namespace atc::io;
  std::lock_guard lock(hdf5_mutex());
  Handle file = file_handle(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path));
  std::vector<std::string> names;
  hsize_t idx = 0;
  H5Literate(file, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect, &names);
  std::map<std::string, std::vector<double>> out;
  for (const auto& name : names) {
    H5O_info_t info;
    if (H5Oget_info_by_name2(file, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) continue;
    if (info.type != H5O_TYPE_DATASET) continue;
    Handle ds = dataset_handle(check(H5Dopen2(file, name.c_str(), H5P_DEFAULT), name));
    Handle type = type_handle(check(H5Dget_type(ds), name));
    if (H5Tget_class(type) == H5T_STRING) continue;
    Handle space = space_handle(check(H5Dget_space(ds), name));
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 2 && name != "time") continue;
    std::vector<double> values(static_cast<std::size_t>(n));
    if (n > 0)
      check_status(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), name);
    out[name] = std::move(values);
  }
  return out;
}

std::vector<std::string> read_strings(const std::string& path, const std::string& dataset) {
  using namespace atc::io;
  std::lock_guard lock(hdf5_mutex());
  Handle file = file_handle(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + path));
  Handle ds = dataset_handle(check(H5Dopen2(file, dataset.c_str(), H5P_DEFAULT), dataset));
  Handle space = space_handle(check(H5Dget_space(ds), dataset));
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<char*> raw(n, nullptr);
  Handle type = vlen_string_type();
  if (n > 0) check_status(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), dataset);
  std::vector<std::string> out;
  for (char* p : raw) out.emplace_back(p != nullptr ? p : "");
  if (n > 0) H5Dvlen_reclaim(type, space, H5P_DEFAULT, raw.data());
  return out;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

bool identical(const Variables& a, const Variables& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, values] : a) {
    const auto it = b.find(name);
    if (it == b.end() || !same_bits(values, it->second)) return false;
  }
  return true;
}

}  // namespace atc::test
