#pragma once
// Checks of the files a user names (config, includes, CSV tables, the output
// path), so that a FIFO, a directory, /dev/null, an unreadable file or a name
// longer than the file system allows gets one clear line instead of an
// exception from std::filesystem or a read that blocks forever.
#include <string>

namespace atc {

// Why `path` cannot be read as a regular file, in a few words: "not found",
// "is a directory", "is a FIFO (named pipe), not a regular file", "is a
// character device, not a regular file", "cannot be read: Permission
// denied", "name too long: ...". "" when it can be read. Symbolic links are
// followed. Never throws, never blocks (a FIFO is not opened).
std::string unreadable_file_reason(const std::string& path);

// Why a regular file cannot be created at `path` or at `path + suffix`
// (e.g. ".partial"), without creating anything: a name or the whole path
// longer than the file system allows, an existing file there that is not a
// regular file (a directory, FIFO, device such as /dev/null), a parent that
// is not a directory, or no write permission in the nearest existing folder.
// "" when it can. Never throws.
std::string uncreatable_file_reason(const std::string& path, const std::string& suffix);

// Creates the folders above `path` that do not exist yet. Throws IoError.
void create_parent_directories(const std::string& path);

// A file being written that an immediate exit would leave half written (a
// second Ctrl-C ends the process with _exit in the signal handler: no
// destructor or catch block runs). While a FileInProgress lives,
// remove_file_in_progress() removes its file. One at a time (a second one
// registers nothing); a path of PATH_MAX bytes or more is not registered.
class FileInProgress {
 public:
  explicit FileInProgress(const std::string& path);
  ~FileInProgress();
  FileInProgress(const FileInProgress&) = delete;
  FileInProgress& operator=(const FileInProgress&) = delete;

 private:
  bool registered_ = false;
};

// Removes the file of the living FileInProgress, if any. Async-signal-safe
// (an atomic load and unlink(2) of a path held in a static buffer): for the
// signal handler.
void remove_file_in_progress() noexcept;

}  // namespace atc
