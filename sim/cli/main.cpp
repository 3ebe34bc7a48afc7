#include <exception>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"
#include "sim/cli/signals.hpp"
#include "sim/io/hdf5_file.hpp"

int main(int argc, char** argv) {
  // First: a SIGINT/SIGTERM at any moment ends the process with exit 130 and
  // one line, never half-written output (sim/cli/signals.hpp).
  atc::cli::install_signal_handlers();
  atc::io::skip_hdf5_cleanup_at_exit();  // before any other HDF5 call (sim/io/hdf5_file.hpp)
  std::vector<std::string> args(argv, argv + argc);
  return atc::cli::main(args);
}
