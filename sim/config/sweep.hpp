#pragma once
// Parameter sweeps and sampling designs for sensitivity analysis: full
// factorial grids, Latin hypercubes, Saltelli's scheme on Sobol sequences,
// Morris elementary-effect trajectories, and given points (a list of
// parameter sets, e.g. a calibration's batch). Designs are drawn from their
// own random stream (the sweep seed), never from the simulation's.
#include <cstdint>
#include <string>
#include <vector>

namespace atc::sim {

enum class SweepMethod { Grid, Lhs, Sobol, Morris, Points };

struct SweepParameter {
  std::string key;             // dotted key, as for --set (e.g. "model.mu")
  std::string coordinate;      // output coordinate name ("model_mu")
  std::vector<double> values;  // grid: the levels
  double min = 0, max = 1;     // lhs / sobol / morris: the range
  bool log_scale = false;
  bool integer = false;  // the target parameter is an integer: values are rounded
  std::string units = "1";
};

// One row of the design: the point's parameter values and its role.
struct SweepDesign {
  std::vector<std::vector<double>> points;  // P x k, in parameter order
  // Role of each point, for the estimators: Sobol "A" / "B" / "AB", Morris
  // "trajectory", grid/lhs "sample".
  std::vector<std::string> role;
  std::vector<std::int64_t> group;   // Sobol base index i, Morris trajectory index, else the point index
  std::vector<std::int64_t> factor;  // Sobol AB column j, Morris factor moved to reach this point, else -1
  // Points with seeds = "per_point": the experiment seed each point runs
  // with (its replicates use the streams of `--set experiment.seed=S`).
  // Empty: every point uses the experiment seed (common random numbers).
  std::vector<std::uint64_t> seed;
};

struct SweepSpec {
  SweepMethod method = SweepMethod::Grid;
  std::uint64_t seed = 0;
  std::int64_t points = 0;        // lhs
  std::int64_t base_points = 0;   // sobol N
  std::int64_t trajectories = 0;  // morris r
  std::int64_t levels = 0;        // morris p
  std::string points_file;        // points: the CSV the design was read from ("" = inline)
  bool per_point_seeds = false;   // points: seeds = "per_point"
  std::vector<SweepParameter> parameters;
  SweepDesign design;
};

std::string method_name(SweepMethod m);

// Unit-hypercube designs (every coordinate in [0, 1]); `scale` maps them.
SweepDesign grid_design(const std::vector<std::size_t>& levels_per_parameter);
SweepDesign lhs_design(std::size_t points, std::size_t k, std::uint64_t seed);
SweepDesign saltelli_design(std::size_t base_points, std::size_t k);
SweepDesign morris_design(std::size_t trajectories, std::size_t k, std::size_t levels, std::uint64_t seed);

// Fills spec.design with parameter values for spec.method.
void build_design(SweepSpec& spec);

// The seed of point p under seeds = "per_point" when the design gives none:
// a function of (experiment seed, p) only, in [0, 2^63).
std::uint64_t derived_point_seed(std::uint64_t experiment_seed, std::size_t point);

// Maps u in [0, 1] to the parameter's range (linear or logarithmic), rounding
// for integers.
double scale(const SweepParameter& p, double u);

}  // namespace atc::sim
