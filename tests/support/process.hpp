#pragma once
// Running the atcsim binary in end-to-end tests.
#include <sys/types.h>

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

// Starts `args` (args[0] is the program's path) in `cwd` (if not empty)
// without waiting, stdin from /dev/null, stdout and stderr written to the
// given files; returns its pid (wait with waitpid).
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
// pass. The journal is created empty, then its header is written in one
// write: its first non-zero size is the header's (reading the empty file's
// size as the header's made tests signal before any run completed on a
// loaded machine). Returns whether a record arrived in time.
bool wait_for_first_record(const std::string& out, double seconds);

}  // namespace atc::test
