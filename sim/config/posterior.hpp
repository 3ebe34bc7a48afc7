#pragma once
// Scenarios run from a calibration's posterior ([posterior] or --posterior):
// every replicate runs with one parameter set drawn, by weight, from the
// posterior file. Replicate r uses draw r mod `draws`; draw i is a function of
// (posterior seed, i) only, so it is the same in every scenario (the pairing
// of scenarios is kept) and for any thread or rank count.
#include <cstdint>
#include <string>
#include <vector>

namespace atc::sim {

struct PosteriorSpec {
  std::string path;  // the posterior file (absolute)
  std::uint64_t checksum = 0;
  std::uint64_t seed = 0;                // the draws' stream (default: the experiment seed)
  std::int64_t draws = 0;                // distinct parameter draws; replicates = draws x k
  std::vector<std::string> keys;         // drawn dotted keys, in the file's order
  std::vector<std::string> coordinates;  // their output names ("model.mu" -> "model_mu")
  std::vector<std::string> units;
  std::vector<bool> integer;
  std::vector<std::int64_t> sample_of_draw;      // [draw]: the posterior sample drawn
  std::vector<std::vector<double>> draw_values;  // [draw][key]

  [[nodiscard]] std::size_t draw_of(std::size_t replicate) const {
    return replicate % static_cast<std::size_t>(draws);
  }
};

// Draw i from cumulative weights (cumulative.back() > 0): the sample j with
// cumulative[j - 1] <= u W < cumulative[j], u uniform from the stream keyed
// by (seed, i).
std::size_t weighted_draw(const std::vector<double>& cumulative, std::uint64_t seed, std::size_t draw);

}  // namespace atc::sim
