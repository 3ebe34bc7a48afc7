#pragma once
// Published reference models. Each reproduces the result of the paper it comes
// from (tests/reference/) and shares its mechanisms with the territorial model.
#include "sim/model/model.hpp"

namespace atc::models::canonical {

sim::ModelDescription watts();

}  // namespace atc::models::canonical
