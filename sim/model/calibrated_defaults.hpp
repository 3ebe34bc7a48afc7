#pragma once
// Calibrated defaults: how a calibration's result becomes a model's defaults.
//
// A calibration (`atcsim calibrate`) writes a posterior file; nothing in it
// changes a default by itself. A session that has run and reviewed a
// calibration writes the posterior medians to a small TOML file in the
// model's folder (models/NAME/calibrated.toml, format
// "atcsim-calibrated-defaults/1"; atcsim.calibration.calibrated_defaults
// writes it from a posterior), reviews it like code and commits it. The build
// compiles it in and the model's registration applies it: each listed
// parameter's default becomes its posterior median and its source says
// "calibrated (TARGETS, DATE)", which `atcsim describe` shows. Without the
// file, defaults stay the documented assumptions. The engine knows no model:
// this only edits declarations it is given.
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/params.hpp"

namespace atc::sim {

// Applies `toml_text` (empty: nothing to apply) to `params`. Every parameter
// listed must be declared, numeric and its value in range; errors throw
// ConfigError naming `origin`:line:col and the key.
void apply_calibrated_defaults(std::vector<ParamDecl>& params, std::string_view toml_text,
                               const std::string& origin);

}  // namespace atc::sim
