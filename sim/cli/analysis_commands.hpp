#pragma once
// `atcsim report`, `atcsim export` and `atcsim calibrate`: the analysis package's commands
// (analysis/atcsim/cli.py), reached from the simulator's own CLI so a user has
// one command. Their options are parsed by the package alone (written once).
#include <string>
#include <vector>

namespace atc::cli {

// The commands forwarded to the analysis package.
const std::vector<std::string>& analysis_command_names();

// Replaces this process with `python3 -m atcsim COMMAND ARGS...` (argv[1] is
// the command). Python is ATCSIM_PYTHON or /usr/bin/python3; the package is
// found in ATCSIM_ANALYSIS or in the directory recorded at build time.
// `calibrate` gets `--engine` set to this binary unless given. Returns only on
// failure, with exit code 1 and one line on stderr.
int run_analysis_command(const std::vector<std::string>& argv);

}  // namespace atc::cli
