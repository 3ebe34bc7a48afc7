#pragma once
// The command that continues an interrupted run: the original command line,
// every option kept, with --resume added, quoted so that a POSIX shell reads
// it back exactly (issue 15, item 7: following the hint literally must work).
#include <string>
#include <vector>

namespace atc::cli {

// `word` as a POSIX shell reads it back: as is when it holds only safe
// characters, else in single quotes (an embedded ' written as '\'').
std::string shell_quote(const std::string& word);

// argv (argv[0] is the program as it was invoked), shell-quoted, with
// --resume appended unless it is there already; `prefix` (e.g. "mpirun -n 4")
// goes in front.
std::string resume_command(const std::vector<std::string>& argv, const std::string& prefix = "");

}  // namespace atc::cli
