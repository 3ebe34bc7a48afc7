#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <vector>

#include "sim/rng/random.hpp"

using atc::sim::Purpose;
using atc::sim::RandomStream;
using atc::sim::RngKey;

namespace {
constexpr RngKey kKey{12345, 3, 7};

double chi_square(const std::vector<double>& counts, double expected) {
  double chi = 0;
  for (double c : counts) chi += (c - expected) * (c - expected) / expected;
  return chi;
}
}  // namespace

TEST_CASE("a stream is a pure function of its key and counter", "[rng]") {
  RandomStream a(kKey, 10, 42, Purpose("test"));
  RandomStream b(kKey, 10, 42, Purpose("test"));
  for (int i = 0; i < 100; ++i) REQUIRE(a.bits() == b.bits());
}

TEST_CASE("every key component changes the stream", "[rng]") {
  auto first = [](RngKey key, std::uint64_t step, std::uint64_t agent, Purpose p) {
    RandomStream s(key, step, agent, p);
    return s.bits();
  };
  const auto base = first(kKey, 10, 42, Purpose("test"));
  CHECK(first(RngKey{12346, 3, 7}, 10, 42, Purpose("test")) != base);  // seed
  CHECK(first(RngKey{12345, 4, 7}, 10, 42, Purpose("test")) != base);  // replicate
  CHECK(first(RngKey{12345, 3, 8}, 10, 42, Purpose("test")) != base);  // site
  CHECK(first(kKey, 11, 42, Purpose("test")) != base);                 // step
  CHECK(first(kKey, 10, 43, Purpose("test")) != base);                 // agent
  CHECK(first(kKey, 10, 42, Purpose("other")) != base);                // purpose
}

TEST_CASE("uniform draws have the moments and histogram of U(0,1)", "[rng][statistics]") {
  RandomStream s(kKey, 0, 0, Purpose("uniform"));
  constexpr int n = 1'000'000;
  std::vector<double> bins(100, 0);
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    sum2 += u * u;
    bins[static_cast<std::size_t>(u * 100)] += 1;
  }
  const double mean = sum / n;
  CHECK(mean == Approx(0.5).margin(0.0015));  // 5 standard errors
  CHECK(sum2 / n - mean * mean == Approx(1.0 / 12).margin(0.001));
  CHECK(chi_square(bins, n / 100.0) < 148.2);  // chi2(99) 0.999 quantile
}

TEST_CASE("the two 32-bit halves of a draw are U(0,1) and uncorrelated", "[rng][statistics]") {
  CHECK(atc::sim::uniform_high32(0) == 0.0);
  CHECK(atc::sim::uniform_low32(~std::uint64_t{0}) == 1.0 - 0x1.0p-32);  // below 1
  CHECK(atc::sim::uniform_high32(std::uint64_t{1} << 32) == 0x1.0p-32);  // the high half only
  CHECK(atc::sim::uniform_low32(std::uint64_t{1} << 32) == 0.0);
  RandomStream s(kKey, 0, 0, Purpose("halves"));
  constexpr int n = 1'000'000;
  std::vector<double> high_bins(100, 0), low_bins(100, 0);
  double sum_high = 0, sum_low = 0, sum_product = 0;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t bits = s.bits();
    const double h = atc::sim::uniform_high32(bits);
    const double l = atc::sim::uniform_low32(bits);
    REQUIRE((h >= 0.0 && h < 1.0 && l >= 0.0 && l < 1.0));
    sum_high += h;
    sum_low += l;
    sum_product += (h - 0.5) * (l - 0.5);
    high_bins[static_cast<std::size_t>(h * 100)] += 1;
    low_bins[static_cast<std::size_t>(l * 100)] += 1;
  }
  CHECK(sum_high / n == Approx(0.5).margin(0.0015));  // 5 standard errors
  CHECK(sum_low / n == Approx(0.5).margin(0.0015));
  CHECK(std::abs(sum_product / n) < 5.0 / 12.0 / std::sqrt(n));  // correlation within 5 s.e.
  CHECK(chi_square(high_bins, n / 100.0) < 148.2);
  CHECK(chi_square(low_bins, n / 100.0) < 148.2);
}

TEST_CASE("normal draws have mean 0, sd 1 and normal tails", "[rng][statistics]") {
  RandomStream s(kKey, 0, 0, Purpose("normal"));
  constexpr int n = 400'000;
  double sum = 0, sum2 = 0, sum4 = 0;
  int beyond2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = s.normal();
    sum += x;
    sum2 += x * x;
    sum4 += x * x * x * x;
    beyond2 += std::abs(x) > 2 ? 1 : 0;
  }
  CHECK(sum / n == Approx(0).margin(0.008));
  CHECK(sum2 / n == Approx(1).margin(0.01));
  CHECK(sum4 / n == Approx(3).margin(0.06));
  CHECK(static_cast<double>(beyond2) / n == Approx(0.0455).margin(0.0015));
}

TEST_CASE("beta and gamma draws have the right mean and variance", "[rng][statistics]") {
  RandomStream s(kKey, 0, 0, Purpose("beta"));
  constexpr int n = 200'000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = s.beta(2.0, 5.0);
    REQUIRE(x >= 0.0);
    REQUIRE(x <= 1.0);
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n;
  CHECK(mean == Approx(2.0 / 7.0).margin(0.002));
  CHECK(sum2 / n - mean * mean == Approx(10.0 / (49.0 * 8.0)).margin(0.001));

  double g = 0;
  for (int i = 0; i < n; ++i) g += s.gamma(0.5);
  CHECK(g / n == Approx(0.5).margin(0.008));
  double m = 0;
  for (int i = 0; i < n; ++i) m += s.beta_mean(0.3, 10.0);
  CHECK(m / n == Approx(0.3).margin(0.003));
}

TEST_CASE("below(n) is unbiased and integer() covers its closed range", "[rng][statistics]") {
  RandomStream s(kKey, 0, 0, Purpose("below"));
  constexpr int n = 700'000;
  std::vector<double> bins(7, 0);
  for (int i = 0; i < n; ++i) bins[s.below(7)] += 1;
  CHECK(chi_square(bins, n / 7.0) < 22.5);  // chi2(6) 0.999 quantile
  bool saw_low = false, saw_high = false;
  for (int i = 0; i < 1000; ++i) {
    const auto v = s.integer(-2, 2);
    REQUIRE(v >= -2);
    REQUIRE(v <= 2);
    saw_low |= v == -2;
    saw_high |= v == 2;
  }
  CHECK(saw_low);
  CHECK(saw_high);
}

TEST_CASE("geometric draws count failures before the first success", "[rng][statistics]") {
  RandomStream s(kKey, 0, 0, Purpose("geometric"));
  constexpr int n = 200'000;
  const double p = 0.2;
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += static_cast<double>(s.geometric(p));
  CHECK(sum / n == Approx((1 - p) / p).margin(0.05));
  CHECK(s.geometric(1.0) == 0);
}

TEST_CASE("streams of neighbouring agents and steps are uncorrelated", "[rng][statistics]") {
  constexpr int n = 100'000;
  auto correlation = [&](auto draw_a, auto draw_b) {
    double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; ++i) {
      const double a = draw_a(i), b = draw_b(i);
      sa += a;
      sb += b;
      sab += a * b;
      saa += a * a;
      sbb += b * b;
    }
    const double cov = sab / n - (sa / n) * (sb / n);
    return cov / std::sqrt((saa / n - (sa / n) * (sa / n)) * (sbb / n - (sb / n) * (sb / n)));
  };
  // Agent i vs agent i+1 in the same step: the pattern of a synchronous phase.
  const double r_agents = correlation(
      [](int i) { return RandomStream(kKey, 5, static_cast<std::uint64_t>(i), Purpose("p")).uniform(); },
      [](int i) { return RandomStream(kKey, 5, static_cast<std::uint64_t>(i) + 1, Purpose("p")).uniform(); });
  // The same agent in consecutive steps.
  const double r_steps = correlation(
      [](int i) { return RandomStream(kKey, static_cast<std::uint64_t>(i), 9, Purpose("p")).uniform(); },
      [](int i) { return RandomStream(kKey, static_cast<std::uint64_t>(i) + 1, 9, Purpose("p")).uniform(); });
  // Two purposes of the same agent and step.
  const double r_purpose = correlation(
      [](int i) { return RandomStream(kKey, 1, static_cast<std::uint64_t>(i), Purpose("a")).uniform(); },
      [](int i) { return RandomStream(kKey, 1, static_cast<std::uint64_t>(i), Purpose("b")).uniform(); });
  const double limit = 4.0 / std::sqrt(static_cast<double>(n));  // 4 standard errors
  CHECK(std::abs(r_agents) < limit);
  CHECK(std::abs(r_steps) < limit);
  CHECK(std::abs(r_purpose) < limit);
}

TEST_CASE("shuffle gives uniformly distributed permutations", "[rng][statistics]") {
  constexpr int trials = 60'000;
  std::vector<double> position_of_zero(6, 0);
  for (int t = 0; t < trials; ++t) {
    std::vector<int> v(6);
    std::iota(v.begin(), v.end(), 0);
    RandomStream s(kKey, 0, static_cast<std::uint64_t>(t), Purpose("shuffle"));
    s.shuffle(std::span<int>(v));
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(sorted == std::vector<int>{0, 1, 2, 3, 4, 5});
    position_of_zero[static_cast<std::size_t>(std::find(v.begin(), v.end(), 0) - v.begin())] += 1;
  }
  CHECK(chi_square(position_of_zero, trials / 6.0) < 20.5);  // chi2(5) 0.999 quantile
}

TEST_CASE("random matching pairs every member at most once", "[rng]") {
  std::vector<int> members(11);
  std::iota(members.begin(), members.end(), 0);
  RandomStream s(kKey, 0, 0, Purpose("matching"));
  const std::size_t pairs = atc::sim::random_matching(s, std::span<int>(members));
  CHECK(pairs == 5);
  std::vector<int> sorted = members;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
}

TEST_CASE("a stream drawn with precomputed round keys is the same stream", "[rng]") {
  for (const RngKey key : {kKey, RngKey{0, 0, 0}, RngKey{~0ULL, 0xFFFFFFFFu, 0xFFFFFFFFu}}) {
    const atc::sim::RoundKeys keys(key);
    for (std::uint64_t agent : {0ULL, 1ULL, 123456789ULL, ~0ULL}) {
      RandomStream a(key, 77, agent, Purpose("test"));
      RandomStream b(keys, 77, agent, Purpose("test"));
      for (int i = 0; i < 40; ++i) REQUIRE(a.bits() == b.bits());
    }
  }
}
