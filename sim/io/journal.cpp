#include "sim/io/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "sim/core/error.hpp"
#include "sim/io/crc32c.hpp"

namespace atc::io {

namespace {

namespace fs = std::filesystem;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the journal stores little-endian integers and doubles");

constexpr char kMagic[8] = {'A', 'T', 'C', 'J', 'R', 'N', 'L', '\n'};
constexpr char kRecordMagic[4] = {'R', 'U', 'N', '\0'};
constexpr std::size_t kRecordHead = 4 + 4 + 8 + 8;

std::string os_error(const std::string& what, const std::string& path, int error) {
  return fmt::format("{} {}: {}", what, path, std::strerror(error));
}

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
T get(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

// Writes all of `size` bytes at `offset` (pwrite may write less, e.g. on a full disk).
void write_all(int fd, const char* data, std::size_t size, std::uint64_t offset, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IoError(os_error("cannot write", path, errno));
    if (n == 0) throw IoError(os_error("cannot write", path, ENOSPC));
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
}

// Reads up to `size` bytes at `offset`; returns how many (fewer at the end of the file).
std::size_t read_some(int fd, char* data, std::size_t size, std::uint64_t offset, const std::string& path) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IoError(os_error("cannot read", path, errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

void sync_fd(int fd, const std::string& path) {
  if (::fsync(fd) != 0) throw IoError(os_error("cannot sync", path, errno));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Why two identities differ, in a few words.
std::string identity_difference(const std::string& journal, const std::string& current) {
  const auto a = lines_of(journal);
  const auto b = lines_of(current);
  if (a.empty() || b.empty() || a.front() != b.front()) {
    return fmt::format("it was written by {}, this is {}", a.empty() ? "?" : one_line(a.front(), 80),
                       b.empty() ? "?" : one_line(b.front(), 80));
  }
  for (std::size_t i = 1; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "(end)";
    const std::string y = i < b.size() ? b[i] : "(end)";
    if (x != y) {
      return fmt::format(
          "it was written by a different configuration (resolved config, first difference: `{}` in the "
          "journal, `{}` now)",
          one_line(x, 120), one_line(y, 120));
    }
  }
  return "it was written by a different configuration";
}

}  // namespace

void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(os_error("cannot open", path, errno));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) throw IoError(os_error("cannot sync", path, error));
}

void sync_folder_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  sync_file(parent.empty() ? std::string(".") : parent.string());
}

Journal::Journal(std::string path, int fd, const JournalShape& shape)
    : path_(std::move(path)), fd_(fd), shape_(shape), offsets_(shape.runs, 0) {}

Journal::Journal(Journal&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(other.fd_),
      shape_(other.shape_),
      end_(other.end_),
      offsets_(std::move(other.offsets_)),
      dropped_bytes_(other.dropped_bytes_) {
  other.fd_ = -1;
}

Journal& Journal::operator=(Journal&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    shape_ = other.shape_;
    end_ = other.end_;
    offsets_ = std::move(other.offsets_);
    dropped_bytes_ = other.dropped_bytes_;
    other.fd_ = -1;
  }
  return *this;
}

Journal::~Journal() {
  close();
}

void Journal::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::uint64_t Journal::record_bytes() const {
  return kRecordHead + shape_.doubles_per_run * sizeof(double) + kJournalCrcBytes;
}

std::size_t Journal::completed_runs() const {
  std::size_t n = 0;
  for (auto offset : offsets_) n += offset != 0 ? 1 : 0;
  return n;
}

Journal Journal::create(const std::string& path, const std::string& identity, const JournalShape& shape) {
  // A link (even to /dev/null) or a stale file is replaced, never written through.
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw IoError(os_error("cannot remove", path, errno));
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError(os_error("cannot create", path, errno));
  Journal j(path, fd, shape);
  std::string header(kMagic, sizeof kMagic);
  put<std::uint32_t>(header, kJournalVersion);
  put<std::uint32_t>(header, 0);
  put<std::uint64_t>(header, shape.runs);
  put<std::uint64_t>(header, shape.doubles_per_run);
  put<std::uint64_t>(header, identity.size());
  header += identity;
  put<std::uint32_t>(header, crc32c(header.data(), header.size()));
  write_all(fd, header.data(), header.size(), 0, path);
  sync_fd(fd, path);
  sync_folder_of(path);
  j.end_ = header.size();
  return j;
}

Journal Journal::open(const std::string& path, const std::string& identity, const JournalShape& shape,
                      Opened& opened, bool repair) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) throw IoError(os_error("cannot open", path, errno));
  Journal j(path, fd, shape);
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw IoError(os_error("cannot read", path, errno));
  if (!S_ISREG(st.st_mode)) {
    throw ConfigError("it is not a regular file (a device, or a link to one?)");
  }
  j.scan(identity, opened, repair);
  if (opened == Opened::kTornHeader) j.close();
  return j;
}

// Header, then records; see the header file for the layout.
void Journal::scan(const std::string& identity, Opened& opened, bool repair) {
  // Hdf5Sink says what the refusal means for the command at hand.
  const auto refuse = [](const std::string& why) { return ConfigError(why); };
  char fixed[kJournalHeaderFixed];
  const std::size_t got = read_some(fd_, fixed, sizeof fixed, 0, path_);
  if (std::memcmp(fixed, kMagic, std::min(got, sizeof kMagic)) != 0)
    throw refuse("it is not an atcsim run journal");
  if (got < sizeof fixed) {
    opened = Opened::kTornHeader;
    return;
  }
  const auto version = get<std::uint32_t>(fixed + 8);
  const auto identity_size = get<std::uint64_t>(fixed + kJournalHeaderFixed - sizeof(std::uint64_t));
  if (identity_size > (std::uint64_t{1} << 32)) throw refuse("its header is damaged");
  std::string header(fixed, sizeof fixed);
  header.resize(sizeof fixed + identity_size + kJournalCrcBytes);
  if (read_some(fd_, header.data() + sizeof fixed, identity_size + kJournalCrcBytes, sizeof fixed, path_) <
      identity_size + kJournalCrcBytes) {
    opened = Opened::kTornHeader;
    return;
  }
  if (crc32c(header.data(), header.size() - kJournalCrcBytes) !=
      get<std::uint32_t>(header.data() + header.size() - kJournalCrcBytes))
    throw refuse("its header is damaged (checksum mismatch)");
  if (version != kJournalVersion) {
    throw refuse(
        fmt::format("it has journal format {}, this atcsim reads format {}", version, kJournalVersion));
  }
  const std::string stored = header.substr(sizeof fixed, identity_size);
  if (stored != identity) throw refuse(identity_difference(stored, identity));
  if (get<std::uint64_t>(fixed + 16) != shape_.runs ||
      get<std::uint64_t>(fixed + 24) != shape_.doubles_per_run)
    throw refuse("its runs have another size than this configuration's");
  opened = Opened::kRuns;

  std::uint64_t at = header.size();
  std::vector<char> record(record_bytes());
  for (std::uint64_t n = 1;; ++n) {
    const std::size_t size = read_some(fd_, record.data(), record.size(), at, path_);
    if (size == 0) break;
    if (size < record.size()) {  // an interrupted write: the last record is incomplete
      if (std::memcmp(record.data(), kRecordMagic, std::min(size, sizeof kRecordMagic)) != 0)
        throw refuse(fmt::format("record {} (byte {}) is damaged", n, at));
      if (repair) {
        if (::ftruncate(fd_, static_cast<off_t>(at)) != 0)
          throw IoError(os_error("cannot truncate", path_, errno));
        sync_fd(fd_, path_);
      }
      dropped_bytes_ = size;
      break;
    }
    const auto run = get<std::uint64_t>(record.data() + 8);
    const bool sound = std::memcmp(record.data(), kRecordMagic, sizeof kRecordMagic) == 0 &&
                       get<std::uint64_t>(record.data() + 16) == shape_.doubles_per_run * sizeof(double) &&
                       crc32c(record.data(), record.size() - kJournalCrcBytes) ==
                           get<std::uint32_t>(record.data() + record.size() - kJournalCrcBytes);
    if (!sound) throw refuse(fmt::format("record {} (byte {}) is damaged (checksum mismatch)", n, at));
    if (run >= shape_.runs || offsets_[run] != 0)
      throw refuse(fmt::format("record {} (byte {}) names run {} {}", n, at, run,
                               run >= shape_.runs ? "which does not exist" : "a second time"));
    offsets_[run] = at;
    at += record.size();
  }
  end_ = at;
}

std::uint64_t Journal::append(std::uint64_t run, const std::vector<double>& data) {
  if (data.size() != shape_.doubles_per_run) throw Error("internal: journal record of the wrong size");
  std::string record(kRecordMagic, sizeof kRecordMagic);
  record.reserve(record_bytes());
  put<std::uint32_t>(record, 0);
  put<std::uint64_t>(record, run);
  put<std::uint64_t>(record, data.size() * sizeof(double));
  record.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(double));
  put<std::uint32_t>(record, crc32c(record.data(), record.size()));
  try {
    write_all(fd_, record.data(), record.size(), end_, path_);
  } catch (const IoError&) {
    // Leave no incomplete record behind if we can (opening would drop it anyway).
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) { /* the next open drops it */
    }
    throw;
  }
  offsets_[run] = end_;
  end_ += record.size();
  return end_;
}

void Journal::sync() const {
  if (::fdatasync(fd_) != 0) throw IoError(os_error("cannot sync", path_, errno));
}

void Journal::read(std::uint64_t run, std::vector<double>& data) const {
  std::vector<char> record(record_bytes());
  if (read_some(fd_, record.data(), record.size(), offsets_[run], path_) != record.size() ||
      crc32c(record.data(), record.size() - kJournalCrcBytes) !=
          get<std::uint32_t>(record.data() + record.size() - kJournalCrcBytes)) {
    throw IoError(fmt::format(
        "{}: the record of run {} changed on disk since it was checked (checksum mismatch)", path_, run));
  }
  data.resize(shape_.doubles_per_run);
  std::memcpy(data.data(), record.data() + kRecordHead, data.size() * sizeof(double));
}

}  // namespace atc::io
