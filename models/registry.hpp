#pragma once
#include "sim/model/registry.hpp"

namespace atc::models {

// Every model atcsim knows, by name. The list is explicit (models/registry.cpp).
const sim::ModelRegistry& registry();

}  // namespace atc::models
