#include "sim/io/crc32c.hpp"

#include <array>
#include <cstring>

namespace atc::io {

namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78U;  // reflected 0x1EDC6F41

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

// tables[0] is the byte-at-a-time table; tables[k][b] is the CRC of byte b
// followed by k zero bytes, so eight bytes can be folded at once.
constexpr Tables make_tables() {
  Tables t{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1U) != 0 ? (c >> 1) ^ kPolynomial : c >> 1;
    t[0][b] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFU];
  }
  return t;
}

constexpr Tables kTables = make_tables();

}  // namespace

std::uint32_t crc32c_extend(std::uint32_t crc, const void* data, std::size_t size) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "slicing-by-8 below assumes little-endian");
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint32_t c = ~crc;
  for (; size >= 8; size -= 8, p += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, 8);
    word ^= c;
    c = kTables[7][word & 0xFFU] ^ kTables[6][(word >> 8) & 0xFFU] ^ kTables[5][(word >> 16) & 0xFFU] ^
        kTables[4][(word >> 24) & 0xFFU] ^ kTables[3][(word >> 32) & 0xFFU] ^
        kTables[2][(word >> 40) & 0xFFU] ^ kTables[1][(word >> 48) & 0xFFU] ^ kTables[0][word >> 56];
  }
  for (; size > 0; --size, ++p) c = (c >> 8) ^ kTables[0][(c ^ *p) & 0xFFU];
  return ~c;
}

}  // namespace atc::io
