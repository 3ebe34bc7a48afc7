#include <catch2/catch.hpp>

#include <vector>

#include "harness.hpp"
#include "models/mechanisms/spatial_games.hpp"
#include "sim/graph/generators.hpp"

using atc::test::config_error;
using atc::test::Harness;
namespace mech = atc::models::mechanisms;
using atc::sim::NodeId;

namespace {
// One synchronous Nowak-May step on a CSR lattice.
std::vector<std::uint8_t> sync_step(const atc::sim::CsrGraph& g, const std::vector<std::uint8_t>& coop,
                                    double b, bool self, std::vector<double>& score) {
  score.assign(coop.size(), 0.0);
  for (NodeId i = 0; i < coop.size(); ++i) score[i] = mech::pd_score(g, coop, i, b, self);
  std::vector<std::uint8_t> next(coop.size());
  for (NodeId i = 0; i < coop.size(); ++i) next[i] = mech::imitate_best(g, coop, score, i);
  return next;
}
}  // namespace

TEST_CASE("canonical/nowak_may: payoffs R = 1, T = b, S = P = 0", "[canonical][nowak_may]") {
  CHECK(mech::weak_pd_payoff(1, 1, 1.9) == 1.0);
  CHECK(mech::weak_pd_payoff(0, 1, 1.9) == 1.9);
  CHECK(mech::weak_pd_payoff(1, 0, 1.9) == 0.0);
  CHECK(mech::weak_pd_payoff(0, 0, 1.9) == 0.0);
}

TEST_CASE("canonical/nowak_may: one step from a single defector, by hand", "[canonical][nowak_may]") {
  // 5 x 5 torus, Moore neighbourhood, one defector in the centre (cell 12).
  const auto g = atc::sim::lattice_2d(5, 5, atc::sim::Neighbourhood::Moore, true);
  std::vector<std::uint8_t> coop(25, 1);
  coop[12] = 0;
  std::vector<double> score;
  auto next = sync_step(g, coop, 1.9, true, score);
  // Scores: the defector 8 x b = 15.2; a cooperator next to it 8 (7 C neighbours + itself);
  // every other cooperator 9 (8 + itself).
  CHECK(score[12] == Approx(15.2));
  CHECK(score[6] == 8.0);
  CHECK(score[0] == 9.0);
  // The 8 neighbours of the defector see 15.2 and defect: a 3 x 3 block of D.
  for (NodeId i = 0; i < 25; ++i) {
    const int x = static_cast<int>(i % 5);
    const int y = static_cast<int>(i / 5);
    const bool in_block = x >= 1 && x <= 3 && y >= 1 && y <= 3;
    CHECK(next[i] == (in_block ? 0 : 1));
  }
  // Without self-interaction cooperators score one less; the result is the same here.
  next = sync_step(g, coop, 1.9, false, score);
  CHECK(score[0] == 8.0);
  CHECK(score[6] == 7.0);
  CHECK(score[12] == Approx(15.2));
}

TEST_CASE("canonical/nowak_may: a 3 x 3 defector block in the chaotic regime", "[canonical][nowak_may]") {
  // 7 x 7 torus, D block at x, y in 2..4. Corner D (2,2) scores 5 b = 9.5 (5 C
  // neighbours); the C at (1,2) beside the block scores 7 (6 C + itself) but sees 9.5: defects.
  const auto g = atc::sim::lattice_2d(7, 7, atc::sim::Neighbourhood::Moore, true);
  std::vector<std::uint8_t> coop(49, 1);
  for (int y = 2; y <= 4; ++y) {
    for (int x = 2; x <= 4; ++x) coop[y * 7 + x] = 0;
  }
  std::vector<double> score;
  const auto next = sync_step(g, coop, 1.9, true, score);
  CHECK(score[2 * 7 + 2] == Approx(9.5));  // corner D: 5 C neighbours
  CHECK(score[3 * 7 + 2] == Approx(5.7));  // edge D: 3 C neighbours
  CHECK(score[3 * 7 + 3] == 0.0);          // centre D: no C neighbour
  CHECK(score[2 * 7 + 1] == 7.0);          // C beside the block: 6 C + itself
  CHECK(score[1 * 7 + 1] == 8.0);          // C diagonal to the corner: 7 C + itself
  CHECK(score[0] == 9.0);                  // C far away: 8 C + itself
  CHECK(next[2 * 7 + 1] == 0);             // its best neighbour is the corner D (9.5 > 9)
  CHECK(next[1 * 7 + 1] == 0);             // idem
  CHECK(next[0] == 1);                     // sees only cooperators
  CHECK(next[3 * 7 + 3] == 0);             // the centre imitates the corner D
}

TEST_CASE("canonical/nowak_may: defectors are placed exactly and the model absorbs when frozen",
          "[canonical][nowak_may]") {
  Harness h("canonical/nowak_may", {{"size", std::int64_t{10}}, {"initial_defectors", 0.1}}, 3);
  CHECK(h.get("coop_fraction") == 0.9);
  Harness all_c("canonical/nowak_may", {{"size", std::int64_t{10}}, {"initial_defectors", 0.0}});
  all_c.step();
  CHECK(all_c.get("coop_fraction") == 1.0);
  CHECK(all_c.model().absorbed());
  Harness all_d("canonical/nowak_may", {{"size", std::int64_t{10}}, {"initial_defectors", 1.0}});
  all_d.step();
  CHECK(all_d.get("coop_fraction") == 0.0);
  CHECK(all_d.model().absorbed());
}

TEST_CASE("canonical/nowak_may: 1.8 < b < 2 settles near 0.318, asynchronous updating loses it",
          "[canonical][nowak_may]") {
  Harness sync("canonical/nowak_may", {{"size", std::int64_t{100}}, {"b", 1.9}}, 4);
  double mean = 0.0;
  for (int s = 0; s < 150; ++s) {
    sync.step();
    if (s >= 50) mean += sync.get("coop_fraction") / 100.0;
  }
  CHECK(mean == Approx(0.318).margin(0.02));
  Harness async("canonical/nowak_may",
                {{"size", std::int64_t{60}}, {"b", 1.9}, {"update", std::string("asynchronous")}}, 4);
  for (int s = 0; s < 60; ++s) async.step();
  CHECK(async.get("coop_fraction") < 0.2);
}

TEST_CASE("canonical/nowak_may: invalid parameters are config errors naming the key",
          "[canonical][nowak_may][config]") {
  const std::string base = "[model]\nname = \"canonical/nowak_may\"\n";
  CHECK_THAT(config_error(base + "size = 2\n"), Catch::Contains("model.size"));
  CHECK_THAT(config_error(base + "b = 0.5\n"), Catch::Contains("model.b"));
  CHECK_THAT(config_error(base + "initial_defectors = 1.5\n"), Catch::Contains("model.initial_defectors"));
  CHECK_THAT(config_error(base + "update = \"random\"\n"), Catch::Contains("model.update"));
}
