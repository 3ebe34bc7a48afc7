#pragma once
// Small text helpers used for user-facing messages.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace atc {

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, or "" when none is close enough to help.
std::string nearest_match(std::string_view word, std::span<const std::string> candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

std::string join(std::span<const std::string> items, std::string_view separator);

// Equal but for the case of ASCII letters.
bool equal_ignoring_case(std::string_view a, std::string_view b);

// The parts of `text` between separators, empty parts included:
// "a..b" -> {"a", "", "b"}; "" -> {""}.
std::vector<std::string> split(std::string_view text, char separator);

// Compile-time FNV-1a-style hash: models name their random-number purposes with strings.
// The offset basis is 1469598103934665603, one digit short of FNV's published
// 14695981039346656037; it is kept, since every random stream is keyed by it
// (changing it changes every result). tests/sim/core/test_text.cpp pins it.
constexpr std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace atc
