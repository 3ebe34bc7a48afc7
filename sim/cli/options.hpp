#pragma once
// The command line of `atcsim` and `atcsim-mpi`: one option table, one parser
// and one set of messages for both programs. Each option is written once, in
// the table in options.cpp, from which parsing, the per-command checks, the
// help texts and the usage synopses all follow.
#include <optional>
#include <string>
#include <vector>

#include "sim/config/experiment.hpp"
#include "sim/core/error.hpp"

namespace atc::cli {

// A mistake on the command line (exit code 2).
class UsageError : public Error {
 public:
  using Error::Error;
};

// The parsed command line.
struct Args {
  std::string command;                  // argv[1]: run, validate, describe, info (or --help, ...)
  std::vector<std::string> positional;  // config file, model name or result file
  std::vector<std::string> overrides;   // --set key.path=VALUE, in order
  std::vector<std::string> scenarios;   // --scenario NAME: run only these
  std::optional<std::string> output;
  std::optional<int> threads;
  std::optional<long> replicates;
  std::optional<std::string> posterior;  // --posterior FILE: [posterior] path
  bool resume = false;
  bool quiet = false;
  bool help = false;
  bool markdown = false;
  bool resolved = false;         // validate --resolved
  bool allow_unmatched = false;  // [sites] overrides rows that match no site: a warning
};

// The commands options may apply to, in the order `atcsim --help` lists them.
const std::vector<std::string>& command_names();

// Parses argv (argv[0] is the program, argv[1] the command). Options may be
// given as `--name value` or `--name=value`; an unknown option gets a
// did-you-mean, an option the command does not take is refused, numbers are
// checked. Throws UsageError.
Args parse(const std::vector<std::string>& argv);

// "[-o PATH] [--threads N] [--set key.path=VALUE]... ": COMMAND's options
// for a usage line (--help left out).
std::string synopsis(const std::string& command);

// The "options:" section of COMMAND's help text, one option per entry.
std::string options_help(const std::string& command);

// --set, then -o, --replicates and --posterior, as config overrides in that
// order; --allow-unmatched and --scenario.
sim::LoadOptions load_options(const Args& args);

// Prints the config's warnings (ExperimentSpec::warnings) to stderr, one
// line each: "PROGRAM: warning: ...".
void print_warnings(const sim::ExperimentSpec& spec, const std::string& program);

// The single positional argument (a config file); otherwise a UsageError
// that shows `help`.
std::string one_config(const Args& args, const std::string& help);

// Worker threads per process: --threads, else every core.
int thread_count(const Args& args);

// The command line as a shell would read it back, for the output file's metadata.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace atc::cli
