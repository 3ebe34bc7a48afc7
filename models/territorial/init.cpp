// Initialisation of one site: organisations, residents (static profile and
// initial dynamic state), the social network, initial ladder levels, then a
// burn-in without interventions so that week 0 starts in the baseline regime.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "models/territorial/model.hpp"
#include "sim/exec/interrupt.hpp"
#include "sim/graph/generators.hpp"

namespace atc::models::territorial {

namespace {

using sim::Purpose;
using sim::RandomStream;

// RNG step keys outside the range of engine steps: initialisation and burn-in
// draws never coincide with the draws of week 0, 1, ...
constexpr std::uint64_t kInitKey = std::uint64_t{1} << 62;
constexpr std::uint64_t kBurnInKey = std::uint64_t{1} << 61;

double beta_draw(RandomStream& rng, double mean, double concentration) {
  return rng.beta_mean(std::clamp(mean, 0.005, 0.995), concentration);
}

}  // namespace

std::unique_ptr<sim::Model> make_model(const sim::ModelInit& init) {
  return std::make_unique<TerritorialModel>(init);
}

TerritorialModel::TerritorialModel(const sim::ModelInit& init)
    : prm_(sim::bind<Params>(init.params)),
      site_(SiteProfile::from(init.site)),
      iv_(Interventions::from(init.interventions, init.site.network)),
      key_(init.rng),
      round_keys_(key_),
      scale_(prm_.population_scale),
      utility_(utility_weights(prm_)),
      ladder_(ladder_rates(prm_)),
      fatigue_(fatigue_rates(prm_)),
      contribution_{prm_.contribution_trust, prm_.contribution_trust_reference, prm_.contribution_posture,
                    prm_.contribution_mobilisation, prm_.contribution_intercept},
      conflict_shape_(conflict_shape(prm_)) {
  // Each phase takes seconds for a site of millions: a stop request (Ctrl-C)
  // is honoured between phases, inside parallel loops and every burn-in week.
  init_organisations();
  sim::throw_if_stop_requested();
  init_residents(init.parallel);
  sim::throw_if_stop_requested();
  init_network(init.parallel);
  sim::throw_if_stop_requested();
  init_levels(init.parallel);
  sim::throw_if_stop_requested();
  rebuild_ties(init.parallel);
  init_targets();
  init_practices();
  diagnosis_ = prm_.diagnosis_initial;
  for (int b = 0; b < prm_.burn_in_weeks; ++b) {
    sim::throw_if_stop_requested();
    advance(b - prm_.burn_in_weeks, kBurnInKey + static_cast<std::uint64_t>(b), true, init.parallel);
  }
  reset_counters();
}

std::unique_ptr<sim::Model> TerritorialModel::with_interventions(
    std::span<const sim::InterventionSpec> interventions) const {
  auto copy = std::make_unique<TerritorialModel>(*this);
  copy->iv_ = Interventions::from(interventions, site_.network);
  copy->reserve_week_lists();  // a vector's copy keeps its size, not its capacity
  return copy;
}

// The lists a week fills (the union-find's members, a forum's attendees, its
// sessions and pairs) reserved at their largest, so that no week allocates.
void TerritorialModel::reserve_week_lists() {
  const std::size_t n = res_.n;
  uf_members_.reserve(n);
  attendees_.reserve(n);
  pair_first_.reserve(n / 2);
  // Every resident attending: the most sessions a forum can have.
  const std::size_t sessions =
      forum_session_count(static_cast<double>(n) / scale_, n, prm_.forum_session_capacity);
  session_begin_.reserve(sessions + 1);
  session_conflict_.reserve(sessions);
  session_bound_.reserve(sessions);
}

void TerritorialModel::reset_counters() {
  forums_held_ = 0;
  projects_launched_ = projects_succeeded_ = projects_failed_ = projects_on_priority_ = 0;
  body_projects_succeeded_ = 0;
  avoided_costs_ = intervention_cost_ = 0;
  conflict_productive_sum_ = conflict_destructive_sum_ = 0;
  people_reached_.fill(0.0);
  people_moved_.fill(0.0);
  for (std::size_t i = 0; i < res_.n; ++i) res_.ever[i] = res_.level[i] >= kOccasional ? 1 : 0;
}

// ---- outcome target groups and practices -----------------------------------

// Who each theme's projects are for, in people (full scale): shares of base
// groups from the site profile, so they are per capita of the site.
void TerritorialModel::init_targets() {
  const double pop = site_.population;
  const double under15 = std::min(*site_.under15_share, 0.9);
  const double residents15 = pop * (1.0 - under15);
  const double adults = pop * std::max(0.0, 1.0 - site_.under25_share - site_.senior_share);
  const double youth = pop * std::max(0.0, site_.under25_share - under15);
  const ThemeVector base{adults * prm_.activity_rate * site_.unemployment_rate,  // unemployed 25-64
                         residents15,
                         youth,
                         residents15,
                         residents15,
                         residents15};
  for (int k = 0; k < kThemes; ++k) target_[k] = base[k] * prm_.target_group_share[k];
  people_better_.fill(0.0);
  people_reached_.fill(0.0);
  people_moved_.fill(0.0);
}

// Each site starts with or without each practice (heterogeneous starting
// points, phase 9).
void TerritorialModel::init_practices() {
  RandomStream rng(key_, kInitKey, 0, Purpose("territorial/practices"));
  for (std::size_t k = 0; k < practice_.size(); ++k) {
    practice_[k] = rng.uniform() < prm_.practice_initial_share[k];
    practice_next_[k] = practice_[k];
  }
}

// ---- organisations ----------------------------------------------------------

namespace {

// The types of a site's n_assoc associations: the network's lead type first
// (the animator's host), then the rest of the mix by largest remainder (all of
// the lead type when the mix is empty).
std::vector<int> association_types(int lead, int n_assoc, const std::array<double, kAssocTypes>& mix) {
  std::vector<int> types{lead};
  double total = 0;
  for (double w : mix) total += w;
  std::array<int, kAssocTypes> count{};
  const int rest = n_assoc - 1;
  if (total <= 0) {
    count[lead] = rest;
  } else {
    std::array<double, kAssocTypes> frac{};
    int given = 0;
    for (int t = 0; t < kAssocTypes; ++t) {
      const double q = rest * mix[t] / total;
      count[t] = static_cast<int>(std::floor(q));
      frac[t] = q - count[t];
      given += count[t];
    }
    while (given < rest) {
      int best = 0;
      for (int t = 1; t < kAssocTypes; ++t) {
        if (frac[t] > frac[best]) best = t;
      }
      ++count[best];
      frac[best] = -1;
      ++given;
    }
  }
  for (int t = 0; t < kAssocTypes; ++t) types.insert(types.end(), count[t], t);
  return types;
}

}  // namespace

double associations_at_density(const SiteProfile& site) {
  return site.associations_per_1000 * site.population / 1000.0;
}

int association_count(const SiteProfile& site, int min_associations) {
  return static_cast<int>(std::clamp(std::llround(associations_at_density(site)),
                                     static_cast<long long>(min_associations), kMaxAssociations));
}

void TerritorialModel::init_organisations() {
  const int lead = lead_association_type(site_.network);
  const double raw = associations_at_density(site_);
  const int n_assoc = association_count(site_, prm_.min_associations);
  const std::vector<int> types = association_types(lead, n_assoc, site_.association_mix());
  const double density = association_density(raw, types, n_assoc);
  RandomStream rng(key_, kInitKey, 0, Purpose("territorial/organisations"));
  draw_organisations(types, n_assoc, density, rng);
  draw_organisation_trust(rng);
  index_organisations_by_theme();
  const int n = org_.size();
  contrib_ = Eigen::MatrixXd::Zero(kMaxProjects, n);
  offered_ = Eigen::MatrixXd::Zero(kMaxProjects, n);
  week_contrib_.assign(static_cast<std::size_t>(n) + 1, 0.0);
  projects_of_org_.assign(n, 0);
}

// Associations' total capacity is per capita: what `raw` associations in the
// proportions of the mix would have. Each association gets its type's share
// of it (capacity x the density returned here), so that neither rounding, the
// minimum number nor the lead type placed first changes the capacity per
// resident.
double TerritorialModel::association_density(double raw, const std::vector<int>& types, int n_assoc) const {
  double expected = 0, mix_total = 0, drawn = 0;
  for (int t = 0; t < kAssocTypes; ++t) {
    expected += site_.association_mix()[t] * prm_.association_capacity[t];
    mix_total += site_.association_mix()[t];
  }
  for (int t : types) drawn += prm_.association_capacity[t];
  return mix_total > 0 && drawn > 0 ? raw * (expected / mix_total) / drawn
                                    : raw / static_cast<double>(n_assoc);
}

// Each organisation's type, capacity, posture, legitimacy and thematic focus:
// the n_assoc associations (of types[j]) first, then one institution per type.
void TerritorialModel::draw_organisations(const std::vector<int>& types, int n_assoc, double density,
                                          RandomStream& rng) {
  org_.n_assoc = n_assoc;
  org_.n_inst = kInstTypes;
  const int n = org_.size();
  org_.type.resize(n);
  org_.capacity.resize(n);
  org_.posture.resize(n);
  org_.legitimacy.assign(n, prm_.legitimacy_initial);
  org_.focus.resize(n);
  org_.host = 0;
  // Institutions serve every resident: their capacity is per 1,000 residents.
  const double per_1000 = site_.population / 1000.0;
  for (int j = 0; j < n; ++j) {
    if (j < n_assoc) {
      org_.type[j] = types[j];
      org_.capacity[j] = prm_.association_capacity[types[j]] * density;
      org_.posture[j] = prm_.association_posture;
      org_.focus[j] = association_focus(prm_, types[j]);
      org_.of_type[types[j]].push_back(j);
    } else {
      const int t = j - n_assoc;
      org_.type[j] = t;
      org_.capacity[j] = prm_.institution_capacity[t] * per_1000;
      org_.posture[j] = beta_draw(rng, prm_.posture_initial, prm_.posture_concentration);
      org_.focus[j] = institution_focus(prm_, t);
    }
  }
  org_.posture0 = org_.posture;
  org_.legitimacy0 = org_.legitimacy;
}

// Initial trust between organisations, by category of the pair
// (association/institution in each other), diagonal 1.
void TerritorialModel::draw_organisation_trust(RandomStream& rng) {
  const int n = org_.size();
  org_.trust.resize(n, n);
  org_.trust0_sum = org_.trust0_sum2 = 0.0;
  for (int j = 0; j < n; ++j) {
    for (int l = 0; l < n; ++l) {
      if (j == l) {
        org_.trust(j, l) = 1.0;
        continue;
      }
      const int cat = (org_.is_institution(j) ? 2 : 0) + (org_.is_institution(l) ? 1 : 0);
      const double w = beta_draw(rng, prm_.org_trust_initial[cat], prm_.org_trust_concentration);
      org_.trust(j, l) = w;
      org_.trust0_sum += w;
      org_.trust0_sum2 += w * w;
    }
  }
  org_.trust0 = org_.trust;
  org_.is_moved.assign(static_cast<std::size_t>(n) * static_cast<std::size_t>(n), 0);
  org_.moved.clear();
}

// Per theme: the partners of its projects and the institution in charge; and
// the institutions' own priorities, normalised.
void TerritorialModel::index_organisations_by_theme() {
  const int n = org_.size();
  for (int k = 0; k < kThemes; ++k) {
    org_.institution_for[k] = org_.n_assoc;
    for (int j = 0; j < n; ++j) {
      if (org_.focus[j][k] >= prm_.partner_focus_min) org_.partners[k].push_back(j);
      if (org_.is_institution(j) && org_.focus[j][k] > org_.focus[org_.institution_for[k]][k]) {
        org_.institution_for[k] = j;
      }
    }
  }
  double s = 0;
  for (double x : prm_.institution_priorities) s += x;
  for (int k = 0; k < kThemes; ++k) org_.institution_priorities[k] = prm_.institution_priorities[k] / s;
}

// ---- residents --------------------------------------------------------------

void TerritorialModel::init_residents(sim::Parallel par) {
  const double under15 = std::min(*site_.under15_share, 0.9);
  youth15_ = std::clamp((site_.under25_share - under15) / (1.0 - under15), 0.0, 1.0);
  senior15_ = std::clamp(site_.senior_share / (1.0 - under15), 0.0, 1.0 - youth15_);
  const auto n = static_cast<std::size_t>(
      std::max<long long>(2, std::llround(site_.population * (1.0 - under15) * scale_)));
  res_.n = n;
  // Mean priorities, tilted by the site profile (employment with
  // unemployment, youth with the share of under-25s; national QPV values = no tilt).
  ThemeVector m = prm_.resident_priorities;
  m[0] *= site_.unemployment_rate / prm_.national_unemployment_rate;
  m[2] *= site_.under25_share / prm_.national_under25_share;
  double total = 0;
  for (double x : m) total += x;
  for (int k = 0; k < kThemes; ++k) prio_mean_[k] = total > 0 ? m[k] / total : 1.0 / kThemes;

  auto& r = res_;
  r.age.assign(n, 1);
  r.low_income.assign(n, 0);
  r.barrier.assign(n, 0);
  r.foreign.assign(n, 0);
  r.employed.assign(n, 0);
  r.availability.assign(n, 0.f);
  r.threshold.assign(n, 0.f);
  r.block.assign(n, 0);
  r.member_of.assign(n, kNoOrg);
  r.level.assign(n, 0);
  r.ever.assign(n, 0);
  r.invited.assign(n, 0);
  r.attending.assign(n, 0);
  r.moved.assign(n, 0);
  r.participating.assign(n, 0);
  r.weeks_active.assign(n, 0);
  r.trust.assign(n, {0.f, 0.f});
  for (auto* v : {&r.eff, &r.fatigue, &r.ti0, &r.ta0, &r.eff0}) v->assign(n, 0.f);
  r.prio.assign(n * kThemes, 0.f);
  r.prio0.assign(n * kThemes, 0.f);
  r.project_of.assign(n, -1);
  r.tie_count.assign(n, 0);
  r.formed.assign(n, 0);
  r.slots_changed.assign(n, 1);
  r.tie_target.assign(n, 0);
  r.tie_to.assign(n * kTieSlots, 0);
  r.tie_kind.assign(n * kTieSlots, 0);
  r.tie_life.assign(n * kTieSlots, 0);

  // Barrier flag: a digital barrier for anyone, a language barrier for some
  // foreign nationals (so the site's foreign_share matters).
  const double barrier_native = prm_.digital_barrier_share;
  const double barrier_foreign =
      prm_.digital_barrier_share + (1.0 - prm_.digital_barrier_share) * prm_.language_barrier_among_foreign;
  const double employed_p = prm_.activity_rate * (1.0 - site_.unemployment_rate);
  par.for_each(n, [&](std::size_t i) {
    RandomStream rng(key_, kInitKey, i, Purpose("territorial/profile"));
    const double u = rng.uniform();
    r.age[i] = u < youth15_ ? 0 : (u < youth15_ + senior15_ ? 2 : 1);
    r.foreign[i] = rng.bernoulli(site_.foreign_share) ? 1 : 0;
    r.barrier[i] = rng.bernoulli(r.foreign[i] ? barrier_foreign : barrier_native) ? 1 : 0;
    r.low_income[i] = rng.bernoulli(site_.poverty_rate) ? 1 : 0;
    r.employed[i] = r.age[i] != 2 && rng.bernoulli(employed_p) ? 1 : 0;
    const int group = r.age[i] == 0 ? 0 : (r.age[i] == 2 ? 3 : (r.employed[i] ? 1 : 2));
    const double a_mean =
        prm_.availability_mean[group] + (r.low_income[i] ? prm_.low_income_availability_shift : 0.0);
    r.availability[i] = static_cast<float>(beta_draw(rng, a_mean, prm_.availability_concentration));
    const double t_mean = prm_.threshold_mean + (r.age[i] == 0 ? prm_.youth_threshold_shift : 0.0) +
                          (r.low_income[i] ? prm_.low_income_threshold_shift : 0.0);
    r.threshold[i] = static_cast<float>(beta_draw(rng, t_mean, prm_.threshold_concentration));
    draw_resident_state(i, kInitKey);
  });
}

// Dynamic state of a resident arriving in the site (initialisation and
// newcomers after residential turnover): trust, efficacy, priorities,
// membership. Each group of attributes has its own stream, keyed by `key`
// (the initialisation key or the week) and the resident, so that changing the
// distribution of one (e.g. initial trust) leaves the others' draws unchanged.
void TerritorialModel::draw_resident_state(std::size_t i, std::uint64_t key) {
  auto& r = res_;
  RandomStream rng(key_, key, i, Purpose("territorial/trust"));
  RandomStream efficacy(key_, key, i, Purpose("territorial/efficacy"));
  RandomStream prio(key_, key, i, Purpose("territorial/priorities"));
  RandomStream member(key_, key, i, Purpose("territorial/membership"));
  r.ti0[i] = r.ti(i) =
      static_cast<float>(beta_draw(rng, prm_.trust_institutions_initial, prm_.trust_concentration));
  r.ta0[i] = r.ta(i) =
      static_cast<float>(beta_draw(rng, prm_.trust_associations_initial, prm_.trust_concentration));
  r.eff0[i] = r.eff[i] =
      static_cast<float>(beta_draw(efficacy, prm_.efficacy_initial, prm_.trust_concentration));
  // Dirichlet(priority_concentration x mean) via normalised gammas.
  double g[kThemes];
  double sum = 0;
  for (int k = 0; k < kThemes; ++k) {
    g[k] = prio.gamma(std::max(1e-3, prm_.priority_concentration * prio_mean_[k]));
    sum += g[k];
  }
  float* p = r.p(i);
  float* p0 = r.prio0.data() + i * kThemes;
  for (int k = 0; k < kThemes; ++k) p0[k] = p[k] = static_cast<float>(sum > 0 ? g[k] / sum : 1.0 / kThemes);
  r.member_of[i] = draw_membership(i, member);
  r.level[i] = 0;
  r.ever[i] = 0;
  r.weeks_active[i] = 0;
  r.fatigue[i] = 0.f;
  r.project_of[i] = -1;
}

std::uint16_t TerritorialModel::draw_membership(std::size_t i, RandomStream& rng) const {
  const auto& w = prm_.membership_age_weights;
  const double mean_w = youth15_ * w[0] + (1.0 - youth15_ - senior15_) * w[1] + senior15_ * w[2];
  const double p = mean_w > 0 ? prm_.membership_share * w[res_.age[i]] / mean_w : 0.0;
  const double u = rng.uniform();
  const double pick = rng.uniform();
  const double within = rng.uniform();
  if (u >= p) return kNoOrg;
  // Type by (number of associations x capacity reach x affinity with the
  // resident's top theme), then uniformly within the type.
  const int top = top_theme(res_.p(i));
  std::array<double, kAssocTypes> weight{};
  double total = 0;
  for (int t = 0; t < kAssocTypes; ++t) {
    weight[t] = static_cast<double>(org_.of_type[t].size()) *
                (prm_.association_capacity[t] + prm_.membership_capacity_floor) *
                (1.0 + prm_.membership_focus_weight * association_focus(prm_, t)[top]);
    total += weight[t];
  }
  if (total <= 0) return kNoOrg;
  double acc = 0;
  for (int t = 0; t < kAssocTypes; ++t) {
    acc += weight[t] / total;
    if (pick < acc || t == kAssocTypes - 1) {
      const auto& list = org_.of_type[t];
      if (list.empty()) continue;
      const auto k =
          std::min(list.size() - 1, static_cast<std::size_t>(within * static_cast<double>(list.size())));
      return static_cast<std::uint16_t>(list[k]);
    }
  }
  return kNoOrg;
}

// ---- network ----------------------------------------------------------------

void TerritorialModel::init_network(sim::Parallel par) {
  const std::size_t n = res_.n;
  // block_size counts residents: at population_scale s a block holds
  // block_size x s agents (at least enough for the lattice's degree).
  const double agents_per_block =
      std::max(prm_.block_size * *prm_.population_scale, static_cast<double>(prm_.block_ties + 1));
  const auto blocks = static_cast<std::size_t>(
      std::max<long long>(1, std::llround(static_cast<double>(n) / agents_per_block)));
  block_begin_.resize(blocks + 1);
  for (std::size_t b = 0; b <= blocks; ++b) block_begin_[b] = static_cast<std::uint32_t>(b * n / blocks);
  using Edges = std::vector<std::pair<sim::NodeId, sim::NodeId>>;
  // Each block's lattice has its own stream: drawn in parallel, then joined
  // in block order.
  std::vector<Edges> block_edges(blocks);
  par.for_each(blocks, [&](std::size_t b) {
    const std::uint32_t begin = block_begin_[b];
    const std::size_t m = block_begin_[b + 1] - begin;
    for (std::size_t i = begin; i < begin + m; ++i) res_.block[i] = static_cast<std::uint32_t>(b);
    if (m == 2) block_edges[b].emplace_back(begin, begin + 1);
    if (m < 3) return;
    const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(prm_.block_ties), (m - 1) / 2 * 2);
    if (k < 2) return;
    RandomStream rng(key_, kInitKey, b, Purpose("territorial/block_lattice"));
    const sim::CsrGraph g = sim::watts_strogatz(m, k, prm_.block_rewiring, rng);
    for (sim::NodeId a = 0; a < m; ++a) {
      for (sim::NodeId c : g.neighbours_of(a)) {
        if (c > a) block_edges[b].emplace_back(begin + a, begin + c);
      }
    }
  });
  Edges edges;
  // Edges per resident: half the block degree (an integer halving, as meant:
  // the degree is even) plus weak_ties; only a capacity hint.
  const int block_edges_per_resident = prm_.block_ties / 2;
  edges.reserve(n * static_cast<std::size_t>(block_edges_per_resident + prm_.weak_ties));
  for (auto& e : block_edges) {
    edges.insert(edges.end(), e.begin(), e.end());
    Edges().swap(e);
  }
  if (blocks > 1) {
    RandomStream rng(key_, kInitKey, 0, Purpose("territorial/weak_ties"));
    const auto target = static_cast<std::size_t>(std::llround(static_cast<double>(n) * prm_.weak_ties / 2.0));
    for (std::size_t e = 0, attempts = 0; e < target && attempts < 4 * target; ++attempts) {
      const auto a = static_cast<sim::NodeId>(rng.below(n));
      const auto c = static_cast<sim::NodeId>(rng.below(n));
      if (res_.block[a] == res_.block[c]) continue;
      edges.emplace_back(a, c);
      ++e;
    }
  }
  const sim::CsrGraph g = sim::build_csr(n, std::move(edges));
  bridging_ties_.assign(n, 0);  // counted by add_tie
  // Into the slots, keeping ties symmetric: an edge is kept only when both
  // ends have room (degrees are small, so this almost never drops one).
  const int initial_cap = std::max(1, prm_.max_ties - prm_.tie_room);
  for (sim::NodeId a = 0; a < n; ++a) {
    for (sim::NodeId c : g.neighbours_of(a)) {
      if (c < a || res_.tie_count[a] >= initial_cap || res_.tie_count[c] >= initial_cap) continue;
      const TieKind kind = res_.block[a] == res_.block[c] ? kBlockTie : kWeakTie;
      add_tie(a, c, kind, 255);
      add_tie(c, a, kind, 255);
    }
  }
  for (std::size_t i = 0; i < n; ++i) res_.tie_target[i] = res_.tie_count[i];
  // Fixed clustering sample: every (n / k)-th resident.
  const std::size_t k = std::min<std::size_t>(n, static_cast<std::size_t>(prm_.clustering_sample));
  sample_.resize(k);
  for (std::size_t s = 0; s < k; ++s) sample_[s] = static_cast<std::uint32_t>(s * n / k);
  uf_parent_.resize(n);
  touched_.assign(n, 0);
  row_rewritten_.assign(n, 1);
  week_draws_.assign(n, 0);
  affil_.assign(n * kAffil, no_contribution());
  affil_n_.assign(n, 0);
  animator_weight_.assign(n, 0.0);
  trust_next_.assign(n, {0.f, 0.f});
  affil_dirty_.assign(n, 1);  // no set cached yet
  assoc_close_.assign(static_cast<std::size_t>(org_.n_assoc), 0.0);
  active_ties_.assign(n, 0);
  uf_size_.resize(n);
  reserve_week_lists();
  // The snapshot's rows, empty until the first rebuild_ties fills them.
  ties_.assign(n, kTieSlots);
}

// Initial ladder levels: the residents with the highest propensity
// (efficacy, trust, availability against threshold, plus noise) take the
// initial shares of levels 4, 3, 2, 1.
void TerritorialModel::init_levels(sim::Parallel par) {
  const std::size_t n = res_.n;
  std::vector<double> score(n);
  par.for_each(n, [&](std::size_t i) {
    RandomStream rng(key_, kInitKey, i, Purpose("territorial/initial_level"));
    score[i] = utility_.efficacy * res_.eff[i] + utility_.trust * res_.ta(i) -
               utility_.cost * (1.0 - res_.availability[i]) - res_.threshold[i] +
               prm_.initial_level_noise * rng.normal();
  });
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return score[a] != score[b] ? score[a] > score[b] : a < b;
  });
  std::size_t pos = 0;
  for (int level = kCore; level >= kInformed; --level) {
    const auto count =
        static_cast<std::size_t>(std::llround(prm_.initial_level_shares[level - 1] * static_cast<double>(n)));
    for (std::size_t c = 0; c < count && pos < n; ++c, ++pos) {
      const auto i = order[pos];
      res_.level[i] = static_cast<std::uint8_t>(level);
      res_.weeks_active[i] = static_cast<std::uint16_t>(level >= kActive ? ladder_.core_weeks : 0);
    }
  }
}

// ---- tie slots ----------------------------------------------------------------

bool TerritorialModel::tied(std::size_t i, std::uint32_t j) const {
  const std::uint32_t* to = res_.tie_to.data() + i * kTieSlots;
  for (int s = 0; s < res_.tie_count[i]; ++s) {
    if (to[s] == j) return true;
  }
  return false;
}

int TerritorialModel::neighbourhood_ties(std::size_t i) const {
  const std::uint8_t* kind = res_.tie_kind.data() + i * kTieSlots;
  int count = 0;
  for (int s = 0; s < res_.tie_count[i]; ++s) count += kind[s] != kFormedTie ? 1 : 0;
  return count;
}

bool TerritorialModel::add_tie(std::size_t i, std::uint32_t j, TieKind kind, std::uint8_t life) {
  const int c = res_.tie_count[i];
  if (c >= prm_.max_ties) return false;
  res_.tie_to[i * kTieSlots + c] = j;
  res_.tie_kind[i * kTieSlots + c] = kind;
  res_.tie_life[i * kTieSlots + c] = life;
  res_.tie_count[i] = static_cast<std::uint8_t>(c + 1);
  if (kind == kFormedTie) ++res_.formed[i];
  if (res_.block[j] != res_.block[i]) ++bridging_ties_[i];
  res_.slots_changed[i] = 1;
  return true;
}

}  // namespace atc::models::territorial
