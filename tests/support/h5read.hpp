#pragma once
// Reading result files back in tests: every data variable as doubles.
#include <map>
#include <string>
#include <vector>

namespace atc::test {

// name -> flattened values of a result file's variables.
using Variables = std::map<std::string, std::vector<double>>;

// name -> flattened values of every dataset with >= 4 dimensions (the
// indicators), plus "run_complete". Used to compare runs bit for bit.
Variables read_variables(const std::string& path);

// Bit for bit (NaN equal to NaN, -0.0 different from 0.0).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b);
bool identical(const Variables& a, const Variables& b);

// A dataset of variable-length strings (e.g. "site", "site_provenance"),
// flattened in storage order.
std::vector<std::string> read_strings(const std::string& path, const std::string& dataset);

}  // namespace atc::test
