#pragma once
// Arrays of per-agent state, on huge pages when they are large.
//
// A step that reads its agents' neighbours reads scattered entries of
// arrays of millions of elements: with 4 KiB pages, most of those reads
// also miss the TLB (a 64 MiB array spans 16,384 pages, several times what a
// core's TLB holds) and wait for a page-table walk on top of the cache miss.
// On 2 MiB pages the same array spans 32. LargeArray is a std::vector whose
// storage, from kHugePageBytes up, is aligned to 2 MiB and advised to the
// kernel as huge-page memory (madvise MADV_HUGEPAGE) before its first use,
// so that the pages faulted in when the vector fills it are huge pages
// where the kernel's transparent huge pages are enabled ("always" or
// "madvise" in /sys/kernel/mm/transparent_hugepage/enabled). Where they are
// not, or where madvise refuses, it is an ordinary allocation: the values,
// and so a run's results, do not depend on it. Measured in
// docs/performance.md ("Huge pages").
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace atc::sim {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

template <typename T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() noexcept = default;
  template <typename U>
  explicit HugePageAllocator(const HugePageAllocator<U>& /*other*/) noexcept {}

  [[nodiscard]] T* allocate(std::size_t n) {
    // Beyond this the size, rounded up to whole huge pages below, would not
    // fit in a ptrdiff_t (no allocation is that large; GCC's range analysis
    // sees the overflowing path in profile-guided builds and warns).
    constexpr std::size_t kMaxBytes =
        static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) - kHugePageBytes;
    if (n > kMaxBytes / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePageBytes) {
      return static_cast<T*>(::operator new (bytes, std::align_val_t{alignof(T)}));
    }
    // aligned_alloc wants a multiple of the alignment; the rounding wastes
    // less than one huge page per array.
    const std::size_t rounded = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    void* p = std::aligned_alloc(kHugePageBytes, rounded);
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    // Advice only: refused (no transparent huge pages), the memory is the same.
    (void)::madvise(p, rounded, MADV_HUGEPAGE);
#endif
    return static_cast<T*>(p);
  }

  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kHugePageBytes) {
      ::operator delete (p, std::align_val_t{alignof(T)});
    } else {
      std::free(p);  // NOLINT(cppcoreguidelines-no-malloc): from aligned_alloc above
    }
  }

  template <typename U>
  friend bool operator==(const HugePageAllocator& /*a*/, const HugePageAllocator<U>& /*b*/) noexcept {
    return true;  // stateless: any one frees what another allocated
  }
};

template <typename T>
using LargeArray = std::vector<T, HugePageAllocator<T>>;

}  // namespace atc::sim
