#pragma once
// What a model is, as the engine sees it. The engine knows models only through
// this interface and the description each model registers; it never includes
// anything from models/.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sim/config/params.hpp"
#include "sim/exec/parallel.hpp"
#include "sim/rng/random.hpp"

namespace atc::sim {

class Model;

// A published magnitude an indicator should stay within (plausibility
// envelope): the engine warns, naming the indicator and the site, when the
// replicate mean of a site's statistic leaves [min, max].
struct PlausibleRange {
  enum class Basis {
    Value,           // time-mean of the value (shares, counts per site)
    PerEvent,        // time-mean over the recorded times where the value is not 0 (per event)
    Per1000,         // time-mean per 1,000 of the site's population
    Per1000PerYear,  // last value of a cumulative indicator, per 1,000 of the population per year
  };
  std::string table;  // name of the envelope entry, e.g. "core_members_per_site"
  Basis basis = Basis::Value;
  double min = 0;
  double max = 0;
  double population_min = 0;  // applies to sites whose population is in this range
  double population_max = 1e300;
  int label = -1;      // for an indicator with an extra dimension: the label checked
  std::string status;  // "[read]", "[read, secondary]" or "assumption"
  std::string unit;    // how the statistic is expressed, e.g. "per 1,000 residents"
};

// An indicator the model records, declared with the function that reads it
// from the model's state (as Mesa's model reporters), so that its name is
// written once and an undeclared indicator cannot be written.
struct IndicatorDecl {
  std::string name;
  std::string units = "1";
  std::string long_name;
  std::string description;
  std::string extra_dimension;  // "" for a scalar per (site, time), else e.g. "theme"
  // "outcome": produced by the model's dynamics; "input": set by the scenario
  // or its schedule (an intervention's parameter, a cost, a count of planned
  // meetings), recorded for reference and never to be reported as an effect.
  std::string role = "outcome";
  std::vector<PlausibleRange> plausible;  // empty: no published magnitude to compare with
  // Writes the value (or, with an extra dimension, one value per label) for
  // the model's current state, after Model::prepare_observation.
  std::function<void(const Model&, std::span<double>)> read;

  // Marks the indicator as an input (see `role`).
  IndicatorDecl input() && {
    role = "input";
    return std::move(*this);
  }
};

// An extra output dimension (e.g. theme) and its labels.
struct DimensionDecl {
  std::string name;
  std::vector<std::string> labels;
  std::string long_name;
};

// A kind of intervention or shock a scenario can schedule (declared by the model).
struct InterventionDecl {
  std::string kind;
  std::string doc;
  std::vector<ParamDecl> params;
};

// A scheduled intervention, validated: active for steps in [start_step, end_step).
struct InterventionSpec {
  std::string kind;
  ParamSet params;
  std::int64_t start_step = 0;
  std::int64_t end_step = INT64_MAX;
  std::vector<std::string> sites;  // empty = every site
  [[nodiscard]] bool active_at(std::int64_t step) const { return step >= start_step && step < end_step; }
  [[nodiscard]] bool applies_to(std::string_view site_id) const;
};

// One site (neighbourhood) of an experiment. Models without sites get one
// site called "all".
struct SiteSpec {
  std::string id = "all";
  std::string name = "all";
  std::string code;
  std::string network;
  std::string notes;
  ParamSet fields;                      // values of the model's declared site fields
  std::vector<std::string> provenance;  // per field: source/confidence label
  // Per field, what the value describes (its perimeter) and what kind of
  // source gave it, in the model's words (SiteSchema); and whether the site
  // itself is identified for sure.
  std::vector<std::string> perimeter;
  std::vector<std::string> source_kind;
  std::string identity;
  // The value of a numeric site field (booleans as 0/1); NaN when `field` is
  // "", not declared, or not a number.
  [[nodiscard]] double number(std::string_view field) const;
};

// How a model's sites are named in the output file and matched by a [sites]
// overrides table. The engine knows no domain: the model supplies these words
// (e.g. the official coding system of its neighbourhoods); the defaults are
// neutral.
struct SiteSchema {
  // long_name attributes of the site coordinates and of site_provenance.
  std::string code_long_name = "site code";
  std::string network_long_name = "site network";
  // The networks the model knows (empty: any). A site of another network is
  // loaded with a warning: a misspelt name would silently take no network's
  // behaviour.
  std::vector<std::string> networks;
  std::string population_long_name = "resident population of the site";
  std::string provenance_long_name = "source or confidence of each site value";
  // The numeric site field written as the `population` coordinate; "" = none (NaN).
  std::string population_field;
  // [sites] overrides: the CSV columns that may hold a site's `code`, tried in
  // order (case-insensitive); the system the codes belong to, for messages
  // ("<system> code 'X' appears twice"); the provenance of every value taken.
  std::vector<std::string> code_columns{"code"};
  std::string code_system = "site";
  std::string override_provenance = "official";
  // Provenance in two parts per site field ([site.perimeter] and
  // [site.source_kind] in a config) and one per site (`identity`): the labels
  // a config may use (empty: any non-empty label), the labels of a field left
  // at its declared default, of a value a config gives without labelling it
  // ("unstated" when empty) and of a value taken from a [sites] overrides table.
  std::vector<std::string> perimeter_labels;
  std::vector<std::string> source_kind_labels;
  std::vector<std::string> identity_labels;
  std::string default_perimeter = "default";
  std::string default_source_kind = "assumption";
  std::string default_identity = "confirmed";
  std::string override_perimeter = "site";
  std::string override_source_kind = "official";
  std::string perimeter_long_name = "perimeter each site value describes";
  std::string source_kind_long_name = "kind of source of each site value";
  std::string identity_long_name = "whether the site's identity is confirmed";
};

// The memory one site of a run needs at its peak, estimated from the
// parameters and the site alone (nothing is built), so that a run that
// cannot fit is refused before it starts. `reduce` names what to make
// smaller, e.g. "model.n".
struct MemoryEstimate {
  double bytes = 0;
  std::string reduce;
};

// Everything a model needs to build one site of one run.
struct ModelInit {
  const ParamSet& params;
  const SiteSpec& site;
  std::span<const InterventionSpec> interventions;
  RngKey rng;
  std::int64_t steps = 0;
  int step_days = 1;
  Parallel parallel;
};

class Model {
 public:
  virtual ~Model() = default;
  // Advance one step. Called once per step (never per agent).
  virtual void step(std::int64_t step, Parallel parallel) = 0;
  // Called before the indicators are read at a recorded time (and only then):
  // the place for work that only observation needs, such as a census.
  virtual void prepare_observation(Parallel /*parallel*/) {}
  // Number of agents, for progress and throughput reporting.
  [[nodiscard]] virtual std::uint64_t agent_count() const = 0;
  // True once nothing can change any more (e.g. Axelrod absorption, a finished
  // cascade). The engine then stops stepping and repeats the last observation.
  [[nodiscard]] virtual bool absorbed() const { return false; }
  // Optional: a copy of this model with `interventions` scheduled instead of
  // its own; nullptr (the default) when the model cannot make one.
  // Contract: called on a model just built by ModelDescription::create with no
  // interventions and not yet stepped, it returns a model indistinguishable
  // from the one create would build with `interventions` (and otherwise the
  // same ModelInit): every later step, observation and coupling gives the
  // same bits. Hence whatever the constructor computes (e.g. a warm-up
  // without interventions) must not depend on them. The copy shares no
  // mutable state with this model. The engine uses it, for a model that
  // declares interventions, to build a site once for the scenarios of a
  // replicate that have identical parameters and differ only in their
  // interventions (sim/exec/runner.cpp).
  [[nodiscard]] virtual std::unique_ptr<Model> with_interventions(
      std::span<const InterventionSpec> /*interventions*/) const {
    return nullptr;
  }
};

// Declares an indicator read from a model of type M by `read`, which returns
// the value (scalar indicators) or fills one value per label of the extra
// dimension: `[](const M& m, std::span<double> out) { ... }`.
template <class M, class Read>
IndicatorDecl indicator(std::string name, std::string units, std::string long_name, std::string description,
                        Read read, std::string extra_dimension = "");

struct ModelDescription {
  std::string name;      // registry key, e.g. "canonical/watts"
  std::string summary;   // one line
  std::string citation;  // published source of the model, if any
  int default_step_days = 1;
  std::int64_t default_steps = 100;
  std::vector<ParamDecl> params;
  std::vector<IndicatorDecl> indicators;
  std::vector<DimensionDecl> dimensions;
  std::vector<ParamDecl> site_fields;  // empty: the model has no site profile
  SiteSchema site_schema;              // labels of site coordinates, key of site overrides
  std::vector<InterventionDecl> interventions;
  ParamCheck check;  // cross-parameter checks (optional)

  // Optional coupling between the sites of a run (e.g. diffusion of practices
  // across sites of a network). When set, and `coupled` (if given) says yes
  // for the scenario's parameters, all sites of a run advance in lockstep and
  // `couple` is called after every step with the site models in site order
  // (all created by this description's `create`). It runs on one thread.
  std::function<void(std::int64_t step, std::span<Model* const> sites, const ParamSet& params)> couple;
  std::function<bool(const ParamSet& params)> coupled;
  std::function<std::unique_ptr<Model>(const ModelInit&)> create;
  // Optional: the peak memory of one site (sim/exec/memory.hpp sums the
  // sites that run at once). Unset: the model is taken to be small.
  std::function<MemoryEstimate(const ParamSet& params, const SiteSpec& site)> estimate_memory;

  [[nodiscard]] const IndicatorDecl* find_indicator(std::string_view name) const;
  [[nodiscard]] const DimensionDecl* find_dimension(std::string_view name) const;
  [[nodiscard]] const InterventionDecl* find_intervention(std::string_view kind) const;
  // Number of values an indicator has per (site, time): 1, or its dimension's size.
  [[nodiscard]] std::size_t extent(const IndicatorDecl& indicator) const;
};

// Every declared indicator of `model` for its current state (calls
// prepare_observation first), one vector of extent() values per indicator.
std::vector<std::vector<double>> read_indicators(const ModelDescription& description, Model& model,
                                                 Parallel parallel);

namespace detail {
[[noreturn]] void wrong_model_type(const std::string& indicator);
}  // namespace detail

template <class M, class Read>
IndicatorDecl indicator(std::string name, std::string units, std::string long_name, std::string description,
                        Read read, std::string extra_dimension) {
  IndicatorDecl d;
  d.name = std::move(name);
  d.units = std::move(units);
  d.long_name = std::move(long_name);
  d.description = std::move(description);
  d.extra_dimension = std::move(extra_dimension);
  d.read = [read, indicator = d.name](const Model& model, std::span<double> out) {
    const auto* m = dynamic_cast<const M*>(&model);
    if (m == nullptr) detail::wrong_model_type(indicator);
    if constexpr (std::is_invocable_v<Read, const M&, std::span<double>>) {
      read(*m, out);
    } else {
      out[0] = static_cast<double>(read(*m));
    }
  };
  return d;
}

}  // namespace atc::sim
