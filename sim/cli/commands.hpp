#pragma once
#include <string>
#include <vector>

namespace atc::cli {

// Entry point of the `atcsim` command; returns the process exit code:
// 0 success, 1 runtime failure, 2 usage or input error, 130 interrupted.
int main(const std::vector<std::string>& args);

}  // namespace atc::cli
