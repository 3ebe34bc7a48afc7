#pragma once
// Running a risky read in a child process. Some damaged files make a
// library abort or loop forever (HDF5 on a bit-flipped or zeroed file); no
// `catch` survives that. The work runs in a forked child, which reports
// through a pipe; a crash or a loop then ends the child, not the program.
#include <functional>
#include <string>

namespace atc::sim {

struct IsolatedOutcome {
  bool finished = false;  // false: the child died of a signal (crash, or the CPU limit: SIGXCPU)
  int exit_code = 0;      // what `work` returned, when finished
  int signal = 0;         // the signal that ended the child, when not finished
  std::string text;       // what `work` put in its argument
};

// Runs `work` in a forked child whose CPU time is limited to `cpu_seconds`
// (CPU, not wall time, so that a busy machine never makes a slow read look
// like a loop). `work` returns an exit code and fills `text`; the child's
// stderr goes to /dev/null (what glibc prints when it aborts is not the
// verdict). Only for a single-threaded caller: the child has one thread.
IsolatedOutcome run_isolated(const std::function<int(std::string& text)>& work, int cpu_seconds);

// "SIGSEGV", "SIGXCPU", ..., or "signal N".
std::string signal_name(int signal);

}  // namespace atc::sim
