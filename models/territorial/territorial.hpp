#pragma once
// The territorial cooperation model (the product's core): residents,
// associations and institutions of a French priority neighbourhood (QPV), the
// interventions of the Animation Territoriale Citoyenne experiment and the
// indicators its evaluators look at. Design: ../shared/design/MODEL.md;
// documentation in the ODD protocol: docs/ODD.md.
#include "sim/model/model.hpp"

namespace atc::models::territorial {

sim::ModelDescription territorial();

}  // namespace atc::models::territorial
