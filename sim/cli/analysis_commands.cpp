#include "sim/cli/analysis_commands.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "atc/version.hpp"

namespace atc::cli {

namespace fs = std::filesystem;

const std::vector<std::string>& analysis_command_names() {
  static const std::vector<std::string> kNames{"report", "export", "calibrate"};
  return kNames;
}

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "atcsim %s\n", message.c_str());
  return 1;
}

}  // namespace

int run_analysis_command(const std::vector<std::string>& argv) {
  const std::string& command = argv.at(1);
  const std::string python = env_or("ATCSIM_PYTHON", "/usr/bin/python3");
  const std::string package = env_or("ATCSIM_ANALYSIS", kAnalysisDir);
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(package) / "atcsim" / "__main__.py", ec)) {
    return fail(
        fmt::format("{}: error: the analysis package is not in {} (set ATCSIM_ANALYSIS to the "
                    "directory that holds atcsim/, e.g. the source tree's analysis/)",
                    command, package));
  }
  const std::string path = env_or("PYTHONPATH", "");
  const std::string pythonpath = path.empty() ? package : package + ":" + path;
  if (setenv("PYTHONPATH", pythonpath.c_str(), 1) != 0) {
    return fail(fmt::format("{}: error: cannot set PYTHONPATH: {}", command, std::strerror(errno)));
  }
  // The package's usage lines and recorded report command then say `atcsim`, as typed.
  if (setenv("ATCSIM_PROG", "atcsim", 1) != 0) {
    return fail(fmt::format("{}: error: cannot set ATCSIM_PROG: {}", command, std::strerror(errno)));
  }
  std::vector<std::string> args{python, "-m", "atcsim"};
  args.insert(args.end(), argv.begin() + 1, argv.end());
  // calibrate runs its simulations with this very binary unless told otherwise.
  const bool engine_given = std::any_of(argv.begin(), argv.end(), [](const std::string& a) {
    return a == "--engine" || a.rfind("--engine=", 0) == 0;
  });
  if (command == "calibrate" && !engine_given) {
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) args.insert(args.end(), {"--engine", self.string()});
  }
  std::vector<char*> raw;
  raw.reserve(args.size() + 1);
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  std::fflush(nullptr);
  execv(python.c_str(), raw.data());
  return fail(
      fmt::format("{}: error: cannot start {} ({}); the analysis commands need Python 3 with numpy, "
                  "xarray, h5netcdf and matplotlib (scripts/setup installs them; ATCSIM_PYTHON "
                  "chooses another interpreter)",
                  command, python, std::strerror(errno)));
}

}  // namespace atc::cli
