// Replays inputs through the fuzzing entry points without libFuzzer (built by
// any compiler, run by ctest). A finding aborts the process, so ctest reports
// the test failed; the last "replay:" line names the input.
//   fuzz_replay DIR              every file under DIR/config, DIR/set, DIR/csv
//                                through the target of that name
//   fuzz_replay TARGET=PATH      PATH (a file, or every file under a folder)
//                                through TARGET (config, set or csv)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzz/targets.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fuzz_replay DIR|TARGET=PATH...  (DIR holds config/, set/, csv/)\n");
    return 2;
  }
  std::size_t replayed = 0;
  auto replay = [&](const std::string& name, const fs::path& path) {
    const auto target = atc::fuzz::target_named(name);
    if (target == nullptr) {
      std::fprintf(stderr, "fuzz_replay: unknown target '%s' (config, set, csv)\n", name.c_str());
      std::exit(2);
    }
    std::vector<fs::path> files;
    if (fs::is_directory(path)) {
      for (const auto& entry : fs::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else if (fs::is_regular_file(path)) {
      files.push_back(path);
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      std::fprintf(stderr, "replay: %s: %s\n", name.c_str(), file.c_str());
      target(buffer.str());
      ++replayed;
    }
  };
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    const auto eq = arg.find('=');
    if (eq != std::string::npos) {
      replay(arg.substr(0, eq), arg.substr(eq + 1));
      continue;
    }
    for (const char* name : {"config", "set", "csv"}) {
      if (fs::is_directory(fs::path(arg) / name)) replay(name, fs::path(arg) / name);
    }
  }
  if (replayed == 0) {
    std::fprintf(stderr, "fuzz_replay: no input found\n");
    return 1;
  }
  std::printf("fuzz_replay: %zu input(s) replayed, no finding\n", replayed);
  return 0;
}
