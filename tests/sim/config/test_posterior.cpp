// [posterior] draws: by weight, keyed by (seed, draw) only, never a zero weight.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/config/posterior.hpp"

using namespace atc::sim;

TEST_CASE("posterior draws follow the weights and depend only on (seed, draw)", "[posterior]") {
  // Weights 1, 0, 3 (cumulative 1, 1, 4): sample 1 is never drawn, sample 2 three times as often as 0.
  const std::vector<double> cumulative{1.0, 1.0, 4.0};
  std::vector<int> counts(3, 0);
  const int n = 40000;
  for (int i = 0; i < n; ++i) ++counts[weighted_draw(cumulative, 5, static_cast<std::size_t>(i))];
  CHECK(counts[1] == 0);
  // Binomial(40000, 0.25): sd 87, so +-400 is more than 4 sd.
  CHECK(std::abs(counts[0] - n / 4) < 400);
  CHECK(counts[0] + counts[2] == n);
  // The same draw whatever else is drawn, and another seed gives other draws.
  CHECK(weighted_draw(cumulative, 5, 123) == weighted_draw(cumulative, 5, 123));
  int differ = 0;
  for (std::size_t i = 0; i < 100; ++i)
    differ += weighted_draw(cumulative, 5, i) != weighted_draw(cumulative, 6, i);
  CHECK(differ > 10);
  PosteriorSpec p;
  p.draws = 3;
  CHECK(p.draw_of(0) == 0);
  CHECK(p.draw_of(4) == 1);
}
