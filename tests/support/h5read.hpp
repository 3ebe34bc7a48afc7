#pragma once
// Reading result files back in tests: every data variable as doubles.
#include <map>
#include <string>
#include <vector>

namespace atc::test {

// name -> flattened values of every dataset with >= 4 dimensions (the
// indicators), plus "run_complete". Used to compare runs bit for bit.
std::map<std::string, std::vector<double>> read_variables(const std::string& path);

// A dataset of variable-length strings (e.g. "site", "site_provenance"),
// flattened in storage order.
std::vector<std::string> read_strings(const std::string& path, const std::string& dataset);

}  // namespace atc::test
