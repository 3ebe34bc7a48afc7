#pragma once
// Published reference models. Each reproduces the result of the paper it comes
// from (tests/reference/) and shares its mechanisms with the territorial model.
#include "sim/model/model.hpp"

namespace atc::models::canonical {

sim::ModelDescription watts();
sim::ModelDescription granovetter();
sim::ModelDescription deffuant();
sim::ModelDescription hk();
sim::ModelDescription nowak_may();
sim::ModelDescription axelrod();
sim::ModelDescription schelling();

}  // namespace atc::models::canonical
