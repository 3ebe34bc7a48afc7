#pragma once
// Counter-based random numbers (Random123 Philox4x64-10).
//
// There is no global generator and no hidden state shared between agents: a
// stream is a pure function of (seed, replicate, site, step, agent, purpose),
// so what an agent draws never depends on thread scheduling or on the order in
// which runs execute. The scenario is deliberately NOT part of the key: replicate
// r of two scenarios sees the same population and draws (common random numbers),
// which makes paired comparisons of interventions meaningful.
#include <Random123/philox.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <string_view>

#include "sim/core/text.hpp"

namespace atc::sim {

__extension__ using uint128 = unsigned __int128;

// Names a use of randomness ("graph", "threshold", "outreach"...), so that two
// uses never share numbers. Compile-time hash of a string: consteval, because
// hashing the name at run time, once per agent and draw, cost twice as much
// as the Philox block itself.
struct Purpose {
  std::uint64_t value;
  consteval explicit Purpose(std::string_view name) : value(fnv1a(name)) {}
};

// The run-level part of the key: fixed for one (seed, replicate, site).
struct RngKey {
  std::uint64_t seed = 0;
  std::uint32_t replicate = 0;
  std::uint32_t site = 0;
};

// The round keys of Philox4x64-10 for one run-level key. The generator adds
// its Weyl constants to the key before each of rounds 2-10 of every block;
// a loop drawing a block or two per agent computes them once here (about a
// quarter of a block's instructions): the numbers are the same, the test
// suite compares them with Random123's generator.
class RoundKeys {
 public:
  static constexpr std::size_t kRounds = 10;
  explicit RoundKeys(const RngKey& key) {
    std::uint64_t k0 = key.seed;
    std::uint64_t k1 = (static_cast<std::uint64_t>(key.replicate) << 32) | key.site;
    for (std::size_t r = 0; r < kRounds; ++r) {
      k_[2 * r] = k0;
      k_[2 * r + 1] = k1;
      k0 += 0x9E3779B97F4A7C15ULL;  // PHILOX_W64_0
      k1 += 0xBB67AE8584CAA73BULL;  // PHILOX_W64_1
    }
  }
  [[nodiscard]] std::uint64_t operator[](std::size_t i) const { return k_[i]; }

  // Random123's philox4x64_R(10, ctr, key), with the keys read from here.
  [[nodiscard, gnu::always_inline]] r123::Philox4x64::ctr_type block(r123::Philox4x64::ctr_type ctr) const {
    for (std::size_t r = 0; r < kRounds; ++r) {
      const uint128 p0 = static_cast<uint128>(0xD2E7470EE14C6C93ULL) * ctr.v[0];  // PHILOX_M4x64_0
      const uint128 p1 = static_cast<uint128>(0xCA5A826395121157ULL) * ctr.v[2];  // PHILOX_M4x64_1
      const auto hi0 = static_cast<std::uint64_t>(p0 >> 64);
      const auto hi1 = static_cast<std::uint64_t>(p1 >> 64);
      ctr = {{hi1 ^ ctr.v[1] ^ k_[2 * r], static_cast<std::uint64_t>(p1), hi0 ^ ctr.v[3] ^ k_[2 * r + 1],
              static_cast<std::uint64_t>(p0)}};
    }
    return ctr;
  }

 private:
  std::array<std::uint64_t, 2 * kRounds> k_{};
};

// Two uniforms on [0, 1) with 32 bits of resolution each, from the halves of
// one 64-bit draw: for draws only compared with a probability, where 2^-32
// is ample, so that one Philox block serves two agents (the block is most of
// the cost of a loop that draws once per agent and week).
[[gnu::always_inline]] inline double uniform_high32(std::uint64_t bits) {
  return static_cast<double>(bits >> 32) * 0x1.0p-32;
}
[[gnu::always_inline]] inline double uniform_low32(std::uint64_t bits) {
  return static_cast<double>(bits & 0xFFFFFFFFULL) * 0x1.0p-32;
}

class RandomStream {
 public:
  using Generator = r123::Philox4x64;

  RandomStream(const RngKey& key, std::uint64_t step, std::uint64_t agent, Purpose purpose)
      : key_{{key.seed, (static_cast<std::uint64_t>(key.replicate) << 32) | key.site}},
        counter_{{step, agent, purpose.value, 0}} {}

  // The same stream, its blocks computed with precomputed round keys (those
  // of the same RngKey; they must outlive the stream).
  RandomStream(const RoundKeys& keys, std::uint64_t step, std::uint64_t agent, Purpose purpose)
      : key_{{keys[0], keys[1]}}, counter_{{step, agent, purpose.value, 0}}, round_keys_(&keys) {}

  // 64 uniformly distributed bits. Always inlined: in a loop drawing a
  // block per agent the call and its saved registers cost a third as much
  // as the block, and GCC's heuristics inlined it or not depending on the
  // size of the rest of the file.
  [[gnu::always_inline]] std::uint64_t bits() {
    if (used_ == 4) {
      block_ = round_keys_ != nullptr ? round_keys_->block(counter_) : Generator{}(counter_, key_);
      ++counter_.v[3];
      used_ = 0;
    }
    return block_.v[used_++];
  }

  // Uniform on [0, 1), 53 bits of resolution.
  [[gnu::always_inline]] double uniform() { return static_cast<double>(bits() >> 11) * 0x1.0p-53; }

  // Uniform on (0, 1]: safe under log().
  double uniform_open_zero() { return (static_cast<double>(bits() >> 11) + 1.0) * 0x1.0p-53; }

  double uniform(double low, double high) { return low + (high - low) * uniform(); }

  bool bernoulli(double p) { return uniform() < p; }

  // Unbiased integer in [0, n) (Lemire's multiply-and-reject). n must be > 0.
  std::uint64_t below(std::uint64_t n) {
    uint128 m = static_cast<uint128>(bits()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<uint128>(bits()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  // Integer in [low, high], inclusive.
  std::int64_t integer(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(high - low) + 1));
  }

  // Standard normal (Box-Muller; the second variate is discarded to keep the
  // stream stateless beyond its counter).
  double normal() {
    const double r = std::sqrt(-2.0 * std::log(uniform_open_zero()));
    return r * std::cos(2.0 * std::numbers::pi * uniform());
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }

  double exponential(double rate) { return -std::log(uniform_open_zero()) / rate; }

  // Gamma(shape, 1): Marsaglia & Tsang (2000); shape < 1 via the boost
  // U^(1/shape) (their section 6).
  double gamma(double shape) {
    if (shape < 1.0) {
      return gamma(shape + 1.0) * std::pow(uniform_open_zero(), 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = 0.0;
      double v = 0.0;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform_open_zero();
      if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }

  // Beta(a, b) as X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b).
  double beta(double a, double b) {
    const double x = gamma(a);
    const double y = gamma(b);
    return x / (x + y);
  }

  // Beta with a given mean and concentration kappa = a + b.
  double beta_mean(double mean, double concentration) {
    return beta(mean * concentration, (1.0 - mean) * concentration);
  }

  // Number of failures before the first success, p in (0, 1].
  std::uint64_t geometric(double p) {
    if (p >= 1.0) return 0;
    const double g = std::floor(std::log(uniform_open_zero()) / std::log1p(-p));
    return g >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(g);
  }

  // Fisher-Yates: a uniformly random permutation, the same for the same stream.
  template <typename T>
  void shuffle(std::span<T> items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      std::swap(items[i - 1], items[below(i)]);
    }
  }

 private:
  Generator::key_type key_;
  Generator::ctr_type counter_;
  Generator::ctr_type block_{};
  const RoundKeys* round_keys_ = nullptr;
  unsigned used_ = 4;
};

// Random pairing: shuffles `members` and pairs neighbours (0,1), (2,3), ...;
// with an odd count the last member is left out. Deterministic for a stream.
// Returns the number of pairs: pair i is (members[2i], members[2i+1]).
template <typename T>
std::size_t random_matching(RandomStream& stream, std::span<T> members) {
  stream.shuffle(members);
  return members.size() / 2;
}

}  // namespace atc::sim
