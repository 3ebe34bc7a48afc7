#pragma once
// CRC-32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), the
// checksum of iSCSI, ext4 metadata and SSE4.2's crc32 instruction. Used by the
// run journal (sim/io/journal.hpp) to detect torn or damaged records. A
// portable slicing-by-8 implementation: no dependency, a few GB/s.
#include <cstddef>
#include <cstdint>

namespace atc::io {

// Extends `crc` (0 for a new checksum) with `size` bytes at `data`:
// crc32c(a + b) == crc32c_extend(crc32c(a), b).
std::uint32_t crc32c_extend(std::uint32_t crc, const void* data, std::size_t size);

inline std::uint32_t crc32c(const void* data, std::size_t size) {
  return crc32c_extend(0, data, size);
}

}  // namespace atc::io
