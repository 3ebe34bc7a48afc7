// Phases 5-8 of a week: theme choice and project launch, inter-organisational
// cooperation on projects (public goods), trust and posture, outcomes and
// avoided costs. Organisation-level work is small and serial (fixed order);
// resident-level work is parallel over residents with block-ordered reductions.
#include <algorithm>
#include <array>
#include <cmath>
#include <span>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "models/mechanisms/public_goods.hpp"
#include "models/mechanisms/trust.hpp"
#include "models/territorial/model.hpp"

namespace atc::models::territorial {

namespace {
using sim::Purpose;
using sim::RandomStream;

// How many residents ahead the gathers over ties prefetch (a few hundred
// nanoseconds of work: about a memory latency).
constexpr std::size_t kPrefetchAhead = 8;
// Data that fits in this many bytes is assumed to stay in cache (a core's
// L2 on the development machine; an assumption, only a speed trade-off).
constexpr std::size_t kCacheBytes = std::size_t{1} << 20;

// The mean of the ties' last-week (ti, ta), each summed in tie order into a
// double and divided by the number of ties. With SSE2 both sums are one
// packed addition per tie, and both means one packed division (each lane
// rounds as the scalar operation does: the same bits, half the instructions;
// the division is on the step's critical path).
std::array<double, 2> mean_tie_trust(const std::array<float, 2>* prev, std::span<const sim::NodeId> ties) {
  const auto k = static_cast<double>(ties.size());
#if defined(__SSE2__)
  __m128d sum = _mm_setzero_pd();
  for (sim::NodeId t : ties) {
    // 8 bytes: the pair (ti, ta); _mm_loadl_epi64 reads through a may_alias type.
    const __m128 pair = _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(prev + t)));
    sum = _mm_add_pd(sum, _mm_cvtps_pd(pair));
  }
  std::array<double, 2> mean{};
  _mm_storeu_pd(mean.data(), _mm_div_pd(sum, _mm_set1_pd(k)));
  return mean;
#else
  double ti = 0, ta = 0;
  for (sim::NodeId t : ties) {
    ti += prev[t][0];
    ta += prev[t][1];
  }
  return {ti / k, ta / k};
#endif
}
}  // namespace

// ---- phase 5: theme choice and project launch --------------------------------

void TerritorialModel::phase_theme_choice(const Week& w, sim::Parallel par) {
  auto& r = res_;
  constexpr int K = kThemes;
  // Residents' effective voice: only as real as their presence at the body.
  if (!w.governance) {
    effective_voice_ = body_attendees_ = body_quorum_ = 0;
  } else if (w.governance_meeting) {
    body_attendees_ = forum_attendees_;
    body_quorum_ = w.quorum;
    effective_voice_ = w.resident_voice * body_quorum_share();
  }
  RandomStream launch(round_keys_, w.key, 0, Purpose("territorial/launch"));
  const double u = launch.uniform();
  const std::int64_t week = prm_.burn_in_weeks + w.step;
  const bool decide = w.governance
                          ? w.governance_meeting
                          : week % prm_.topdown_period_weeks == 0 && u < prm_.topdown_launch_probability;
  if (!decide) return;
  // Census of priorities, all residents' and participants' (taken only in a
  // week that decides on a launch: nothing else reads it).
  const auto c = par.reduce<Sums<2 * K + 1>>(r.n, [&](std::size_t b, std::size_t e) {
    Sums<2 * K + 1> s;
    for (std::size_t i = b; i < e; ++i) {
      const float* p = r.p(i);
      for (int k = 0; k < K; ++k) s.v[k] += p[k];
      if (r.level[i] < kOccasional) continue;
      for (int k = 0; k < K; ++k) s.v[K + k] += p[k];
      s.v[std::size_t{2} * K] += 1.0;
    }
    return s;
  });
  const double n = static_cast<double>(r.n);
  const double participants = c.v[std::size_t{2} * K];
  ThemeVector population_prio{};   // mean priorities of all residents
  ThemeVector participant_prio{};  // mean priorities of participants
  for (int k = 0; k < K; ++k) {
    population_prio[k] = c.v[k] / n;
    participant_prio[k] = participants > 0 ? c.v[K + k] / participants : population_prio[k];
  }
  // P = v P_res + (1 - v) P_inst with shared governance, P_inst alone otherwise.
  const ThemeVector& residents =
      w.governance_meeting && forum_attendees_ > 0 ? forum_centroid_ : participant_prio;
  const double v = w.governance ? effective_voice_ : 0.0;
  ThemeVector priority{};
  for (int k = 0; k < K; ++k) priority[k] = v * residents[k] + (1.0 - v) * org_.institution_priorities[k];
  const int limit = prm_.max_projects;  // declared at most K: one project per theme
  int active = 0;
  std::array<bool, K> taken{};
  int slot = -1;
  bool behind = false;
  for (int p = 0; p < kMaxProjects; ++p) {
    const Project& q = projects_[p];
    if (q.active) {
      ++active;
      taken[q.theme] = true;
      const double elapsed = static_cast<double>(w.step - (q.deadline - prm_.project_weeks));
      behind = behind || q.progress / q.effort < elapsed / prm_.project_weeks;
    } else if (slot < 0) {
      slot = p;
    }
  }
  if (active >= limit || slot < 0) return;
  if (w.governance && prm_.governance_checks_progress && behind) return;
  int theme = -1;
  for (int k = 0; k < K; ++k) {
    if (!taken[k] && (theme < 0 || priority[k] > priority[theme])) theme = k;
  }
  if (theme < 0) return;
  int rank = 0;  // rank of the theme in residents' mean priorities
  for (int k = 0; k < K; ++k) {
    if (population_prio[k] > population_prio[theme] ||
        (population_prio[k] == population_prio[theme] && k < theme))
      ++rank;
  }
  Project& pr = projects_[slot];
  pr = Project{};
  pr.active = true;
  pr.theme = theme;
  pr.deadline = w.step + prm_.project_weeks;
  pr.on_priority = rank < prm_.priority_top_n;
  pr.decided_by_body = w.governance_meeting;
  // Required effort ~ Gamma with mean project_effort and the given CV.
  RandomStream difficulty(round_keys_, w.key, static_cast<std::uint64_t>(slot),
                          Purpose("territorial/project_effort"));
  // A project is as large as the site it serves: its effort is per capita.
  const double mean_effort = prm_.project_effort * site_.population / 1000.0;
  const double cv = prm_.project_effort_cv;
  pr.effort = cv > 0 ? mean_effort * cv * cv * difficulty.gamma(1.0 / (cv * cv)) : mean_effort;
  contrib_.row(slot).setZero();
  offered_.row(slot).setZero();
  projects_launched_ += 1;
  projects_on_priority_ += pr.on_priority ? 1 : 0;
}

// ---- phase 6: inter-organisational cooperation -----------------------------

void TerritorialModel::phase_cooperation(const Week& w, sim::Parallel par) {
  auto& r = res_;
  bool any = false;
  for (auto& p : projects_) {
    p.outcome = 0;
    any = any || p.active;
  }
  // Each participant works on the active project whose theme matters most to
  // them, provided they care about it (priority >= project_interest_min).
  // The same pass counts the participants and their top themes (the
  // mobilisation on each theme; counts, exact in any order).
  constexpr int kParticipantCount = kMaxProjects + kThemes;
  const auto effort = par.reduce<Sums<kParticipantCount + 1>>(r.n, [&](std::size_t b, std::size_t e) {
    Sums<kParticipantCount + 1> s;
    for (std::size_t i = b; i < e; ++i) {
      std::int8_t best = -1;
      if (any && r.level[i] >= kOccasional) {
        const float* p = r.p(i);
        s.v[kMaxProjects + top_theme(p)] += 1.0;
        s.v[kParticipantCount] += 1.0;
        const double opp = opportunity(w, i);
        if (opp > 0) {
          for (int k = 0; k < kMaxProjects; ++k) {
            if (projects_[k].active && (best < 0 || p[projects_[k].theme] > p[projects_[best].theme])) {
              best = static_cast<std::int8_t>(k);
            }
          }
          if (best >= 0 && p[projects_[best].theme] < prm_.project_interest_min) best = -1;
          if (best >= 0) s.v[best] += prm_.resident_effort[r.level[i] - kOccasional] * opp;
        }
      }
      r.project_of[i] = best;
    }
    return s;
  });
  if (!any) return;
  // Share of participants whose top theme is k.
  const double participants = effort.v[kParticipantCount];
  ThemeVector mobilisation{};
  for (int k = 0; k < kThemes; ++k) {
    mobilisation[k] = participants > 0 ? effort.v[kMaxProjects + k] / participants : 0.0;
  }
  std::fill(projects_of_org_.begin(), projects_of_org_.end(), 0);
  for (const auto& p : projects_) {
    if (!p.active) continue;
    for (int j : org_.partners[p.theme]) ++projects_of_org_[j];
  }
  for (int p = 0; p < kMaxProjects; ++p) {
    Project& pr = projects_[p];
    if (!pr.active) continue;
    const auto& partners = org_.partners[pr.theme];
    double total = 0;
    for (int j : partners) {
      // Conditional cooperation: mean trust in the other partners, posture,
      // residents mobilised on the theme; capacity shared between projects.
      double trust = 0;
      for (int l : partners) {
        if (l != j) trust += org_.trust(j, l);
      }
      trust = partners.size() > 1 ? trust / static_cast<double>(partners.size() - 1)
                                  : contribution_.trust_reference;
      const double multiplier = org_.is_institution(j) ? 1.0 : w.capacity_multiplier;
      const double capacity = org_.capacity[j] * multiplier * w.activity / projects_of_org_[j];
      const double x =
          mechanisms::contribution(capacity, trust, org_.posture[j], mobilisation[pr.theme], contribution_);
      contrib_(p, j) += x;
      offered_(p, j) += capacity;
      total += x;
    }
    pr.resident_effort = effort.v[p] / scale_;
    const double pace = total + pr.resident_effort;
    pr.progress += pace;
    const auto remaining = static_cast<double>(pr.deadline - w.step);
    const bool started = w.step - (pr.deadline - prm_.project_weeks) >= prm_.abandon_after_weeks;
    if (pr.progress >= pr.effort) {
      pr.outcome = +1;
      pr.active = false;
    } else if (w.step >= pr.deadline ||
               (started && pr.progress + pace * remaining < prm_.abandon_share * pr.effort)) {
      // deadline reached, or hopelessly behind: abandoned
      pr.outcome = -1;
      pr.active = false;
    }
  }
}

// ---- phase 7: trust and posture ----------------------------------------------

void TerritorialModel::phase_trust(const Week& w, sim::Parallel par) {
  const bool any_outcome = learn_from_project_outcomes(w);
  relax_organisations();
  update_resident_trust(w, any_outcome, par);
}

// Organisations learn from this week's finished projects: partners' trust in
// one another, institutions' posture, associations' legitimacy. Returns
// whether any project finished.
bool TerritorialModel::learn_from_project_outcomes(const Week& w) {
  const double lambda = prm_.negativity;
  bool any_outcome = false;
  for (int p = 0; p < kMaxProjects; ++p) {
    const Project& pr = projects_[p];
    if (pr.outcome == 0) continue;
    any_outcome = true;
    (pr.outcome > 0 ? projects_succeeded_ : projects_failed_) += 1;
    if (pr.outcome > 0 && pr.decided_by_body) body_projects_succeeded_ += 1;
    const auto& partners = org_.partners[pr.theme];
    // Free-riding is judged relative to what a partner could give: the share
    // of its available capacity it put in, against the partners' mean share.
    auto effort_share = [&](int j) { return offered_(p, j) > 0 ? contrib_(p, j) / offered_(p, j) : 0.0; };
    double mean = 0;
    for (int j : partners) mean += effort_share(j);
    mean /= static_cast<double>(std::max<std::size_t>(1, partners.size()));
    for (int j : partners) {
      for (int l : partners) {
        if (l == j) continue;
        // Trust among partners follows the outcome; everyone's trust in a
        // free-rider falls whatever the outcome.
        const bool free_rider = mechanisms::is_free_rider(effort_share(l), mean, prm_.free_rider_share);
        org_.trust(j, l) = mechanisms::trust_after(org_.trust(j, l), free_rider ? -1 : pr.outcome,
                                                   prm_.org_trust_gain, lambda);
        const auto index = static_cast<std::uint32_t>(j * org_.size() + l);
        if (org_.is_moved[index] == 0) {
          org_.is_moved[index] = 1;
          org_.moved.push_back(index);
        }
      }
      if (org_.is_institution(j)) {
        // Cooperative experience moves posture, whoever chose the project;
        // trained institutions learn faster from it.
        org_.posture[j] = mechanisms::posture_after(org_.posture[j], pr.outcome,
                                                    prm_.posture_gain * w.learning, prm_.posture_loss);
      } else {
        org_.legitimacy[j] =
            mechanisms::trust_after(org_.legitimacy[j], pr.outcome, prm_.legitimacy_gain, lambda);
      }
    }
  }
  return any_outcome;
}

// Trust between organisations, posture and legitimacy relax towards their
// initial values (memories fade without new evidence). Entries of W that no
// outcome has moved equal their initial value, so relaxing them would change
// nothing: only the moved ones are visited.
void TerritorialModel::relax_organisations() {
  const double rw = prm_.org_trust_relaxation;
  double* trust = org_.trust.data();
  const double* trust0 = org_.trust0.data();
  for (const std::uint32_t x : org_.moved) trust[x] += rw * (trust0[x] - trust[x]);
  for (int j = 0; j < org_.size(); ++j) {
    if (org_.is_institution(j)) {
      org_.posture[j] += prm_.posture_relaxation * (org_.posture0[j] - org_.posture[j]);
    } else {
      org_.legitimacy[j] += prm_.legitimacy_relaxation * (org_.legitimacy0[j] - org_.legitimacy[j]);
    }
  }
}

// Residents: DeGroot averaging over ties and relaxation to baseline (read
// from last week's copies), then evidence from projects and proposals; the
// proposals feed the institutions' responsiveness.
void TerritorialModel::update_resident_trust(const Week& w, bool any_outcome, sim::Parallel par) {
  auto& r = res_;
  const double lambda = prm_.negativity;
  // Last week's values are read (gathered over ties) while this week's are
  // written to the other buffer; the two are swapped after the loop.
  const auto* prev = r.trust.data();
  auto* next = trust_next_.data();
  // Only worth it when the values do not fit in a core's cache.
  const bool fetch_ahead = r.n * sizeof(r.trust[0]) > kCacheBytes;
  const double omega = prm_.degroot_weight;
  const double rho = prm_.trust_relaxation;
  // The sums are counts (exact in any order): fine blocks. Each block then
  // rewrites its residents' changed rows of the tie snapshot (the end of the
  // week, in the same pass): the loop reads only resident i's row for i.
  const sim::Parallel fine = par.finer();
  found_.start(r.n, fine.block());
  const auto proposals = fine.reduce<Sums<2>>(r.n, [&](std::size_t b, std::size_t e) {
    Sums<2> s;
    for (std::size_t i = b; i < e; ++i) {
      // The gather below misses the cache on ties to other blocks (at 10^6
      // residents and more): the values of a later resident's ties are
      // fetched ahead, so that many misses are in flight at once.
      if (fetch_ahead && i + kPrefetchAhead < e) {
        for (sim::NodeId t : ties_.neighbours_of(static_cast<sim::NodeId>(i + kPrefetchAhead)))
          __builtin_prefetch(prev + t);
      }
      const auto nb = ties_.neighbours_of(static_cast<sim::NodeId>(i));
      const float ti_prev = prev[i][0];  // float, as the differences below are taken
      const float ta_prev = prev[i][1];
      double ti = ti_prev;
      double ta = ta_prev;
      double eff = r.eff[i];
      if (!nb.empty()) {
        const std::array<double, 2> mean = mean_tie_trust(prev, nb);
        ti += omega * (mean[0] - ti_prev);
        ta += omega * (mean[1] - ta_prev);
      }
      ti += rho * (r.ti0[i] - ti_prev);
      ta += rho * (r.ta0[i] - ta_prev);
      eff += rho * (r.eff0[i] - eff);
      if (any_outcome) {
        const int own = r.project_of[i] >= 0 ? projects_[r.project_of[i]].outcome : 0;
        if (own != 0) {
          eff = mechanisms::trust_after(eff, own, prm_.resident_trust_gain, lambda);
          ta = mechanisms::trust_after(ta, own, prm_.resident_trust_gain, lambda);
          ti = mechanisms::trust_after(ti, own, prm_.resident_trust_gain, lambda);
          if (own > 0) r.fatigue[i] = static_cast<float>(r.fatigue[i] * (1.0 - fatigue_.relief));
        } else {
          int successes = 0, failures = 0;
          for (sim::NodeId t : nb) {
            const int q = r.project_of[t] >= 0 ? projects_[r.project_of[t]].outcome : 0;
            successes += q > 0 ? 1 : 0;
            failures += q < 0 ? 1 : 0;
          }
          const int heard = successes > failures ? +1 : (failures > 0 ? -1 : 0);
          eff = mechanisms::trust_after(eff, heard, prm_.resident_trust_gain, lambda, prm_.tie_spillover);
          ta = mechanisms::trust_after(ta, heard, prm_.resident_trust_gain, lambda, prm_.tie_spillover);
          ti = mechanisms::trust_after(ti, heard, prm_.resident_trust_gain, lambda, prm_.tie_spillover);
        }
      }
      // Proposals of active residents to the institution in charge of their
      // top theme: acted upon with probability r_k = r0 + (r_max - r0) pi_k.
      // Only active residents propose: the others' streams are not drawn.
      if (r.level[i] >= kActive) {
        RandomStream rng(round_keys_, w.key, i, Purpose("territorial/proposal"));
        const double propose = rng.uniform();
        const double act = rng.uniform();
        if (propose < prm_.proposal_rate) {
          const int k = org_.institution_for[top_theme(r.p(i))];
          const double rk =
              prm_.responsiveness_min + (prm_.responsiveness_max - prm_.responsiveness_min) * org_.posture[k];
          const bool acted = act < rk;
          ti = mechanisms::trust_after(ti, acted ? +1 : -1, prm_.institution_trust_gain, lambda);
          s.v[0] += 1.0;
          s.v[1] += acted ? 1.0 : 0.0;
        }
      }
      next[i] = {static_cast<float>(mechanisms::clamp_trust(ti)),
                 static_cast<float>(mechanisms::clamp_trust(ta))};
      r.eff[i] = static_cast<float>(mechanisms::clamp_trust(eff));
    }
    rewrite_snapshot_rows(b, e);
    return s;
  });
  r.trust.swap(trust_next_);
  const double decay = 1.0 - 1.0 / prm_.responsiveness_window_weeks;
  responsiveness_den_ = decay * responsiveness_den_ + proposals.v[0];
  responsiveness_num_ = decay * responsiveness_num_ + proposals.v[1];
}

// ---- phase 8: outcomes and avoided costs, counted in people -----------------

// A successful project on theme k reaches a share of the theme's target group
// (more with a better shared diagnosis, when that hypothesis is on) and moves
// a share of the people reached who are still in the target group into the
// better state; people return from it at a yearly hazard. Avoided costs are
// the people in the better state times the unit cost per person-year.
void TerritorialModel::phase_outcomes(const Week& w) {
  const double targeting = std::max(0.0, 1.0 + prm_.diagnosis_effect * (diagnosis_ - prm_.diagnosis_initial));
  for (int k = 0; k < kThemes; ++k) people_better_[k] -= people_better_[k] * weekly(prm_.return_rate[k]);
  for (const auto& p : projects_) {
    if (p.outcome <= 0) continue;
    const int k = p.theme;
    const double reached = prm_.reach_share[k] * target_[k] * targeting;
    const double still_in_group = target_[k] > 0 ? std::max(0.0, 1.0 - people_better_[k] / target_[k]) : 0.0;
    const double moved = prm_.transition_share[k] * reached * still_in_group;
    people_better_[k] += moved;
    people_moved_[k] += moved;
    people_reached_[k] += reached;
  }
  diagnosis_ += prm_.diagnosis_decay * (prm_.diagnosis_initial - diagnosis_);
  if (w.burn_in) return;
  double avoided = 0;
  for (int k = 0; k < kThemes; ++k) avoided += people_better_[k] * prm_.unit_cost_eur[k] / 52.0;
  avoided_costs_ += avoided;
}

}  // namespace atc::models::territorial
