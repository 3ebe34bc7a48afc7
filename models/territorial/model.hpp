#pragma once
// State and phases of the territorial model. Residents are stored as
// structure-of-arrays; ties live in bounded per-resident slots (never
// reallocated during a step) and are compacted at the end of each week into a
// CSR snapshot that every phase of the next week reads ("last week's ties").
// Files: init.cpp (initialisation), phases_residents.cpp (phases 1-4),
// phases_projects.cpp (phases 5-8), indicators.cpp (indicators, observe).
#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "models/territorial/params.hpp"
#include "sim/graph/slot_graph.hpp"
#include "sim/rng/random.hpp"

namespace atc::models::territorial {

inline constexpr int kTieSlots = 24;
inline constexpr int kMaxProjects = 8;  // project slots
static_assert(kMaxProjects >= kThemes, "a slot for every project max_projects (at most kThemes) allows");
inline constexpr int kAffil = 8;  // affiliations cached per resident (outreach); more are recomputed
// Cached sets of at most this many affiliations are summed over this fixed
// number of slots (reach_out).
inline constexpr int kAffilSummed = 4;
static_assert(kAffilSummed <= kAffil);
inline constexpr std::uint16_t kNoOrg = 0xFFFF;
enum TieKind : std::uint8_t { kBlockTie = 0, kWeakTie = 1, kFormedTie = 2 };
enum Move : std::uint8_t { kStayed = 0, kMovedOut = 1, kRelocated = 2 };

// Fixed-size vector of sums, combined in block order by Parallel::reduce.
template <int N>
struct Sums {
  std::array<double, N> v{};
  Sums& operator+=(const Sums& o) {
    for (int k = 0; k < N; ++k) v[k] += o.v[k];
    return *this;
  }
};

// Residents found by a parallel pass over fixed blocks, in resident order:
// block k of the pass writes the ones it finds into its own part of one
// buffer (a block of b residents finds at most b), and readers go through
// the blocks in order. The few residents a pass finds are then handled
// without a serial scan of all n. The buffer holds one list at a time.
class BlockLists {
 public:
  // Before a pass over n residents in blocks of `block` (no allocation
  // after the first week: same n, same blocks).
  void start(std::size_t n, std::size_t block) {
    block_ = block;
    items_.resize(n);
    count_.assign((n + block - 1) / block, 0);
  }
  // In the pass, from the task of the block that holds i.
  void add(std::uint32_t i) {
    const std::size_t b = i / block_;
    items_[b * block_ + count_[b]++] = i;
  }
  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t b = 0; b < count_.size(); ++b) {
      for (std::uint32_t k = 0; k < count_[b]; ++k) f(items_[b * block_ + k]);
    }
  }
  // A pass may instead write block b's list whole from the block's task
  // (as add, each task writes only its own block's entries): its part of
  // the buffer (room for `block` entries), then its length.
  std::uint32_t* part(std::size_t b) { return items_.data() + b * block_; }
  void set_count(std::size_t b, std::uint32_t count) { count_[b] = count; }
  // Block b's list, in resident order.
  [[nodiscard]] std::span<const std::uint32_t> of_block(std::size_t b) const {
    return {items_.data() + b * block_, count_[b]};
  }
  [[nodiscard]] std::size_t block_count() const { return count_.size(); }

 private:
  std::size_t block_ = 1;
  sim::LargeArray<std::uint32_t> items_;
  std::vector<std::uint32_t> count_;
};

struct Residents {
  std::size_t n = 0;
  // static profile
  sim::LargeArray<std::uint8_t> age;  // 0: 15-24, 1: 25-64, 2: 65+
  sim::LargeArray<std::uint8_t> low_income, barrier, foreign, employed;
  sim::LargeArray<float> availability, threshold;
  sim::LargeArray<std::uint32_t> block;
  sim::LargeArray<std::uint16_t> member_of;  // association index or kNoOrg
  // dynamic state
  sim::LargeArray<std::uint8_t> level, ever, invited, attending, moved;
  sim::LargeArray<std::uint8_t> participating;  // level >= 2 at the end of last week (read by neighbours)
  sim::LargeArray<std::uint16_t> weeks_active;  // consecutive weeks at level >= 3
  // Trust in institutions (ti, [0]) and in associations (ta, [1]) side by
  // side: the DeGroot step gathers both of a tie's in one cache line.
  sim::LargeArray<std::array<float, 2>> trust;
  sim::LargeArray<float> eff, fatigue;      // collective efficacy, fatigue
  sim::LargeArray<float> ti0, ta0, eff0;    // each resident's baseline (relaxation targets)
  sim::LargeArray<float> prio;              // n x kThemes, rows on the simplex
  sim::LargeArray<float> prio0;             // n x kThemes, own (anchoring) priorities
  sim::LargeArray<std::int8_t> project_of;  // project slot worked on this week, -1 none
  // ties: bounded slots
  sim::LargeArray<std::uint8_t> tie_count;
  sim::LargeArray<std::uint8_t> tie_target;  // initial number of block + weak ties (integration target)
  sim::LargeArray<std::uint32_t> tie_to;     // n x kTieSlots
  sim::LargeArray<std::uint8_t> tie_kind, tie_life;
  sim::LargeArray<std::uint8_t> formed;         // number of co-participation (kFormedTie) slots
  sim::LargeArray<std::uint8_t> slots_changed;  // tie slots changed since the last snapshot

  [[nodiscard]] const float* p(std::size_t i) const { return prio.data() + i * kThemes; }
  [[nodiscard]] float* p(std::size_t i) { return prio.data() + i * kThemes; }
  [[nodiscard]] const float* p0(std::size_t i) const { return prio0.data() + i * kThemes; }
  [[nodiscard]] float ti(std::size_t i) const { return trust[i][0]; }
  [[nodiscard]] float& ti(std::size_t i) { return trust[i][0]; }
  [[nodiscard]] float ta(std::size_t i) const { return trust[i][1]; }
  [[nodiscard]] float& ta(std::size_t i) { return trust[i][1]; }
};

struct Organisations {
  int n_assoc = 0;
  int n_inst = 0;
  [[nodiscard]] int size() const { return n_assoc + n_inst; }
  [[nodiscard]] bool is_institution(int j) const { return j >= n_assoc; }
  std::vector<int> type;  // association or institution type
  std::vector<double> capacity, posture, posture0, legitimacy, legitimacy0;
  std::vector<ThemeVector> focus;
  // W: trust of row in column, diagonal 1; row-major, the order it is read in.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> trust;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>
      trust0;  // initial W (relaxation target)
  // Entries of W that project outcomes have moved (row-major index j n + l),
  // once each: only they relax, the others still equal trust0.
  std::vector<std::uint32_t> moved;
  std::vector<std::uint8_t> is_moved;  // n x n flags
  // Sums of trust0's off-diagonal entries and of their squares (row-major
  // order): with the moved entries' departures from them, the indicators'
  // sums over every pair without visiting the n^2 entries each week.
  double trust0_sum = 0, trust0_sum2 = 0;
  int host = 0;                                       // lead association (the animator's default host)
  std::array<std::vector<int>, kThemes> partners;     // organisations whose focus on k >= partner_focus_min
  std::array<int, kThemes> institution_for;           // institution most focused on each theme
  std::array<std::vector<int>, kAssocTypes> of_type;  // associations of each type
  ThemeVector institution_priorities{};               // P_inst
};

struct Project {
  bool active = false;
  int theme = 0;
  std::int64_t deadline = 0;
  double progress = 0;
  double effort = 0;  // required effort R
  bool on_priority = false;
  bool decided_by_body = false;  // chosen at a governance meeting
  int outcome = 0;               // this week: +1 succeeded, -1 failed
  double resident_effort = 0;
};

// What is scheduled this week (phase 1).
struct Week {
  std::int64_t step = 0;  // engine step (negative during burn-in)
  std::uint64_t key = 0;  // RNG step key
  bool burn_in = false;
  bool animator = false;
  bool animator_forum = false;  // the animator runs this week's forum
  double animator_contacts = 0;
  double facilitation = 0;  // q of this week's forum
  int host = 0;
  ThemeVector emphasis{};
  bool lockdown = false;
  double activity = 1;
  double digital_effect = 1;
  double capacity_multiplier = 1;
  bool forum = false;
  bool digital_forum = false;
  bool governance = false;
  bool governance_meeting = false;
  double resident_voice = 0;
  double quorum = 1;  // residents at a governance meeting for full voice
  bool diagnosis = false;
  double move_out_hazard = 0;
  double relocation_hazard = 0;
  double membership_loss = 0;
  double learning = 1;  // multiplier of institutions' posture learning (institution_training)
};

// This week's contact rates (phase 2): every resident's base rate, the extra
// rate per association close to them (lambda_j times member_contact_weight -
// 1, lambda_j in week_contrib_), and the animator's rate per unit of weight.
struct OutreachRates {
  double all = 0;
  double animator = 0;
  double member_extra = 0;
};

// The animator's part in this week's facilitation (phase 1).
struct AnimatorFacilitation {
  double quality = 0;        // q of the forums it runs
  bool runs_forums = false;  // it holds forums of its own
};

struct IndicatorValues {
  double participation = 0, active = 0, core = 0, informed = 0, ever = 0;
  double youth_ratio = 0, low_income_ratio = 0;
  double ti = 0, ta = 0, eff = 0;
  double org_trust_mean = 0, org_trust_sd = 0;
  double clustering = 0, bridging = 0, ties = 0, formed_ties = 0, largest_component = 0;
  double dispersion = 0;
  double posture = 0, legitimacy = 0;
  double ever_count = 0, participants = 0, core_members = 0;  // residents (full scale)
};

class TerritorialModel final : public sim::Model {
 public:
  explicit TerritorialModel(const sim::ModelInit& init);
  void step(std::int64_t step, sim::Parallel parallel) override;
  void prepare_observation(sim::Parallel parallel) override;
  static std::vector<sim::IndicatorDecl> indicator_decls();
  [[nodiscard]] std::uint64_t agent_count() const override { return res_.n; }
  // A copy of the site (built and warmed up) with `interventions` scheduled:
  // the constructor reads no intervention (the burn-in skips them all), and
  // every member is a value (no pointer into the model), so the copy is what
  // the constructor would have built with them.
  [[nodiscard]] std::unique_ptr<sim::Model> with_interventions(
      std::span<const sim::InterventionSpec> interventions) const override;

  // Read access for tests.
  [[nodiscard]] const Residents& residents() const { return res_; }
  [[nodiscard]] const Organisations& organisations() const { return org_; }
  [[nodiscard]] const sim::SlotGraph& ties() const { return ties_; }
  // the residents whose mean local clustering is network_clustering
  [[nodiscard]] const std::vector<std::uint32_t>& clustering_sample() const { return sample_; }
  // The last forum with attendees: its attendees, session after session
  // (each session's shuffled by the matching), where each session starts in
  // that list (one more entry: the end), and the position of each pair's
  // first attendee (the second follows it).
  [[nodiscard]] const std::vector<std::uint32_t>& forum_attendee_list() const { return attendees_; }
  [[nodiscard]] const std::vector<std::size_t>& forum_session_begin() const { return session_begin_; }
  [[nodiscard]] const std::vector<std::uint32_t>& forum_pair_first() const { return pair_first_; }
  [[nodiscard]] const IndicatorValues& indicators() const { return ind_; }
  [[nodiscard]] const Params& params() const { return prm_; }
  [[nodiscard]] std::size_t block_count() const { return block_begin_.size() - 1; }
  [[nodiscard]] const std::string& network() const { return site_.network; }

  // Phase 9 (diffusion across sites, diffusion.cpp): what this site shows
  // the other sites of its network at a meeting, and its decisions.
  [[nodiscard]] SiteRecord record() const;
  void decide_practices(std::span<const SiteRecord> sites, std::int64_t step, std::size_t self);
  [[nodiscard]] bool practice_in_use(int k) const { return practice_[static_cast<std::size_t>(k)]; }
  // People in a better state through projects, per 1,000 residents.
  [[nodiscard]] double better_off_per_1000() const;

 private:
  // Runs the phases one by one (tests/models/territorial/test_phase_order.cpp).
  friend struct TerritorialModelTestAccess;

  // initialisation (init.cpp)
  void init_organisations();
  [[nodiscard]] double association_density(double raw, const std::vector<int>& types, int n_assoc) const;
  void draw_organisations(const std::vector<int>& types, int n_assoc, double density, sim::RandomStream& rng);
  void draw_organisation_trust(sim::RandomStream& rng);
  void index_organisations_by_theme();
  void init_residents(sim::Parallel par);
  void init_network(sim::Parallel par);
  void init_levels(sim::Parallel par);
  void init_targets();
  void init_practices();
  void draw_resident_state(std::size_t i, std::uint64_t key);
  std::uint16_t draw_membership(std::size_t i, sim::RandomStream& rng) const;
  void reset_counters();

  // one week: phases 1-9 in order
  void advance(std::int64_t step, std::uint64_t key, bool burn_in, sim::Parallel par);
  void phase_schedule(Week& w);                                    // 1
  void apply_moves(const Week& w, sim::Parallel par);              // 1 (residential moves)
  void form_ties(const Week& w);                                   // 1 (arrivals', integration)
  OutreachRates phase_outreach(const Week& w, sim::Parallel par);  // 2: rates
  // 2: resident i, with its contact draw from the "territorial/week" block
  // (draw_move, kept in week_draws_). Inlined into
  // the fused loop of advance(): a call per resident and phase cost about a
  // tenth of their instructions (saved and restored registers).
  [[gnu::always_inline]] inline void reach_out(const Week& w, const OutreachRates& rates, std::size_t i,
                                               double draw);
  // 3: resident i, with its ladder draw from the "territorial/week" block;
  // attendance has its own stream, "territorial/attendance" (inlined too)
  [[gnu::always_inline]] inline void participate(const Week& w, std::size_t i, double draw);
  // 3: the priorities of residents [begin, end) drift back towards their own
  // (one loop over the block's contiguous rows, after participate's).
  [[gnu::always_inline]] inline void anchor_priorities(std::size_t begin, std::size_t end);
  void phase_deliberation(const Week& w, sim::Parallel par);  // 4
  void phase_theme_choice(const Week& w, sim::Parallel par);  // 5
  void phase_cooperation(const Week& w, sim::Parallel par);   // 6
  void phase_trust(const Week& w, sim::Parallel par);         // 7
  void phase_outcomes(const Week& w);                         // 8
  // phase 9 (diffusion across sites) runs between sites, after the week:
  // diffuse() below, called by the engine's coupling hook.
  // end of week: this week's ties become the snapshot (phases_residents.cpp)
  void rebuild_ties(sim::Parallel par);  // at initialisation; in a week, in two parts:
  void rewrite_snapshot_rows(std::size_t begin, std::size_t end);  // in the trust step's pass
  void count_participating_ties();                                 // after it
  [[nodiscard]] int active_projects() const;
  // share of its quorum the governance body's last meeting reached, capped at 1
  // (what makes residents' voice effective, and whether the body functions)
  [[nodiscard]] double body_quorum_share() const {
    return body_quorum_ > 0 ? std::min(1.0, body_attendees_ / std::max(1.0, body_quorum_)) : 0.0;
  }
  [[nodiscard]] double responsiveness() const;

  // parts of phase 1 (phases_residents.cpp)
  void apply_practice_changes(std::int64_t step);
  AnimatorFacilitation schedule_animator(Week& w);
  void schedule_lockdown(Week& w) const;
  void schedule_funding(Week& w);
  void schedule_governance(Week& w);
  bool schedule_diagnosis(Week& w);
  void schedule_training(Week& w);
  void schedule_renewal(Week& w) const;
  void draw_moves(const Week& w, sim::Parallel par);
  // resident i's part of draw_moves (inlined: one
  // call per resident cost more than a tenth of the loop); draws are two
  // 64-bit words of its pair's "territorial/week" block (draw_moves).
  [[gnu::always_inline]] inline void draw_move(const Week& w, std::size_t i, std::size_t blocks,
                                               std::uint64_t moves, std::uint64_t later);
  void drop_ties_of_movers(const Week& w, sim::Parallel par);
  [[gnu::always_inline]] inline void clean_slots(const Week& w, std::size_t i);
  void integrate_resident(const Week& w, std::size_t i, double block_share);
  void meet_block_neighbours(const Week& w, std::size_t i);
  // parts of phase 4 (phases_residents.cpp)
  struct SessionMeasure {
    double association_trust = 0;  // mean trust in associations: the confidence bound
    double trust = 0;              // mean of w Ti + (1 - w) Ta: how productive conflict is
    double dispersion = 0;         // pairwise dispersion D of priorities
    ThemeVector priority_sum{};    // for the forum's centroid
  };
  void reserve_week_lists();
  void split_into_sessions(std::size_t m);
  [[nodiscard]] std::size_t session_of(std::size_t position) const;
  [[nodiscard]] SessionMeasure measure_session(std::size_t begin, std::size_t end, sim::Parallel par) const;
  void deliberate_in_pairs(const Week& w, sim::Parallel par);
  void apply_forum_effects(const Week& w, sim::Parallel par);
  void institutions_learn_priorities();
  // parts of phase 7 (phases_projects.cpp)
  bool learn_from_project_outcomes(const Week& w);
  void relax_organisations();
  void update_resident_trust(const Week& w, bool any_outcome, sim::Parallel par);

  // helpers
  [[nodiscard]] bool tied(std::size_t i, std::uint32_t j) const;
  [[nodiscard]] int neighbourhood_ties(std::size_t i) const;  // block + weak ties
  bool add_tie(std::size_t i, std::uint32_t j, TieKind kind, std::uint8_t life);
  // Whether resident i can take part this week: 1, or under lockdown 0 for a
  // resident without digital access and the digital effect for the others.
  // Inline: it is evaluated per resident and week, in the step's loops.
  [[nodiscard]] double opportunity(const Week& w, std::size_t i) const {
    if (!w.lockdown) return 1.0;
    return res_.barrier[i] ? 0.0 : w.digital_effect;
  }

  // indicator declarations, one group each, in output order (indicators.cpp)
  static std::vector<sim::IndicatorDecl> participation_indicators();
  static std::vector<sim::IndicatorDecl> trust_and_tie_indicators();
  static std::vector<sim::IndicatorDecl> deliberation_indicators();
  static std::vector<sim::IndicatorDecl> project_and_institution_indicators();
  static std::vector<sim::IndicatorDecl> intervention_and_outcome_indicators();

  // configuration
  Params prm_;
  SiteProfile site_;
  Interventions iv_;
  sim::RngKey key_;
  sim::RoundKeys round_keys_;  // key_'s, computed once: the step's streams use them
  double scale_ = 1;           // population_scale
  // the mechanisms' parameters, from prm_
  UtilityWeights utility_;
  LadderRates ladder_;
  FatigueRates fatigue_;
  mechanisms::ContributionWeights contribution_;
  ConflictShape conflict_shape_;
  double youth15_ = 0;   // share of 15-24 among residents 15+
  double senior15_ = 0;  // share of 65+ among residents 15+
  ThemeVector prio_mean_{};

  // state
  Residents res_;
  Organisations org_;
  // End-of-last-week snapshot of the tie slots, each row sorted: rewritten in
  // place, row by row, for the residents whose slots changed (rewrite_snapshot_rows).
  sim::SlotGraph ties_;
  std::vector<std::uint32_t> block_begin_;
  std::array<Project, kMaxProjects> projects_{};
  Eigen::MatrixXd contrib_;  // kMaxProjects x organisations: cumulative contributions
  Eigen::MatrixXd offered_;  // same: cumulative capacity put at the project's disposal
  // Each organisation's lambda_j this week (phase 2), and one more entry,
  // always 0, that the unused slots of the cached affiliations point to.
  std::vector<double> week_contrib_;
  [[nodiscard]] std::uint16_t no_contribution() const {
    return static_cast<std::uint16_t>(week_contrib_.size() - 1);
  }
  std::vector<int> projects_of_org_;
  double diagnosis_ = 0;
  // outcomes counted in people (full scale, phase 8)
  ThemeVector target_{};          // size of each theme's target group
  ThemeVector people_better_{};   // people in the better state through projects
  ThemeVector people_reached_{};  // people reached by successful projects since week 0
  ThemeVector people_moved_{};    // people moved into the better state since week 0
  // animator
  bool animator_present_ = false;
  int animator_tenure_ = 0;
  int animator_vacancy_ = 0;
  // institution_training: institutions learn faster until this step
  std::int64_t trained_until_ = INT64_MIN;
  double training_boost_ = 0;
  // practices (phase 9): in use, and a pending change (value, step it takes effect)
  std::array<bool, kPractices> practice_{};
  std::array<std::int64_t, kPractices> practice_change_at_{INT64_MAX, INT64_MAX};
  std::array<bool, kPractices> practice_next_{};
  // this week's forum and census
  Week week_{};
  std::vector<std::uint32_t> attendees_;
  // the forum's sessions: session s holds attendees_[session_begin_[s],
  // session_begin_[s + 1]), with its conflict and confidence bound; the pairs
  // of deliberation are attendees_[k] and attendees_[k + 1] for k in pair_first_
  std::vector<std::size_t> session_begin_;
  std::vector<std::uint32_t> pair_first_;
  std::vector<ForumConflict> session_conflict_;
  std::vector<double> session_bound_;
  ThemeVector forum_centroid_{};
  double forum_attendees_ = 0;  // rescaled to the full population
  double forum_sessions_ = 0;   // sessions of the last forum (0 without attendees)
  double forum_conflict_ = 0;   // conflict intensity c of the last forum (mean over its sessions)
  double effective_voice_ = 0;
  // the governance body's last meeting: residents attending (full scale) and
  // the quorum they are measured against; 0 without a body
  double body_attendees_ = 0, body_quorum_ = 0;
  double responsiveness_num_ = 0, responsiveness_den_ = 0;
  // counters since week 0
  double forums_held_ = 0, conflict_productive_sum_ = 0, conflict_destructive_sum_ = 0;
  double projects_launched_ = 0, projects_succeeded_ = 0, projects_failed_ = 0, projects_on_priority_ = 0;
  double body_projects_succeeded_ = 0;
  double avoided_costs_ = 0, intervention_cost_ = 0;
  // indicators of the current state
  IndicatorValues ind_;
  std::vector<std::uint32_t> sample_;                   // clustering sample
  std::vector<double> sample_local_clustering_;         // its local clustering at the last observation
  bool sample_clustering_known_ = false;                // (once observed)
  sim::LargeArray<std::uint8_t> row_rewritten_;         // tie rows rewritten since the last observation
  sim::LargeArray<std::uint32_t> uf_parent_, uf_size_;  // union-find scratch
  sim::LargeArray<std::uint32_t> uf_members_;           // union-find: the participants (capacity n)
  // The residents at level >= kOccasional at an observation, listed by the
  // census' blocks (take_census) for the dispersion of their priorities.
  BlockLists observed_participants_;
  std::vector<double> scratch_sum_;
  sim::LargeArray<std::uint8_t> touched_;  // residents whose ties a move affects this week
  sim::LargeArray<std::uint64_t>
      week_draws_;  // resident i's contact and ladder draws: the halves of word i (draw_move)
  // In turn: the week's movers (draw_moves, read by drop_ties_of_movers),
  // the residents who may form a tie (drop_ties_of_movers, read by
  // form_ties), those who started or stopped participating (rewrite_snapshot_rows).
  BlockLists found_;
  sim::LargeArray<std::uint16_t> affil_;       // outreach: up to kAffil associations close to each resident
  sim::LargeArray<std::uint8_t> affil_n_;      // their number (kAffil + 1 = more: recompute)
  sim::LargeArray<std::uint8_t> active_ties_;  // outreach: ties at level >= 2 last week (read by phase 3)
  sim::LargeArray<double> animator_weight_;    // outreach: each resident's weight in the animator's contacts

  // ---- performance caches (issue 12): derived state, never an input ----
  // affil_ of a resident is recomputed only when it may have changed: its
  // snapshot row was rewritten (rewrite_snapshot_rows) or a move touched it or one of
  // its ties (drop_ties_of_movers). assoc_close_ counts, per association,
  // the residents with a cached set (affil_n_ <= kAffil) that contain it;
  // those with more are counted afresh each week.
  sim::LargeArray<std::uint8_t> affil_dirty_;
  std::vector<double> assoc_close_;
  // Ties of each resident to another block (the census' bridging share),
  // kept as ties are made and dropped: add_tie counts a new one, clean_slots
  // takes off a dropped one, and counts again the ties of every resident a
  // move touched (the only way a block changes; blocks change before the
  // week's ties are cleaned). Equal to the snapshot's at the end of a week.
  sim::LargeArray<std::uint8_t> bridging_ties_;
  // The trust step's output, swapped with Residents' trust after it: the
  // DeGroot step reads last week's values while it writes this week's,
  // without a copy of them.
  sim::LargeArray<std::array<float, 2>> trust_next_;
  // The week's constants the animator weights were last computed with
  // (phase_outreach); valid only when no theme was emphasised.
  struct AnimatorWeightKey {
    bool valid = false;
    int host = -1;
    double emphasis = 0;
  };
  AnimatorWeightKey weight_key_;
};

std::unique_ptr<sim::Model> make_model(const sim::ModelInit& init);

// Associations of a site: associations_per_1000 x its population / 1000
// (associations_at_density: unrounded), rounded, at least min_associations and at most
// kMaxAssociations (the organisations' trust matrices hold
// (associations + kInstTypes)^2 entries).
inline constexpr long long kMaxAssociations = 20000;
double associations_at_density(const SiteProfile& site);
int association_count(const SiteProfile& site, int min_associations);

// Bytes of the organisations' matrices per pair of organisations: trust W and
// its initial value (doubles) and the flag of a moved entry.
inline constexpr double kMemoryPerOrganisationPair = 2 * sizeof(double) + sizeof(std::uint8_t);

// Phase 9: a meeting of the sites of each network (in site order): each site
// that attends decides on its practices from what the others show.
void network_meeting(std::span<TerritorialModel* const> sites, std::int64_t step);

}  // namespace atc::models::territorial
