#pragma once
// Reading result files back in tests: every data variable as doubles.
#include <map>
#include <string>
#include <vector>

namespace atc::test {

// name -> flattened values of every dataset with >= 4 dimensions (the
// indicators), plus "run_complete". Used to compare runs bit for bit.
std::map<std::string, std::vector<double>> read_variables(const std::string& path);

}  // namespace atc::test
