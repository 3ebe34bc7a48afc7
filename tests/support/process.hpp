#pragma once
// Running the atcsim binary in end-to-end tests.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace atc::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `args` (args[0] is the program) with stdout/stderr captured; waits.
ProcessResult run_process(const std::vector<std::string>& args, const std::string& cwd = "");

// How a child started by spawn() begins, besides its arguments.
struct SpawnOptions {
  std::string stdout_path = "/dev/null";
  std::string stderr_path = "/dev/null";
  std::string cwd;  // the child's working directory (empty: this process's)
  // When given, the child starts with exactly these signals blocked (none
  // when empty; the mask survives exec): a signal sent at once stays pending
  // until the program unblocks it. Otherwise it inherits this process's mask.
  std::optional<std::vector<int>> blocked_signals;
  // Reset to their default disposition in the child.
  std::vector<int> default_signals;
  // SIGXFSZ ignored in the child (an ignored signal stays ignored across
  // exec), so that a file size limit makes writes fail (EFBIG), as a full
  // disk does, instead of killing it. Set in this process around the spawn
  // only (it writes nothing meanwhile).
  bool ignore_sigxfsz = false;
};

// Starts `args` (args[0] is the program's path) without waiting, stdin from
// /dev/null, as `options` say; returns its pid (wait with waitpid). Throws
// std::runtime_error when it cannot be started.
pid_t spawn(const std::vector<std::string>& args, const SpawnOptions& options);

// The same, with stdout and stderr written to the given files, in `cwd` (if
// not empty).
pid_t spawn(const std::vector<std::string>& args, const std::string& stdout_path = "/dev/null",
            const std::string& stderr_path = "/dev/null", const std::string& cwd = "");

// Runs the atcsim binary under test.
ProcessResult atcsim(const std::vector<std::string>& args, const std::string& cwd = "");

// A fresh, empty temporary directory, removed at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }
  void write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

std::string source_path(const std::string& relative);  // path inside the repository

// A two-scenario experiment of the canonical Watts model (mean degree 2 and
// 4; 30 steps, seed 11) with n agents and `replicates`, and `extra` TOML,
// written to DIR/watts.toml; returns its path.
std::string watts_config(const TempDir& dir, int n = 2000, int replicates = 4, const std::string& extra = "");

// Waits until the journal of a run writing OUT (OUT.journal) holds its header
// and at least one record, i.e. some runs are complete, or until `seconds`
// pass. The header's size is read from the header itself: taking the empty
// file's size for it made tests signal before any run completed on a loaded
// machine, and taking the first non-zero size for it missed a first record
// written within the same poll (a short run on a fast machine: the wait then
// lasted until a second run completed). Returns whether a record arrived in time.
bool wait_for_first_record(const std::string& out, double seconds);

}  // namespace atc::test
