#include "sim/core/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "sim/core/error.hpp"

namespace atc {

namespace fs = std::filesystem;

namespace {

// The longest file name (one path component) the folder `dir` allows.
std::size_t name_max(const fs::path& dir) {
  const long n = ::pathconf(dir.empty() ? "." : dir.c_str(), _PC_NAME_MAX);
  return n > 0 ? static_cast<std::size_t>(n) : static_cast<std::size_t>(NAME_MAX);
}

// "" when every component of `path` fits the file system; else why not.
std::string length_problem(const fs::path& path) {
  if (path.native().size() >= PATH_MAX) {
    return fmt::format("has a path too long for the file system ({} characters; at most {})",
                       path.native().size(), PATH_MAX - 1);
  }
  const std::size_t limit = name_max(path.parent_path());
  for (const auto& part : path) {
    if (part.native().size() > limit) {
      return fmt::format("has a name too long for the file system ({} characters in one name; at most {})",
                         part.native().size(), limit);
    }
  }
  return "";
}

// What kind of non-regular file `st` describes.
std::string kind_of(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "is a directory";
  if (S_ISFIFO(st.st_mode)) return "is a FIFO (named pipe), not a regular file";
  if (S_ISCHR(st.st_mode)) return "is a character device, not a regular file";
  if (S_ISBLK(st.st_mode)) return "is a block device, not a regular file";
  if (S_ISSOCK(st.st_mode)) return "is a socket, not a regular file";
  return "is not a regular file";
}

std::string stat_problem(int error) {
  switch (error) {
    case ENOENT:
      return "not found";
    case ENOTDIR:
      return "not found (a part of the path is not a directory)";
    case ENAMETOOLONG:
      return "has a name too long for the file system";
    default:
      return fmt::format("cannot be used: {}", std::strerror(error));
  }
}

}  // namespace

std::string unreadable_file_reason(const std::string& path) {
  if (path.empty()) return "empty file name";
  if (auto too_long = length_problem(path); !too_long.empty()) return too_long;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return stat_problem(errno);
  if (!S_ISREG(st.st_mode)) return kind_of(st);
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return fmt::format("cannot be read: {}", std::strerror(errno));
  ::close(fd);
  return "";
}

std::string uncreatable_file_reason(const std::string& path, const std::string& suffix) {
  if (path.empty()) return "empty file name";
  const fs::path target(path);
  if (auto too_long = length_problem(path); !too_long.empty()) return "it " + too_long;
  if (auto too_long = length_problem(path + suffix); !too_long.empty()) {
    return fmt::format("with '{}' added (the name it has until the run completes) it {}", suffix, too_long);
  }
  for (const std::string& candidate : {path, path + suffix}) {
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0) {
      if (!S_ISREG(st.st_mode))
        return candidate == path ? "it " + kind_of(st) : fmt::format("'{}' {}", candidate, kind_of(st));
    } else if (errno != ENOENT && errno != ENOTDIR) {  // ENOTDIR: the folder check below names it
      return fmt::format("'{}' {}", candidate, stat_problem(errno));
    }
  }
  // The nearest folder above that exists must be a writable directory.
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  struct stat st {};
  while (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) return fmt::format("'{}' {}", dir.string(), stat_problem(errno));
    fs::path up = dir.parent_path();
    if (up.empty()) up = ".";
    if (up == dir) return fmt::format("'{}' not found", dir.string());
    dir = up;
  }
  if (!S_ISDIR(st.st_mode)) return fmt::format("'{}' is not a directory", dir.string());
  const fs::path wanted = target.parent_path();
  if (wanted.empty() || dir == wanted) {
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      return fmt::format("the directory '{}' is not writable", dir.string());
    return "";
  }
  // Folders are still to be made: a probe folder, removed at once, shows
  // whether that is possible (as root, access() says yes even in /proc).
  std::string probe = (dir / ".atcsim-probe-XXXXXX").string();
  if (::mkdtemp(probe.data()) == nullptr) {
    return fmt::format("cannot create the output directory '{}': {}", wanted.string(), std::strerror(errno));
  }
  ::rmdir(probe.c_str());
  return "";
}

namespace {
// The path lives in a static buffer, never freed or moved: a handler that
// read the flag may still use it while the writer's thread goes on.
char file_in_progress_path[PATH_MAX];
std::atomic<bool> file_in_progress{false};
static_assert(std::atomic<bool>::is_always_lock_free, "read from a signal handler");
}  // namespace

FileInProgress::FileInProgress(const std::string& path) {
  if (path.size() >= sizeof file_in_progress_path || file_in_progress.load()) return;
  std::memcpy(file_in_progress_path, path.c_str(), path.size() + 1);
  file_in_progress.store(true);
  registered_ = true;
}

FileInProgress::~FileInProgress() {
  if (registered_) file_in_progress.store(false);
}

void remove_file_in_progress() noexcept {
  if (file_in_progress.load()) ::unlink(file_in_progress_path);
}

void create_parent_directories(const std::string& path) {
  const fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw IoError(fmt::format("cannot create the output directory '{}': {}", dir.string(), ec.message()));
}

}  // namespace atc
