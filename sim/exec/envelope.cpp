#include "sim/exec/envelope.hpp"

#include <fmt/format.h>

#include <cmath>

namespace atc::sim {

namespace {

bool applies(const PlausibleRange& r, double population) {
  if (r.population_min <= 0 && r.population_max >= 1e300) return true;
  return std::isfinite(population) && population >= r.population_min && population <= r.population_max;
}

}  // namespace

double envelope_statistic(const PlausibleRange& range, std::span<const double> series, std::size_t extent,
                          const std::vector<std::int64_t>& steps, int step_days, double population) {
  const std::size_t column = range.label >= 0 ? static_cast<std::size_t>(range.label) : 0;
  const std::size_t times = steps.size();
  const double per_1000 = population > 0 ? 1000.0 / population : std::nan("");
  using Basis = PlausibleRange::Basis;
  if (range.basis == Basis::Per1000PerYear) {
    if (times < 2 || steps.back() <= steps.front()) return std::nan("");
    const double years = static_cast<double>(steps.back() - steps.front()) * step_days / 365.25;
    const double cumulative = series[(times - 1) * extent + column] - series[column];
    return cumulative / years * per_1000;
  }
  // Time-mean over the recorded times after the start (time 0 is the initial state).
  double total = 0;
  std::size_t count = 0;
  for (std::size_t t = times > 1 ? 1 : 0; t < times; ++t) {
    const double v = series[t * extent + column];
    if (range.basis == Basis::PerEvent && v == 0.0) continue;
    total += v;
    ++count;
  }
  if (count == 0) return std::nan("");
  const double mean = total / static_cast<double>(count);
  return range.basis == Basis::Per1000 ? mean * per_1000 : mean;
}

std::string EnvelopeFinding::message() const {
  return fmt::format(
      "{} at site '{}' (scenario '{}'): {:.4g} {} (mean of {} replicate(s)) is outside the plausible range "
      "[{:.4g}, {:.4g}] ({} {}; docs/data/envelope.md)",
      indicator, site, scenario, value, range.unit, replicates, range.min, range.max, range.table,
      range.status);
}

EnvelopeCheck::EnvelopeCheck(const ExperimentSpec& spec, const io::Layout& layout, io::Sink& inner)
    : spec_(spec), layout_(layout), inner_(inner) {}

void EnvelopeCheck::write_site(const io::RunId& run, std::size_t site, const io::SiteSeries& series) {
  const SiteSpec& s = spec_.site_for(run.point, site, run.replicate);
  const double population = spec_.model->site_schema.population_field.empty()
                                ? std::nan("")
                                : s.number(spec_.model->site_schema.population_field);
  std::vector<std::pair<Key, double>> values;
  for (std::size_t k = 0; k < layout_.indicators.size(); ++k) {
    const auto& ranges = layout_.indicators[k]->plausible;
    for (std::size_t r = 0; r < ranges.size(); ++r) {
      if (!applies(ranges[r], population)) continue;
      const double v = envelope_statistic(ranges[r], series.values[k], layout_.extent[k], layout_.steps,
                                          spec_.step_days, population);
      if (std::isfinite(v)) values.push_back({Key{run.scenario, run.point, site, k, r}, v});
    }
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [key, v] : values) {
      auto& sum = sums_[key];
      sum.total += v;
      ++sum.count;
    }
  }
  inner_.write_site(run, site, series);
}

std::vector<EnvelopeFinding> EnvelopeCheck::findings() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  std::vector<EnvelopeFinding> out;
  for (const auto& [key, sum] : sums_) {
    const auto [scenario, point, site, k, r] = key;
    const PlausibleRange& range = layout_.indicators[k]->plausible[r];
    const double mean = sum.total / static_cast<double>(sum.count);
    if (mean >= range.min && mean <= range.max) continue;
    std::string scenario_name = spec_.scenario_at(point, scenario).name;
    if (layout_.has_point_dimension) scenario_name += fmt::format(", point {}", point);
    out.push_back(
        {scenario_name, spec_.site_at(point, site).id, layout_.indicators[k]->name, range, mean, sum.count});
  }
  return out;
}

void EnvelopeCheck::report(std::FILE* out) const {
  const auto all = findings();
  constexpr std::size_t kShown = 20;
  for (std::size_t k = 0; k < all.size() && k < kShown; ++k) {
    std::fprintf(out, "atcsim: warning: %s\n", all[k].message().c_str());
  }
  if (all.size() > kShown) {
    std::fprintf(out,
                 "atcsim: warning: %zu more outputs outside their plausible range (the report lists all)\n",
                 all.size() - kShown);
  }
}

std::size_t EnvelopeCheck::checked() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return sums_.size();
}

}  // namespace atc::sim
