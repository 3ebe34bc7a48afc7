// Scans for the few flagged residents among many: 16 bytes at a time with
// SSE2, so that a pass over every resident costs a comparison per 16 of them
// and a branch per one found, not a (mispredicted) branch per resident.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace atc::models::territorial {

// f(i), in increasing i, for every i in [begin, end) that is marked: with
// SSE2, 16 at a time, `marks(i)` gives the marks of i..i+15 as the bits of
// a mask (chunks with none are skipped at once); past the last full chunk,
// or without SSE2, `marked(i)` tells for one. The serial and per-block passes
// that look for the few flagged residents use it.
template <typename Marks, typename Marked, typename F>
void for_each_marked(std::size_t begin, std::size_t end, [[maybe_unused]] Marks&& marks, Marked&& marked,
                     F&& f) {
  std::size_t i = begin;
#if defined(__SSE2__)
  for (; i + 16 <= end; i += 16) {
    for (unsigned mask = marks(i); mask != 0; mask &= mask - 1)
      f(i + static_cast<std::size_t>(__builtin_ctz(mask)));
  }
#endif
  for (; i < end; ++i) {
    if (marked(i)) f(i);
  }
}

// f(i), in increasing i, for every i < n with a[i] != 0 or b[i] > b_limit
// (b may be null).
template <typename F>
void for_each_flagged(const std::uint8_t* a, const std::uint8_t* b, std::uint8_t b_limit, std::size_t n,
                      F&& f) {
  for_each_marked(
      0, n,
      [&]([[maybe_unused]] std::size_t i) {
#if defined(__SSE2__)
        // (_mm_loadu_si128 reads through a may_alias type)
        const __m128i va = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
        auto mask =
            static_cast<unsigned>(~_mm_movemask_epi8(_mm_cmpeq_epi8(va, _mm_setzero_si128())) & 0xFFFF);
        if (b != nullptr) {
          // bytes are small counts (below 128): the signed comparison is exact
          const __m128i vb = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
          mask |= static_cast<unsigned>(
              _mm_movemask_epi8(_mm_cmpgt_epi8(vb, _mm_set1_epi8(static_cast<char>(b_limit)))));
        }
        return mask;
#else
        return 0U;
#endif
      },
      [&](std::size_t i) { return a[i] != 0 || (b != nullptr && b[i] > b_limit); }, f);
}

}  // namespace atc::models::territorial
