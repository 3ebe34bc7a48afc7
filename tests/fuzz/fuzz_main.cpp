// libFuzzer entry point: one binary per target, chosen at compile time
// (ATCSIM_FUZZ_TARGET = "config", "set" or "csv"; see CMakeLists.txt).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tests/fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const atc::fuzz::Target target = atc::fuzz::target_named(ATCSIM_FUZZ_TARGET);
  if (target == nullptr) std::abort();
  target(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
