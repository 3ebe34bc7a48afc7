#include <exception>
#include <string>
#include <vector>

#include "sim/cli/commands.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return atc::cli::main(args);
}
