#include <catch2/catch.hpp>

#include <vector>

#include "harness.hpp"
#include "models/mechanisms/lattice.hpp"
#include "sim/rng/random.hpp"

using atc::test::config_error;
using atc::test::Harness;
using atc::test::Params;
namespace mech = atc::models::mechanisms;

TEST_CASE(
    "canonical/schelling: neighbours within a Chebyshev radius on a torus and on a bounded grid, by hand",
    "[canonical][schelling]") {
  constexpr std::uint8_t E = 255;
  // 5 x 5 torus, cell = y * 5 + x.
  std::vector<std::uint8_t> grid(25, E);
  grid[0 * 5 + 0] = 0;  // (0,0) the agent we look at
  grid[0 * 5 + 1] = 0;  // (1,0) same group
  grid[4 * 5 + 4] = 0;  // (4,4) same group, diagonal across both edges
  grid[1 * 5 + 0] = 1;  // (0,1) other group
  grid[2 * 5 + 2] = 1;  // (2,2) outside radius 1, inside radius 2
  const auto r1 = mech::chebyshev_offsets(1);
  CHECK(r1.size() == 8);
  auto n = mech::count_neighbours(grid, 5, r1, 0, 0, std::uint8_t{0}, E);
  CHECK(n.same == 2);
  CHECK(n.total == 3);
  const auto r2 = mech::chebyshev_offsets(2);
  CHECK(r2.size() == 24);
  n = mech::count_neighbours(grid, 5, r2, 0, 0, std::uint8_t{0}, E);
  CHECK(n.same == 2);
  CHECK(n.total == 4);
  // The tabulated neighbourhood agrees.
  const mech::ChebyshevNeighbourhood hood1(5, 1, true);
  const mech::ChebyshevNeighbourhood hood2(5, 2, true);
  CHECK(hood1.size() == 8);
  CHECK(hood1.count(grid, 0, 0, std::uint8_t{0}, E).same == 2);
  CHECK(hood1.count(grid, 0, 0, std::uint8_t{0}, E).total == 3);
  CHECK(hood2.count(grid, 0, 0, std::uint8_t{0}, E).total == 4);
  // Bounded: (4,4) is no longer a neighbour of (0,0); (2,2) still is at radius 2.
  n = mech::count_neighbours(grid, 5, r1, 0, 0, std::uint8_t{0}, E, false);
  CHECK(n.same == 1);
  CHECK(n.total == 2);
  const mech::ChebyshevNeighbourhood bounded1(5, 1, false);
  const mech::ChebyshevNeighbourhood bounded2(5, 2, false);
  CHECK(bounded1.count(grid, 0, 0, std::uint8_t{0}, E).same == 1);
  CHECK(bounded1.count(grid, 0, 0, std::uint8_t{0}, E).total == 2);
  CHECK(bounded2.count(grid, 0, 0, std::uint8_t{0}, E).same == 1);
  CHECK(bounded2.count(grid, 0, 0, std::uint8_t{0}, E).total == 3);
  // A corner cell has 3 neighbour cells at radius 1, an edge cell 5, an inner one 8.
  const std::vector<std::uint8_t> full(25, 0);
  CHECK(bounded1.count(full, 4, 4, std::uint8_t{0}, E).total == 3);
  CHECK(bounded1.count(full, 2, 0, std::uint8_t{0}, E).total == 5);
  CHECK(bounded1.count(full, 2, 2, std::uint8_t{0}, E).total == 8);
  CHECK(bounded2.count(full, 0, 0, std::uint8_t{0}, E).total == 8);
  CHECK(hood2.count(full, 0, 0, std::uint8_t{0}, E).total == 24);
  // Happiness: counts, and shares (a share of exactly the wanted value is enough).
  CHECK(mech::is_happy({2, 3}, 2, 0.0));
  CHECK_FALSE(mech::is_happy({2, 3}, 3, 0.0));
  CHECK(mech::is_happy({2, 3}, -1, 0.6));
  CHECK_FALSE(mech::is_happy({2, 3}, -1, 0.7));
  CHECK(mech::is_happy({3, 10}, -1, 0.3));
  CHECK(mech::is_happy({0, 0}, -1, 0.9));  // nobody around: happy
}

TEST_CASE("canonical/schelling: tabulated and reference neighbourhoods agree everywhere",
          "[canonical][schelling]") {
  for (const bool torus : {true, false}) {
    for (std::uint32_t width : {5u, 7u, 12u}) {
      // Bounded lattices take any radius, even one whose ball covers the lattice.
      for (std::uint32_t radius = 1; radius <= (torus ? (width - 1) / 2 : width + 1) && radius <= 6;
           ++radius) {
        std::vector<std::uint8_t> grid(std::size_t{width} * width);
        for (std::size_t c = 0; c < grid.size(); ++c)
          grid[c] = static_cast<std::uint8_t>((c * 7 + c / 3) % 3 == 2 ? 255 : c % 2);
        const mech::ChebyshevNeighbourhood hood(width, radius, torus);
        const auto offsets = mech::chebyshev_offsets(static_cast<int>(radius));
        for (std::uint32_t y = 0; y < width; ++y) {
          for (std::uint32_t x = 0; x < width; ++x) {
            INFO("torus " << torus << " width " << width << " radius " << radius << " x " << x << " y " << y);
            const auto a = hood.count(grid, x, y, std::uint8_t{1}, std::uint8_t{255});
            const auto b =
                mech::count_neighbours(grid, width, offsets, x, y, std::uint8_t{1}, std::uint8_t{255}, torus);
            REQUIRE(a.same == b.same);
            REQUIRE(a.total == b.total);
          }
        }
      }
    }
  }
}

TEST_CASE("canonical/schelling: neighbour counts kept up to date through moves equal a recount",
          "[canonical][schelling]") {
  constexpr std::uint8_t E = 255;
  for (const bool torus : {true, false}) {
    for (const std::uint32_t radius : {1u, 2u, 3u, 4u}) {
      constexpr std::uint32_t width = 9;
      const mech::ChebyshevNeighbourhood hood(width, radius, torus);
      mech::TwoGroupNeighbourCounts counts(hood);
      std::vector<std::uint8_t> grid(std::size_t{width} * width, E);
      atc::sim::RandomStream rng({5, 0, 0}, radius, torus ? 1 : 0, atc::sim::Purpose("test/schelling"));
      // Random arrivals, departures and moves (from one cell to another), checked against a recount.
      for (int event = 0; event < 2000; ++event) {
        const auto c = static_cast<std::uint32_t>(rng.below(grid.size()));
        if (grid[c] == E) {
          grid[c] = static_cast<std::uint8_t>(rng.below(2));
          counts.arrive(c, grid[c]);
        } else {
          const auto to = static_cast<std::uint32_t>(rng.below(grid.size()));
          counts.leave(c, grid[c]);
          if (grid[to] == E && rng.bernoulli(0.7)) {  // a move
            grid[to] = grid[c];
            counts.arrive(to, grid[to]);
          }
          grid[c] = E;
        }
        if (event % 100 != 99) continue;
        // Also counted for the whole grid at once.
        mech::TwoGroupNeighbourCounts whole(hood);
        whole.assign(grid, E);
        for (std::uint32_t cell = 0; cell < grid.size(); ++cell) {
          for (const std::uint8_t group : {std::uint8_t{0}, std::uint8_t{1}}) {
            const auto kept = counts.around(cell, group);
            const auto recount = hood.count(grid, cell % width, cell / width, group, E);
            REQUIRE(kept.same == recount.same);
            REQUIRE(kept.total == recount.total);
            REQUIRE(whole.around(cell, group).same == recount.same);
            REQUIRE(whole.around(cell, group).total == recount.total);
          }
        }
      }
    }
  }
}

TEST_CASE("canonical/schelling: a bounded grid gives edge agents fewer neighbours than a torus",
          "[canonical][schelling]") {
  // Same seed: same placement; every agent sees at most as many same-group
  // neighbours on the bounded grid, fewer near the edges.
  const Params large{{"width", std::int64_t{100}},
                     {"agents", std::int64_t{8000}},
                     {"radius", std::int64_t{2}},
                     {"min_happy", std::int64_t{8}}};
  Params torus = large;
  torus.emplace_back("torus", true);
  Harness bounded_run("canonical/schelling", large, 4);
  Harness torus_run("canonical/schelling", torus, 4);
  const double bounded_happy = bounded_run.get("happy_fraction");
  const double torus_happy = torus_run.get("happy_fraction");
  // ~4 % of the agents are within 2 cells of an edge and lose up to 15 of 24 cells.
  CHECK(bounded_happy < torus_happy - 0.01);
  CHECK(torus_happy - bounded_happy < 0.1);
  CHECK(torus_run.get("percent_similar") == Approx(50).margin(1.5));
  CHECK(bounded_run.get("percent_similar") == Approx(50).margin(1.5));
}

TEST_CASE("canonical/schelling: random start is ~50 % similar, moves raise it and make everybody happy",
          "[canonical][schelling]") {
  Harness h(
      "canonical/schelling",
      {{"width", std::int64_t{51}}, {"agents", std::int64_t{2471}}, {"similar_wanted", 0.3}, {"torus", true}},
      9);
  CHECK(h.get("percent_similar") == Approx(50).margin(3));
  CHECK(h.get("happy_fraction") < 0.95);
  h.run_to_absorption(200);
  CHECK(h.model().absorbed());
  CHECK(h.get("happy_fraction") == 1.0);
  CHECK(h.get("percent_similar") > 70);
  h.step();  // everybody happy: nobody moves
  CHECK(h.get("moved_fraction") == 0);
}

TEST_CASE("canonical/schelling: the count rule (ABMFrameworksComparison small)", "[canonical][schelling]") {
  Harness h("canonical/schelling",
            {{"width", std::int64_t{40}},
             {"agents", std::int64_t{1000}},
             {"radius", std::int64_t{1}},
             {"min_happy", std::int64_t{3}}},
            2);
  const double before = h.get("happy_fraction");
  for (int s = 0; s < 20; ++s) h.step();
  CHECK(h.get("happy_fraction") > before);
  CHECK(h.get("percent_similar") > 70);
}

TEST_CASE("canonical/schelling: invalid parameters are config errors naming the key",
          "[canonical][schelling][config]") {
  const std::string base = "[model]\nname = \"canonical/schelling\"\n";
  CHECK_THAT(config_error(base + "torus = true\nwidth = 4\nradius = 2\n"), Catch::Contains("model.radius"));
  CHECK(config_error(base + "width = 4\nagents = 10\nradius = 2\n") == "no error");  // bounded: any radius
  CHECK_THAT(config_error(base + "torus = 1\n"), Catch::Contains("model.torus"));
  CHECK_THAT(config_error(base + "width = 5\nagents = 30\n"),
             Catch::Contains("model.agents") && Catch::Contains("24"));
  CHECK_THAT(config_error(base + "width = 5\nagents = 25\n"), Catch::Contains("model.agents"));
  CHECK_THAT(config_error(base + "min_happy = 3\nsimilar_wanted = 0.3\n"),
             Catch::Contains("model.similar_wanted"));
  CHECK_THAT(config_error(base + "min_happy = 9\n"), Catch::Contains("model.min_happy"));
  CHECK_THAT(config_error(base + "similar_wanted = 1.2\n"), Catch::Contains("model.similar_wanted"));
  CHECK_THAT(config_error(base + "agents = -1\n"), Catch::Contains("model.agents"));
  CHECK(config_error(base + "width = 5\nagents = 24\nradius = 2\nmin_happy = 8\n") == "no error");
}
