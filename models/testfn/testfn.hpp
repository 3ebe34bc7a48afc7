#pragma once
// Analytic test functions for validating sensitivity analysis: each is a
// "model" of one agent and one step whose output is the function value, so
// sweeps over it can be checked against the published analytic indices.
#include "sim/model/model.hpp"

namespace atc::models::testfn {

sim::ModelDescription ishigami();
sim::ModelDescription sobol_g();

}  // namespace atc::models::testfn
