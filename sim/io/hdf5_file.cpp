#include "sim/io/hdf5_file.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cstring>

#include "sim/core/error.hpp"

namespace atc::io {

void skip_hdf5_cleanup_at_exit() {
  H5dont_atexit();
}

std::mutex& hdf5_mutex() {
  // Debian's HDF5 is built thread-safe: each thread has its own error stack,
  // which by default prints itself whole (dozens of lines) when a call fails.
  // Every thread that uses HDF5 comes through here first, so this silences it
  // on every thread, not just the main one: our IoError is the one line.
  thread_local const bool quiet = (quiet_hdf5_errors(), true);
  (void)quiet;
  static std::mutex m;
  return m;
}

void quiet_hdf5_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace {
herr_t collect(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  // The outermost entry (n == 0) is the API call; the innermost explains why.
  if (err->desc != nullptr && err->desc[0] != '\0') *out = err->desc;
  (void)n;
  return 0;
}

// HDF5's innermost description, as one line. A failed file write describes
// itself over two lines with a timestamp, buffer addresses and offsets
// ("file write failed: time = ...\n, filename = ..., errno = 27, error message
// = 'File too large', ..."): only its cause is kept.
std::string hdf5_message() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &message);
  H5Eclear2(H5E_DEFAULT);
  if (message.empty()) return "HDF5 error";
  const std::string marker = "error message = '";
  const auto cause = message.find(marker);
  if (cause != std::string::npos) {
    const auto begin = cause + marker.size();
    const auto end = message.find('\'', begin);
    const auto colon = message.find(':');
    const std::string what = colon != std::string::npos && colon < cause ? message.substr(0, colon) : "I/O";
    message = what + ": " + message.substr(begin, end == std::string::npos ? end : end - begin);
  }
  return one_line(message, 1000);
}
}  // namespace

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) throw IoError(fmt::format("{}: {}", what, hdf5_message()));
  return id;
}

void check_status(herr_t status, const std::string& what) {
  if (status < 0) throw IoError(fmt::format("{}: {}", what, hdf5_message()));
}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = -1;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && closer_ != nullptr) closer_(id_);
  id_ = -1;
}

Handle file_handle(hid_t id) {
  return {id, H5Fclose};
}
Handle dataset_handle(hid_t id) {
  return {id, H5Dclose};
}
Handle space_handle(hid_t id) {
  return {id, H5Sclose};
}
Handle type_handle(hid_t id) {
  return {id, H5Tclose};
}
Handle plist_handle(hid_t id) {
  return {id, H5Pclose};
}
Handle attr_handle(hid_t id) {
  return {id, H5Aclose};
}
Handle group_handle(hid_t id) {
  return {id, H5Gclose};
}

Handle vlen_string_type() {
  Handle t = type_handle(check(H5Tcopy(H5T_C_S1), "string type"));
  check_status(H5Tset_size(t, H5T_VARIABLE), "string type");
  check_status(H5Tset_cset(t, H5T_CSET_UTF8), "string type");
  return t;
}

void write_string_attr(hid_t obj, const std::string& name, const std::string& value) {
  // Fixed-length scalar strings: read by netCDF as text attributes.
  Handle type = type_handle(check(H5Tcopy(H5T_C_S1), "attribute type"));
  check_status(H5Tset_size(type, value.empty() ? 1 : value.size()), "attribute type");
  check_status(H5Tset_strpad(type, H5T_STR_NULLTERM), "attribute type");
  check_status(H5Tset_cset(type, H5T_CSET_UTF8), "attribute type");
  Handle space = space_handle(check(H5Screate(H5S_SCALAR), "attribute space"));
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  Handle attr = attr_handle(check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                                  "create attribute " + name));
  std::string padded = value.empty() ? std::string(1, '\0') : value;
  check_status(H5Awrite(attr, type, padded.data()), "write attribute " + name);
}

void write_double_attr(hid_t obj, const std::string& name, double value) {
  Handle space = space_handle(check(H5Screate(H5S_SCALAR), "attribute space"));
  Handle attr =
      attr_handle(check(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                        "create attribute " + name));
  check_status(H5Awrite(attr, H5T_NATIVE_DOUBLE, &value), "write attribute " + name);
}

void write_int_attr(hid_t obj, const std::string& name, std::int64_t value) {
  Handle space = space_handle(check(H5Screate(H5S_SCALAR), "attribute space"));
  Handle attr =
      attr_handle(check(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                        "create attribute " + name));
  check_status(H5Awrite(attr, H5T_NATIVE_INT64, &value), "write attribute " + name);
}

void write_int8_array_attr(hid_t obj, const std::string& name, const std::vector<signed char>& v) {
  const hsize_t n = v.size();
  Handle space = space_handle(check(H5Screate_simple(1, &n, nullptr), "attribute space"));
  Handle attr =
      attr_handle(check(H5Acreate2(obj, name.c_str(), H5T_STD_I8LE, space, H5P_DEFAULT, H5P_DEFAULT),
                        "create attribute " + name));
  check_status(H5Awrite(attr, H5T_NATIVE_SCHAR, v.data()), "write attribute " + name);
}

bool has_attr(hid_t obj, const std::string& name) {
  return H5Aexists(obj, name.c_str()) > 0;
}

std::string read_string_attr(hid_t obj, const std::string& name) {
  Handle attr = attr_handle(check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "open attribute " + name));
  Handle type = type_handle(check(H5Aget_type(attr), "attribute type"));
  if (H5Tget_class(type) != H5T_STRING) throw IoError(fmt::format("attribute {} is not a string", name));
  if (H5Tis_variable_str(type) > 0) {
    char* value = nullptr;
    Handle mem = vlen_string_type();
    check_status(H5Aread(attr, mem, &value), "read attribute " + name);
    std::string out = value != nullptr ? value : "";
    H5free_memory(value);
    return out;
  }
  const std::size_t size = H5Tget_size(type);
  std::string out(size, '\0');
  check_status(H5Aread(attr, type, out.data()), "read attribute " + name);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::int64_t read_int_attr(hid_t obj, const std::string& name) {
  Handle attr = attr_handle(check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "open attribute " + name));
  // One value is read: an array attribute (a damaged or foreign file) would
  // overrun it, and a string one cannot be converted.
  Handle space = space_handle(check(H5Aget_space(attr), "attribute space " + name));
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n != 1) throw IoError(fmt::format("attribute {}: expected one number, got {} values", name, n));
  Handle type = type_handle(check(H5Aget_type(attr), "attribute type " + name));
  const H5T_class_t kind = H5Tget_class(type);
  if (kind != H5T_INTEGER && kind != H5T_FLOAT)
    throw IoError(fmt::format("attribute {}: expected a number", name));
  std::int64_t value = 0;
  check_status(H5Aread(attr, H5T_NATIVE_INT64, &value), "read attribute " + name);
  return value;
}

std::vector<std::string> read_strings(hid_t dataset) {
  Handle space = space_handle(check(H5Dget_space(dataset), "dataset space"));
  // Every value, whatever the rank (a damaged file's "1-D" dataset may have more axes).
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  const auto n = static_cast<std::size_t>(std::max<hssize_t>(points, 0));
  std::vector<char*> raw(n, nullptr);
  Handle mem = vlen_string_type();
  if (n > 0) check_status(H5Dread(dataset, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "read strings");
  std::vector<std::string> out;
  for (char* s : raw) out.emplace_back(s != nullptr ? s : "");
  if (n > 0) H5Dvlen_reclaim(mem, space, H5P_DEFAULT, raw.data());
  return out;
}

}  // namespace atc::io
