#pragma once
// Running the atcsim binary in end-to-end tests.
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

}  // namespace atc::test
