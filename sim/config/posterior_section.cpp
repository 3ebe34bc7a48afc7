#include "sim/config/posterior_section.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "sim/config/sweep_section.hpp"
#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/text.hpp"
#include "sim/io/posterior_file.hpp"
#include "sim/rng/random.hpp"

namespace atc::sim {

namespace {

constexpr const char* kFormat = "atcsim-calibration/1";

std::string checksum_text(std::uint64_t c) {
  return fmt::format("fnv1a64:{:016x}", c);
}

// Columns of the file to draw: every one, or those `parameters` names.
std::vector<std::size_t> drawn_columns(TableReader& r, const io::PosteriorFile& file) {
  std::vector<std::size_t> columns;
  const auto wanted = r.string_list("parameters");
  if (!wanted) {
    for (std::size_t j = 0; j < file.keys.size(); ++j) columns.push_back(j);
    return columns;
  }
  if (wanted->empty()) r.expected("parameters", "a non-empty list of the posterior file's parameter keys");
  for (const auto& key : *wanted) {
    const auto it = std::find(file.keys.begin(), file.keys.end(), key);
    if (it == file.keys.end()) {
      r.fail("parameters", fmt::format("'{}' is not a parameter of the posterior file (it has {}){}", key,
                                       join(file.keys, ", "), did_you_mean(key, file.keys)));
    }
    const auto j = static_cast<std::size_t>(it - file.keys.begin());
    if (std::find(columns.begin(), columns.end(), j) != columns.end()) {
      r.fail("parameters", fmt::format("'{}' is listed twice", key));
    }
    columns.push_back(j);
  }
  return columns;
}

// Weights finite and >= 0 with a positive sum; their running sums.
std::vector<double> cumulative_weights(TableReader& r, const io::PosteriorFile& file,
                                       const std::string& path) {
  if (file.samples.empty()) r.fail("path", fmt::format("{}: the posterior has no samples", path));
  std::vector<double> cumulative;
  double total = 0;
  for (std::size_t i = 0; i < file.weights.size(); ++i) {
    const double w = file.weights[i];
    if (!std::isfinite(w) || w < 0) {
      r.fail("path", fmt::format("{}: weights[{}] = {}: expected a finite weight >= 0", path, i, w));
    }
    total += w;
    cumulative.push_back(total);
  }
  if (!(total > 0)) r.fail("path", fmt::format("{}: the weights sum to 0", path));
  return cumulative;
}

}  // namespace

std::size_t weighted_draw(const std::vector<double>& cumulative, std::uint64_t seed, std::size_t draw) {
  RandomStream rng(RngKey{seed, 0, 0}, draw, 0, Purpose("posterior/draw"));
  const double target = rng.uniform() * cumulative.back();
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  // target < cumulative.back(), so `it` is a sample; zero-weight samples are never drawn.
  return std::min(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
}

PosteriorSpec parse_posterior(const toml::table& table, const ExperimentSpec& base, const std::string& file,
                              const ScenarioSelection& selection) {
  namespace fs = std::filesystem;
  TableReader r(table, "posterior", file);
  PosteriorSpec post;
  const auto path = r.string("path");
  if (!path) r.expected("path", "the posterior file written by `atcsim calibrate` (.nc)");
  fs::path p(*path);
  if (p.is_relative()) p = fs::path(file).parent_path() / p;
  post.path = fs::absolute(p).lexically_normal().string();
  std::error_code ec;
  if (!fs::is_regular_file(post.path, ec)) r.fail("path", fmt::format("{}: no such file", post.path));
  io::PosteriorFile pf;
  try {
    pf = io::read_posterior_file(post.path);
  } catch (const ConfigError& e) {
    r.fail("path", e.what());
  }
  if (pf.format != kFormat) {
    r.fail("path",
           fmt::format("{}: expected calibration_format \"{}\", got \"{}\"", post.path, kFormat, pf.format));
  }
  post.checksum = pf.checksum;
  if (const auto given = r.string("checksum"); given && *given != checksum_text(pf.checksum)) {
    r.fail("checksum", fmt::format("the posterior file has changed: expected {}, the file has {}", *given,
                                   checksum_text(pf.checksum)));
  }
  post.seed = static_cast<std::uint64_t>(r.integer("seed", 0).value_or(static_cast<std::int64_t>(base.seed)));
  post.draws = r.integer("draws", 1).value_or(base.replicates);
  if (base.replicates % post.draws != 0) {
    r.fail("draws", fmt::format("expected a divisor of experiment.replicates ({}): replicates = draws x k, "
                                "got {}",
                                base.replicates, post.draws));
  }
  const std::vector<std::size_t> columns = drawn_columns(r, pf);
  r.finish();

  std::vector<const ParamDecl*> decls;
  for (std::size_t j : columns) {
    const std::string& key = pf.keys[j];
    if (const std::string left_out = selection.left_out_scenario_of(key); !left_out.empty()) {
      r.fail(table.contains("parameters") ? "parameters" : "path",
             fmt::format("{}: parameter '{}' is one of scenario '{}', which --scenario leaves out; select it "
                         "too (--scenario {}), or draw the other parameters only (posterior.parameters)",
                         post.path, key, left_out, left_out));
    }
    const ParamDecl* decl = find_sweep_decl(base, split(key, '.'));
    if (decl == nullptr || (decl->type != ParamType::Real && decl->type != ParamType::Integer)) {
      r.fail("path", fmt::format("{}: parameter '{}' is not a numeric parameter of model {} (model.X, "
                                 "scenario.NAME.model.X, scenario.NAME.intervention.KIND.X, site.ID.X)",
                                 post.path, key, base.model->name));
    }
    decls.push_back(decl);
    post.keys.push_back(key);
    post.coordinates.push_back(sweep_coordinate_name(key));
    post.units.push_back(decl->unit);
    post.integer.push_back(decl->type == ParamType::Integer);
  }
  const std::vector<double> cumulative = cumulative_weights(r, pf, post.path);
  for (std::size_t i = 0; i < pf.samples.size(); ++i) {
    if (pf.weights[i] == 0) continue;  // never drawn
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::string problem = check_numeric_value(*decls[c], pf.samples[i][columns[c]]);
      if (!problem.empty()) {
        r.fail("path", fmt::format("{}: sample {}: {}: {}", post.path, i, post.keys[c], problem));
      }
    }
  }
  for (std::int64_t d = 0; d < post.draws; ++d) {
    const std::size_t j = weighted_draw(cumulative, post.seed, static_cast<std::size_t>(d));
    post.sample_of_draw.push_back(static_cast<std::int64_t>(j));
    std::vector<double> values;
    for (std::size_t c : columns) values.push_back(pf.samples[j][c]);
    post.draw_values.push_back(std::move(values));
  }
  return post;
}

std::vector<std::string> draw_assignments(const PosteriorSpec& posterior, std::size_t draw) {
  std::vector<std::string> out;
  for (std::size_t c = 0; c < posterior.keys.size(); ++c) {
    const double v = posterior.draw_values[draw][c];
    out.push_back(posterior.keys[c] + "=" +
                  (posterior.integer[c] ? fmt::format("{}", std::llround(v)) : fmt::format("{}", v)));
  }
  return out;
}

toml::table resolved_posterior(const PosteriorSpec& posterior) {
  toml::table t;
  t.insert("path", posterior.path);
  t.insert("checksum", checksum_text(posterior.checksum));
  t.insert("seed", static_cast<std::int64_t>(posterior.seed));
  t.insert("draws", posterior.draws);
  toml::array keys;
  for (const auto& k : posterior.keys) keys.push_back(k);
  t.insert("parameters", std::move(keys));
  return t;
}

}  // namespace atc::sim
