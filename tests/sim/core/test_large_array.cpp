#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>

#include "sim/core/large_array.hpp"

using atc::sim::HugePageAllocator;
using atc::sim::kHugePageBytes;
using atc::sim::LargeArray;

namespace {

std::uintptr_t address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

// The VmFlags line of the mapping of this process that holds `p`
// (/proc/self/smaps), or "" if none does.
std::string vm_flags_of(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= address(p) && address(p) < end;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

}  // namespace

TEST_CASE("a small large array is an ordinary vector", "[large_array]") {
  LargeArray<std::uint16_t> v(1000);
  std::iota(v.begin(), v.end(), std::uint16_t{0});
  CHECK(v[999] == 999);
  CHECK(address(v.data()) % alignof(std::uint16_t) == 0);
  v.assign(10, 7);
  CHECK(v == LargeArray<std::uint16_t>(10, 7));
}

TEST_CASE("a large array starts on a huge page boundary and keeps its values", "[large_array]") {
  const std::size_t n = 3 * kHugePageBytes / sizeof(std::uint32_t) + 5;  // not a whole number of pages
  LargeArray<std::uint32_t> v(n);
  CHECK(address(v.data()) % kHugePageBytes == 0);
  std::iota(v.begin(), v.end(), 0U);
  CHECK(v[n - 1] == n - 1);
  LargeArray<std::uint32_t> copy = v;
  CHECK(address(copy.data()) % kHugePageBytes == 0);
  CHECK(copy == v);
  LargeArray<std::uint32_t> other(10, 1);
  other.swap(v);  // as the trust step swaps its two buffers
  CHECK(other.size() == n);
  CHECK(v.size() == 10);
  CHECK(other[12345] == 12345);
  v.resize(n, 9);  // grows past the threshold: reallocated on huge pages
  CHECK(address(v.data()) % kHugePageBytes == 0);
  CHECK(v[0] == 1);
  CHECK(v[n - 1] == 9);
}

TEST_CASE("a large array is advised as huge-page memory", "[large_array]") {
  // The kernel marks an advised mapping "hg" in /proc/self/smaps, whatever
  // the system's setting; a kernel without transparent huge pages has no
  // such folder and refuses the advice.
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled")) {
    WARN("not checked: this kernel has no transparent huge pages");
    return;
  }
  LargeArray<std::uint8_t> large(2 * kHugePageBytes, 1);
  const std::string flags = vm_flags_of(large.data());
  REQUIRE_FALSE(flags.empty());
  CHECK(flags.find(" hg") != std::string::npos);
  // A small one is left to the ordinary allocator.
  LargeArray<std::uint8_t> small(4096, 1);
  CHECK(vm_flags_of(small.data()).find(" hg") == std::string::npos);
}

TEST_CASE("a large array too large to count in bytes is refused", "[large_array]") {
  HugePageAllocator<std::uint64_t> allocator;
  CHECK_THROWS_AS(allocator.allocate(std::numeric_limits<std::size_t>::max() / 4), std::bad_array_new_length);
  // One whose size fits in a size_t but, rounded up to whole huge pages, not
  // in a ptrdiff_t.
  const auto largest = static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max());
  CHECK_THROWS_AS(allocator.allocate(largest / sizeof(std::uint64_t)), std::bad_array_new_length);
}
