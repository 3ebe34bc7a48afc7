// Indicators of the territorial model, declared with what reads them, and the
// census they read (prepare_observation: block-ordered reductions over the
// end-of-week state, identical for any thread count), taken only at recorded
// times. Every ratio with a possibly empty denominator has an explicit value
// (see the indicator descriptions).
#include <algorithm>
#include <cmath>
#include <iterator>
#include <span>

#include "models/territorial/model.hpp"
#include "models/territorial/scan.hpp"
#include "sim/graph/metrics.hpp"

namespace atc::models::territorial {

namespace {

std::uint32_t find_root(sim::LargeArray<std::uint32_t>& parent, std::uint32_t x) {
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];  // path halving
    x = parent[x];
  }
  return x;
}

enum Census : int {
  kN,
  kInformedCount,
  kParticipants,
  kActiveCount,
  kCoreCount,
  kEver,
  kYouthPop,
  kYouthPart,
  kLowPop,
  kLowPart,
  kTi,
  kTa,
  kEff,
  kTies,
  kBridging,
  kFormed,
  kPrio,  // kThemes entries
  kCensusSize = kPrio + kThemes
};

using CensusSums = Sums<kCensusSize>;

// The census in two kinds of task, run in one parallel loop: integer counts
// over blocks a kEachSplit-th of the engine's (exact in any grouping, so the
// finer tasks only spread the work over the threads), and the floating-point
// sums over the engine's blocks, each added in resident order and the blocks
// in block order, as every reduction: their bits do not depend on the number
// of threads.
struct CensusCounts {
  std::array<std::uint64_t, kTi> level_and_group{};  // the entries of Census before kTi
  std::uint64_t ties = 0, bridging = 0, formed = 0;
};

struct CensusFloats {
  double ti = 0, ta = 0, eff = 0;
  std::array<double, kThemes> prio{};  // participants' priorities
};

// Counts over residents [b, e): simple loops over one or two byte arrays,
// which the compiler vectorises (no branch on a resident's level).
// bridging: each resident's ties to another block (kept by add_tie and clean_slots).
CensusCounts count_residents(const Residents& r, const sim::SlotGraph& ties,
                             std::span<const std::uint8_t> bridging_ties, std::size_t b, std::size_t e) {
  CensusCounts c;
  auto& n = c.level_and_group;
  n[kN] = e - b;
  const std::uint8_t* level = r.level.data();
  std::uint64_t informed = 0, participants = 0, active = 0, core = 0;
  for (std::size_t i = b; i < e; ++i) {
    informed += level[i] >= kInformed ? 1U : 0U;
    participants += level[i] >= kOccasional ? 1U : 0U;
    active += level[i] >= kActive ? 1U : 0U;
    core += level[i] == kCore ? 1U : 0U;
  }
  std::uint64_t youth = 0, youth_part = 0, low = 0, low_part = 0, ever = 0, formed = 0, bridging = 0;
  for (std::size_t i = b; i < e; ++i) {
    const unsigned young = r.age[i] == 0 ? 1U : 0U;
    youth += young;
    youth_part += level[i] >= kOccasional ? young : 0U;
  }
  for (std::size_t i = b; i < e; ++i) {
    const unsigned poor = r.low_income[i] != 0 ? 1U : 0U;
    low += poor;
    low_part += level[i] >= kOccasional ? poor : 0U;
  }
  for (std::size_t i = b; i < e; ++i) {
    ever += r.ever[i];
    formed += r.formed[i];
    bridging += bridging_ties[i];
  }
  std::uint64_t ties_counted = 0;
  for (std::size_t i = b; i < e; ++i) ties_counted += ties.degrees[i];
  n[kInformedCount] = informed;
  n[kParticipants] = participants;
  n[kActiveCount] = active;
  n[kCoreCount] = core;
  n[kEver] = ever;
  n[kYouthPop] = youth;
  n[kYouthPart] = youth_part;
  n[kLowPop] = low;
  n[kLowPart] = low_part;
  c.formed = formed;
  c.ties = ties_counted;
  c.bridging = bridging;
  return c;
}

// Trust and participants' priorities over residents [b, e), block `block`
// of `participants`, in resident order. The participants are listed first
// (without a branch: every resident is written, the count moves only for a
// participant) as that block's list: participant_dispersion reads them again.
CensusFloats sum_residents(const Residents& r, std::size_t b, std::size_t e, BlockLists& participants,
                           std::size_t block) {
  CensusFloats s;
  for (std::size_t i = b; i < e; ++i) {
    s.ti += r.ti(i);
    s.ta += r.ta(i);
    s.eff += r.eff[i];
  }
  std::uint32_t* listed = participants.part(block);
  std::uint32_t m = 0;
  for (std::size_t i = b; i < e; ++i) {
    listed[m] = static_cast<std::uint32_t>(i);
    m += r.level[i] >= kOccasional ? 1U : 0U;
  }
  participants.set_count(block, m);
  for (std::uint32_t k = 0; k < m; ++k) {
    const float* p = r.p(listed[k]);
    for (int t = 0; t < kThemes; ++t) s.prio[t] += p[t];
  }
  return s;
}

// `participants`: the participants, listed by the engine's blocks (for
// participant_dispersion).
CensusSums take_census(const Residents& r, const sim::SlotGraph& ties,
                       std::span<const std::uint8_t> bridging_ties, BlockLists& participants,
                       sim::Parallel par) {
  const sim::Parallel fine = par.finer();
  const std::size_t sum_blocks = par.block_count(r.n);
  const std::size_t count_blocks = fine.block_count(r.n);
  std::vector<CensusFloats> floats(sum_blocks);
  std::vector<CensusCounts> counts(count_blocks);
  participants.start(r.n, par.block());
  // One task per block of either kind (the sums first: they are the larger).
  par.for_each_in_tasks_of(1, sum_blocks + count_blocks, [&](std::size_t task) {
    const sim::Parallel& p = task < sum_blocks ? par : fine;
    const std::size_t block = task < sum_blocks ? task : task - sum_blocks;
    const std::size_t b = block * p.block();
    const std::size_t e = std::min(r.n, b + p.block());
    if (task < sum_blocks) {
      floats[block] = sum_residents(r, b, e, participants, block);
    } else {
      counts[block] = count_residents(r, ties, bridging_ties, b, e);
    }
  });
  CensusCounts count;
  for (const CensusCounts& c : counts) {
    for (int k = 0; k < kTi; ++k) count.level_and_group[k] += c.level_and_group[k];
    count.ties += c.ties;
    count.bridging += c.bridging;
    count.formed += c.formed;
  }
  CensusSums s;
  for (int k = 0; k < kTi; ++k) s.v[k] = static_cast<double>(count.level_and_group[k]);
  s.v[kTies] = static_cast<double>(count.ties);
  s.v[kBridging] = static_cast<double>(count.bridging);
  s.v[kFormed] = static_cast<double>(count.formed);
  for (const CensusFloats& f : floats) {
    s.v[kTi] += f.ti;
    s.v[kTa] += f.ta;
    s.v[kEff] += f.eff;
    for (int k = 0; k < kThemes; ++k) s.v[kPrio + k] += f.prio[k];
  }
  return s;
}

// The indicators that are ratios of census counts (scale: population_scale).
void set_census_indicators(const CensusSums& c, double scale, IndicatorValues& v) {
  const double n = c.v[kN];
  const double parts = c.v[kParticipants];
  v.informed = c.v[kInformedCount] / n;
  v.participation = parts / n;
  v.active = c.v[kActiveCount] / n;
  v.core = c.v[kCoreCount] / n;
  v.ever = c.v[kEver] / n;
  v.ever_count = c.v[kEver] / scale;
  v.participants = parts / scale;
  v.core_members = c.v[kCoreCount] / scale;
  // Representation ratios: share among participants / share among residents.
  auto ratio = [&](double in_part, double in_pop) {
    if (in_pop <= 0) return 1.0;  // nobody to represent
    if (parts <= 0) return 0.0;   // nobody participates
    return (in_part / parts) / (in_pop / n);
  };
  v.youth_ratio = ratio(c.v[kYouthPart], c.v[kYouthPop]);
  v.low_income_ratio = ratio(c.v[kLowPart], c.v[kLowPop]);
  v.ti = c.v[kTi] / n;
  v.ta = c.v[kTa] / n;
  v.eff = c.v[kEff] / n;
  v.ties = c.v[kTies] / n;
  v.formed_ties = c.v[kFormed] / n;
  v.bridging = c.v[kTies] > 0 ? c.v[kBridging] / c.v[kTies] : 0.0;
}

// Dispersion of participants' priorities (the forum measure, over all
// participants); 0 with fewer than 2 participants. `participants`: the
// census' lists, one per block of residents, each in resident order: one
// partial sum per list, the partials added in list order (as a pass over
// every resident of the census' blocks that skipped the others would add).
double participant_dispersion(const Residents& r, const CensusSums& c, const BlockLists& participants,
                              sim::Parallel par) {
  const double parts = c.v[kParticipants];
  if (parts < 2) return 0;
  ThemeVector centroid{};
  for (int k = 0; k < kThemes; ++k) centroid[k] = c.v[kPrio + k] / parts;
  const auto list_sum = [&](std::size_t list, std::size_t /*list + 1*/) {
    double s = 0;
    for (const std::uint32_t i : participants.of_block(list)) add_squared_distance(r.p(i), centroid, s);
    return s;
  };
  const sim::Parallel per_list(par.enabled(), 1);
  const double squared = per_list.reduce<double>(participants.block_count(), list_sum) / parts;
  return pairwise_dispersion(squared, static_cast<std::size_t>(parts));
}

// Share of last week's participants in the largest connected component of the
// network restricted to them (union-find, serial; parent and size are scratch
// of n entries each, members holds the participants, in resident order).
double largest_participant_component(const Residents& r, const sim::SlotGraph& ties,
                                     sim::LargeArray<std::uint32_t>& parent,
                                     sim::LargeArray<std::uint32_t>& size,
                                     sim::LargeArray<std::uint32_t>& members) {
  // Only participants' entries are ever read: they alone are initialised.
  // (Found 16 residents at a time: serial, beside the census.)
  members.clear();
  for_each_flagged(r.participating.data(), nullptr, 0, r.n, [&](std::size_t found) {
    const auto i = static_cast<std::uint32_t>(found);
    parent[i] = i;
    size[i] = 0;
    members.push_back(i);
  });
  if (members.empty()) return 0.0;
  for (const std::uint32_t i : members) {
    for (sim::NodeId t : ties.neighbours_of(i)) {
      if (t <= i || !r.participating[t]) continue;
      const std::uint32_t a = find_root(parent, i);
      const std::uint32_t b = find_root(parent, t);
      if (a != b) parent[std::max(a, b)] = std::min(a, b);
    }
  }
  std::uint32_t largest = 0;
  for (const std::uint32_t i : members) largest = std::max(largest, ++size[find_root(parent, i)]);
  return largest / static_cast<double>(members.size());
}

// Mean local clustering over the fixed sample, summed in sample order.
// `local` holds each sampled resident's value at the last observation (valid
// when `known`): it is reused unless the resident's row or one of its
// neighbours' rows was rewritten since (`rewritten`: rewrite_snapshot_rows), as the
// triangles at i are the links among i's neighbours, which only those rows
// hold. Recomputed values in parallel (a few hundred, each a few
// microseconds: small tasks).
double sample_clustering(const sim::SlotGraph& ties, const std::vector<std::uint32_t>& sample,
                         std::span<const std::uint8_t> rewritten, bool known, std::vector<double>& local,
                         sim::Parallel par) {
  if (sample.empty()) return 0.0;
  constexpr std::size_t kSamplesPerTask = 16;
  par.for_each_in_tasks_of(kSamplesPerTask, sample.size(), [&](std::size_t s) {
    const sim::NodeId i = sample[s];
    const auto nb = ties.neighbours_of(i);
    const bool changed = !known || rewritten[i] != 0 ||
                         std::any_of(nb.begin(), nb.end(), [&](sim::NodeId j) { return rewritten[j] != 0; });
    if (changed) local[s] = sim::local_clustering(ties, i);
  });
  double clustering = 0;
  for (std::size_t s = 0; s < sample.size(); ++s) clustering += local[s];
  return clustering / static_cast<double>(sample.size());
}

// Inter-organisation trust, institutions' posture, associations' legitimacy.
void set_organisation_indicators(const Organisations& org, IndicatorValues& v) {
  // Entries no outcome has moved still equal trust0 (relax_organisations):
  // the sums over every pair are trust0's plus the moved entries' changes,
  // added in the (deterministic) order they were first moved.
  const int o = org.size();
  double sum = org.trust0_sum, sum2 = org.trust0_sum2;
  const double* trust = org.trust.data();
  const double* trust0 = org.trust0.data();
  for (const std::uint32_t x : org.moved) {
    sum += trust[x] - trust0[x];
    sum2 += trust[x] * trust[x] - trust0[x] * trust0[x];
  }
  const double count = static_cast<double>(o) * static_cast<double>(o - 1);
  v.org_trust_mean = count > 0 ? sum / count : 0.0;
  v.org_trust_sd =
      count > 1 ? std::sqrt(std::max(0.0, sum2 / count - v.org_trust_mean * v.org_trust_mean)) : 0.0;
  double posture = 0, legitimacy = 0;
  for (int j = 0; j < org.n_assoc; ++j) legitimacy += org.legitimacy[j];
  for (int j = org.n_assoc; j < o; ++j) posture += org.posture[j];
  v.posture = org.n_inst > 0 ? posture / org.n_inst : 0.0;
  v.legitimacy = org.n_assoc > 0 ? legitimacy / org.n_assoc : 0.0;
}

}  // namespace

void TerritorialModel::prepare_observation(sim::Parallel par) {
  CensusSums c;
  double clustering = 0, largest_component = 0;
  sample_local_clustering_.resize(sample_.size());
  IndicatorValues& v = ind_;
  set_organisation_indicators(org_, v);
  // The union-find is serial: it runs beside the census and the clustering
  // (no value depends on what runs beside it).
  par.invoke(
      [&] {
        largest_component = largest_participant_component(res_, ties_, uf_parent_, uf_size_, uf_members_);
      },
      [&] { c = take_census(res_, ties_, bridging_ties_, observed_participants_, par); },
      [&] {
        clustering = sample_clustering(ties_, sample_, row_rewritten_, sample_clustering_known_,
                                       sample_local_clustering_, par);
      });
  // The next observation reuses the values of residents whose rows and
  // neighbours' rows are not rewritten by then.
  std::fill(row_rewritten_.begin(), row_rewritten_.end(), std::uint8_t{0});
  sample_clustering_known_ = true;
  set_census_indicators(c, scale_, v);
  v.dispersion = participant_dispersion(res_, c, observed_participants_, par);
  v.clustering = clustering;
  v.largest_component = c.v[kParticipants] > 0 ? largest_component : 0.0;
}

int TerritorialModel::active_projects() const {
  int active = 0;
  for (const auto& p : projects_) active += p.active ? 1 : 0;
  return active;
}

// Share of proposals acted upon in the window; the expected share while
// fewer than one proposal is in it.
double TerritorialModel::responsiveness() const {
  if (responsiveness_den_ >= 1.0) return responsiveness_num_ / responsiveness_den_;
  double expected = 0;
  for (int j = org_.n_assoc; j < org_.size(); ++j) {
    expected +=
        prm_.responsiveness_min + (prm_.responsiveness_max - prm_.responsiveness_min) * org_.posture[j];
  }
  return expected / std::max(1, org_.n_inst);
}

// Who takes part, how much, and how representative the participants are.
std::vector<sim::IndicatorDecl> TerritorialModel::participation_indicators() {
  using M = TerritorialModel;
  using sim::indicator;
  return {
      // ---- participation
      indicator<M>("participation_share", "1", "share of residents participating",
                   "Share of residents aged 15+ at ladder level >= 2 (occasional, active or core)",
                   [](const M& m) { return m.ind_.participation; }),
      indicator<M>("participants", "person", "residents participating",
                   "Residents aged 15+ at level >= 2, counted at full scale (agents / population_scale)",
                   [](const M& m) { return m.ind_.participants; }),
      indicator<M>("active_share", "1", "share of active residents",
                   "Share of residents at level >= 3 (active or core)",
                   [](const M& m) { return m.ind_.active; }),
      indicator<M>("core_share", "1", "share of core participants", "Share of residents at level 4 (core)",
                   [](const M& m) { return m.ind_.core; }),
      indicator<M>(
          "core_members", "person", "core participants",
          "Residents at level 4 (core: the participation body and the organisers of collective action), "
          "counted at full scale; a conseil citoyen has about 13 members",
          [](const M& m) { return m.ind_.core_members; }),
      indicator<M>("informed_share", "1", "share of informed residents",
                   "Share of residents at level >= 1 (informed or more)",
                   [](const M& m) { return m.ind_.informed; }),
      indicator<M>(
          "ever_participated_share", "1", "share who ever participated",
          "Share of residents who reached level >= 2 at least once since week 0 (newcomers start at 0)",
          [](const M& m) { return m.ind_.ever; }),
      indicator<M>("youth_representation_ratio", "1", "youth representation ratio",
                   "Share of 15-24 year-olds among participants (level >= 2) divided by their share among "
                   "residents; 1 = parity; 0 when nobody participates, 1 when the site has no youth",
                   [](const M& m) { return m.ind_.youth_ratio; }),
      indicator<M>(
          "low_income_representation_ratio", "1", "low-income representation ratio",
          "Share of low-income residents among participants divided by their share among residents; 0 "
          "when nobody participates, 1 when nobody is low-income",
          [](const M& m) { return m.ind_.low_income_ratio; }),
  };
}

// Residents' and organisations' trust, and the residents' informal network.
std::vector<sim::IndicatorDecl> TerritorialModel::trust_and_tie_indicators() {
  using M = TerritorialModel;
  using sim::indicator;
  return {
      // ---- trust
      indicator<M>("trust_institutions", "1", "mean trust in institutions",
                   "Mean over residents of trust in institutions Ti in [0, 1]",
                   [](const M& m) { return m.ind_.ti; }),
      indicator<M>("trust_associations", "1", "mean trust in associations",
                   "Mean over residents of trust in associations Ta in [0, 1]",
                   [](const M& m) { return m.ind_.ta; }),
      indicator<M>("collective_efficacy", "1", "mean perceived collective efficacy",
                   "Mean over residents of perceived collective efficacy E in [0, 1] (Sampson)",
                   [](const M& m) { return m.ind_.eff; }),
      indicator<M>("org_trust_mean", "1", "mean inter-organisation trust",
                   "Mean of the off-diagonal entries of the inter-organisation trust matrix W",
                   [](const M& m) { return m.ind_.org_trust_mean; }),
      indicator<M>("org_trust_sd", "1", "spread of inter-organisation trust",
                   "Standard deviation of the off-diagonal entries of W (0 with fewer than 2 organisations)",
                   [](const M& m) { return m.ind_.org_trust_sd; }),
      // ---- ties
      indicator<M>("network_clustering", "1", "clustering of the resident network",
                   "Mean local clustering coefficient over a fixed sample of residents (every n/k-th, k = "
                   "clustering_sample), on the end-of-week ties",
                   [](const M& m) { return m.ind_.clustering; }),
      indicator<M>("bridging_tie_share", "1", "share of bridging ties",
                   "Share of residents' ties that link two different blocks (0 without ties)",
                   [](const M& m) { return m.ind_.bridging; }),
      indicator<M>("informal_ties", "1", "informal ties per resident",
                   "Mean number of social ties per resident (block, weak and co-participation ties): the "
                   "relations no organisation chart shows",
                   [](const M& m) { return m.ind_.ties; }),
      indicator<M>(
          "formed_ties", "1", "co-participation ties per resident",
          "Mean number of ties per resident created by meeting at a forum (they fade when not renewed)",
          [](const M& m) { return m.ind_.formed_ties; }),
      indicator<M>("largest_participant_component", "1", "largest participant component",
                   "Share of participants (level >= 2) in the largest connected component of the network "
                   "restricted to participants (0 without participants)",
                   [](const M& m) { return m.ind_.largest_component; }),
  };
}

// Forums, their conflict, and the shared diagnosis they build.
std::vector<sim::IndicatorDecl> TerritorialModel::deliberation_indicators() {
  using M = TerritorialModel;
  using sim::indicator;
  auto per_forum = [](double sum, double forums) { return forums > 0 ? sum / forums : 0.0; };
  return {
      // ---- deliberation and conflict
      indicator<M>(
          "forums_held", "1", "forums held (cumulative)",
          "Forums (public meetings, animator forums, governance meetings, diagnosis workshops) held since "
          "week 0, at most one per week: the schedule of meetings, an input",
          [](const M& m) { return m.forums_held_; })
          .input(),
      indicator<M>("forum_attendance", "person", "attendees at the last forum",
                   "Residents attending the last forum held (this week's or an earlier one), counted at full "
                   "scale; 0 before any forum",
                   [](const M& m) { return m.forum_attendees_; }),
      indicator<M>("forum_sessions", "1", "sessions of the last forum",
                   "Sessions the last forum held was split into: ceil(attendees / forum_session_capacity) "
                   "with attendees at full scale, at least 1 and at most one per 2 agents; 0 before any "
                   "forum or when nobody attended",
                   [](const M& m) { return m.forum_sessions_; }),
      indicator<M>(
          "forum_session_attendance", "person", "attendees per session of the last forum",
          "Residents attending one session of the last forum held, the mean over its sessions, "
          "counted at full scale; 0 before any forum or when nobody attended",
          [](const M& m) { return m.forum_sessions_ > 0 ? m.forum_attendees_ / m.forum_sessions_ : 0.0; }),
      indicator<M>("priority_dispersion", "1", "priority dispersion among participants",
                   "Root mean squared distance between the priority vectors of two different participants "
                   "(unbiased for any number of participants; 0 with fewer than 2)",
                   [](const M& m) { return m.ind_.dispersion; }),
      indicator<M>("conflict_intensity", "1", "conflict at the last forum",
                   "Conflict intensity c = s((D - D0) / sD) of the last forum held, from its attendees' "
                   "priority dispersion D; a forum of several sessions: their mean weighted by attendees "
                   "(0 before any forum and at a forum nobody attended; a session of fewer than 2 attendees "
                   "counts as 0)",
                   [](const M& m) { return m.forum_conflict_; }),
      indicator<M>(
          "conflict_productive", "1", "productive conflict per forum",
          "Mean over the forums held since week 0 of c p, the productive part of each forum's conflict "
          "(p = s((T - T*) / sT), T attendees' mean trust; over sessions, their mean weighted by attendees); "
          "0 before any forum",
          [per_forum](const M& m) { return per_forum(m.conflict_productive_sum_, m.forums_held_); }),
      indicator<M>(
          "conflict_destructive", "1", "destructive conflict per forum",
          "Mean over the forums held since week 0 of c (1 - p), the destructive part of each forum's "
          "conflict; 0 before any forum",
          [per_forum](const M& m) { return per_forum(m.conflict_destructive_sum_, m.forums_held_); }),
      indicator<M>("diagnosis_quality", "1", "quality of the shared diagnosis",
                   "Quality Q in [0, 1] of the territory's shared diagnosis",
                   [](const M& m) { return m.diagnosis_; }),
  };
}

// Who decides, what gets done, and how institutions and associations respond.
std::vector<sim::IndicatorDecl> TerritorialModel::project_and_institution_indicators() {
  using M = TerritorialModel;
  using sim::indicator;
  return {
      // ---- decisions and projects
      indicator<M>(
          "resident_voice_share", "1", "residents' share of voice in decisions",
          "Residents' effective share of voice in theme choice: the governance body's v (an input) times "
          "min(1, residents at its last meeting / quorum); 0 when institutions decide alone",
          [](const M& m) { return m.effective_voice_; })
          .input(),
      indicator<M>("body_attendance_per_1000", "resident (1000 resident)-1",
                   "residents at the governance body's last meeting, per 1,000 residents",
                   "Residents attending the last meeting of the site's governance body (conseil citoyen, "
                   "table de quartier), per 1,000 residents of the site; 0 without a body or before its "
                   "first meeting",
                   [](const M& m) { return m.body_attendees_ * 1000.0 / m.site_.population; }),
      indicator<M>("body_quorum_share", "1", "share of its quorum the governance body reached",
                   "min(1, residents at the governance body's last meeting / its quorum): 1 when the body "
                   "meets with enough residents for their voice to count in full; 0 without a body or before "
                   "its first meeting",
                   [](const M& m) { return m.body_quorum_share(); }),
      indicator<M>(
          "body_projects_succeeded", "1", "projects decided by the governance body that succeeded",
          "Projects chosen at a meeting of the site's governance body that reached their required effort "
          "before their deadline, since week 0 (0 without a body): how soon a body delivers",
          [](const M& m) { return m.body_projects_succeeded_; }),
      indicator<M>("projects_launched", "1", "projects launched (cumulative)",
                   "Collective projects launched since week 0",
                   [](const M& m) { return m.projects_launched_; }),
      indicator<M>("projects_active", "1", "projects active",
                   "Collective projects under way at the end of the week",
                   [](const M& m) { return m.active_projects(); }),
      indicator<M>("projects_succeeded", "1", "projects succeeded (cumulative)",
                   "Projects that reached their required effort before their deadline, since week 0",
                   [](const M& m) { return m.projects_succeeded_; }),
      indicator<M>(
          "projects_failed", "1", "projects failed (cumulative)",
          "Projects that reached their deadline without enough effort, or were abandoned, since week 0",
          [](const M& m) { return m.projects_failed_; }),
      indicator<M>("projects_on_resident_priority_share", "1", "share of projects on residents' priorities",
                   "Share of projects launched since week 0 whose theme was among the residents' top "
                   "priority_top_n themes at launch; 0 when none was launched",
                   [](const M& m) {
                     return m.projects_launched_ > 0 ? m.projects_on_priority_ / m.projects_launched_ : 0.0;
                   }),
      // ---- institutions and organisations
      indicator<M>("institution_posture", "1", "mean institutional posture",
                   "Mean posture pi of institutions (0 top-down, 1 cooperative)",
                   [](const M& m) { return m.ind_.posture; }),
      indicator<M>("responsiveness", "1", "institutional responsiveness",
                   "Share of resident proposals acted upon, weighted over responsiveness_window_weeks; the "
                   "expected share mean_k r_k while fewer than one proposal is in the window",
                   [](const M& m) { return m.responsiveness(); }),
      indicator<M>("association_legitimacy", "1", "mean legitimacy of associations",
                   "Mean legitimacy L of the site's associations",
                   [](const M& m) { return m.ind_.legitimacy; }),
  };
}

// What the scenario puts in, and what the projects achieve in people and costs.
std::vector<sim::IndicatorDecl> TerritorialModel::intervention_and_outcome_indicators() {
  using M = TerritorialModel;
  using sim::indicator;
  return {
      // ---- interventions (inputs)
      indicator<M>("animator_present", "1", "animator in post",
                   "1 when an animator is in post this week, else 0",
                   [](const M& m) { return m.week_.animator ? 1.0 : 0.0; })
          .input(),
      indicator<M>("facilitation_quality", "1", "facilitation quality of this week's forum",
                   "Facilitation quality q of this week's forum: the animator's when it runs the forum, else "
                   "facilitation_base, plus the structured-facilitation practice if the site uses it",
                   [](const M& m) { return m.week_.facilitation; })
          .input(),
      indicator<M>(
          "practice_in_use", "1", "practices in use",
          "1 when the site uses the practice this week (structured facilitation, co-decision "
          "governance), else 0; changes only through network meetings (phase 9)",
          [](const M& m, std::span<double> out) {
            for (int k = 0; k < kPractices; ++k)
              out[static_cast<std::size_t>(k)] = m.practice_in_use(k) ? 1.0 : 0.0;
          },
          "practice"),
      // ---- outcomes in people and costs
      indicator<M>(
          "people_reached", "person", "people reached by successful projects (cumulative)",
          "People of each theme's target group reached by the site's successful projects since week 0, "
          "at full scale (reach_share x target group, per capita of the group)",
          [](const M& m, std::span<double> out) {
            std::copy(m.people_reached_.begin(), m.people_reached_.end(), out.begin());
          },
          "theme"),
      indicator<M>(
          "people_moved", "person", "people moved into a better state (cumulative)",
          "People of each theme's target group moved into the better state by the site's successful "
          "projects since week 0, at full scale (some return later: see people_better_off)",
          [](const M& m, std::span<double> out) {
            std::copy(m.people_moved_.begin(), m.people_moved_.end(), out.begin());
          },
          "theme"),
      indicator<M>(
          "people_better_off", "person", "people in a better state through projects",
          "People currently in the better state of each theme thanks to the site's projects (in work or "
          "training, satisfied with the living environment, kept in school or training, no longer feeling "
          "unsafe, taking up their rights, no longer isolated), at full scale; compare with baseline "
          "(paired) for an intervention's effect",
          [](const M& m, std::span<double> out) {
            std::copy(m.people_better_.begin(), m.people_better_.end(), out.begin());
          },
          "theme"),
      indicator<M>("avoided_costs_eur", "EUR", "public costs avoided by the site's projects (cumulative)",
                   "Sum over weeks since week 0 of sum_k people_better_off_k x unit_cost_eur_k / 52; the "
                   "difference with baseline (paired) is the cost an intervention avoids",
                   [](const M& m) { return m.avoided_costs_; }),
      indicator<M>(
          "intervention_cost_eur", "EUR", "intervention cost (cumulative)",
          "Cost of the scheduled interventions since week 0 (animator loaded cost while in post, network "
          "coordination, governance, diagnosis, training, funding, practice adoption): an input",
          [](const M& m) { return m.intervention_cost_; })
          .input(),
  };
}

// The groups above, in this order: the order of the variables in the output file.
std::vector<sim::IndicatorDecl> TerritorialModel::indicator_decls() {
  std::vector<sim::IndicatorDecl> decls = participation_indicators();
  const auto append = [&decls](std::vector<sim::IndicatorDecl>&& group) {
    decls.insert(decls.end(), std::make_move_iterator(group.begin()), std::make_move_iterator(group.end()));
  };
  append(trust_and_tie_indicators());
  append(deliberation_indicators());
  append(project_and_institution_indicators());
  append(intervention_and_outcome_indicators());
  return decls;
}

}  // namespace atc::models::territorial
