#pragma once
// Thin RAII and error handling over the HDF5 C API. Every failing call becomes
// an IoError that carries HDF5's own explanation. The serial HDF5 library is
// not thread-safe: every use goes through hdf5_mutex().
#include <hdf5.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace atc::io {

// Called first thing in main, before any other HDF5 call: HDF5 must not run its
// own clean-up at exit. After a failed write (a full disk) a file can be left
// half-closed, and that clean-up then crashes (SIGSEGV in H5F__close_cb) instead
// of letting the process exit with its one-line error. Every file is closed by
// its owner before main returns; the system reclaims the rest.
void skip_hdf5_cleanup_at_exit();

// Also silences HDF5's error printing on the calling thread (once per thread).
std::mutex& hdf5_mutex();

// Silences HDF5's own printing of error stacks on the calling thread (HDF5
// keeps one error stack per thread; we report errors ourselves).
void quiet_hdf5_errors();

// Throws IoError("<what>: <HDF5's message>") when status < 0.
hid_t check(hid_t id, const std::string& what);
void check_status(herr_t status, const std::string& what);

class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept;
  ~Handle() { reset(); }
  void reset();
  // Gives the id up without closing it (to close it yourself and check the result).
  [[nodiscard]] hid_t release() {
    const hid_t id = id_;
    id_ = -1;
    return id;
  }
  [[nodiscard]] hid_t get() const { return id_; }
  operator hid_t() const { return id_; }  // NOLINT: handles are used as ids throughout

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

Handle file_handle(hid_t id);
Handle dataset_handle(hid_t id);
Handle space_handle(hid_t id);
Handle type_handle(hid_t id);
Handle plist_handle(hid_t id);
Handle attr_handle(hid_t id);
Handle group_handle(hid_t id);

// Variable-length UTF-8 string type (for string coordinates).
Handle vlen_string_type();

void write_string_attr(hid_t obj, const std::string& name, const std::string& value);
void write_double_attr(hid_t obj, const std::string& name, double value);
void write_int_attr(hid_t obj, const std::string& name, std::int64_t value);
void write_int8_array_attr(hid_t obj, const std::string& name, const std::vector<signed char>& v);

bool has_attr(hid_t obj, const std::string& name);
std::string read_string_attr(hid_t obj, const std::string& name);  // fixed or variable length
std::int64_t read_int_attr(hid_t obj, const std::string& name);

// 1-D variable-length string dataset contents.
std::vector<std::string> read_strings(hid_t dataset);

}  // namespace atc::io
