#include <exception>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/cli/signals.hpp"

int main(int argc, char** argv) {
  // First: a SIGINT/SIGTERM at any moment ends the process with exit 130 and
  // one line, never half-written output (sim/cli/signals.hpp).
  atc::cli::install_signal_handlers();
  std::vector<std::string> args(argv, argv + argc);
  return atc::cli::main(args);
}
