// Phases 1-4 of a week: schedule (interventions, shocks, residential moves),
// outreach, participation, deliberation. Every phase that touches residents
// runs in parallel over residents; each resident writes only its own state
// (deliberation pairs are disjoint), neighbours are read from last week's
// snapshot (ties_, participating), and random draws are keyed by (week,
// resident, purpose): results do not depend on the number of threads.
#include <algorithm>
#include <array>
#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "models/mechanisms/bounded_confidence.hpp"
#include "models/territorial/model.hpp"
#include "models/territorial/scan.hpp"

namespace atc::models::territorial {

namespace {

using sim::Purpose;
using sim::RandomStream;

// Adds to `found` the residents of [begin, end) whose participation (level
// >= kOccasional) differs from last week's flag (0 or 1), in resident order
// (few change in a week).
void list_participation_changes(const Residents& r, std::size_t begin, std::size_t end, BlockLists& found) {
  for_each_marked(
      begin, end,
      [&]([[maybe_unused]] std::size_t i) {
#if defined(__SSE2__)
        // levels are 0-4: the signed comparison is exact
        const __m128i one = _mm_set1_epi8(1);
        const __m128i now =
            _mm_cmpgt_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&r.level[i])), one);
        const __m128i was =
            _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&r.participating[i])), one);
        return static_cast<unsigned>(_mm_movemask_epi8(_mm_xor_si128(now, was)));
#else
        return 0U;
#endif
      },
      [&](std::size_t i) { return (r.level[i] >= kOccasional ? 1 : 0) != r.participating[i]; },
      [&](std::size_t i) { found.add(static_cast<std::uint32_t>(i)); });
}

// The distinct associations a resident is close to: their own and those of
// their ties (at most 1 + kTieSlots entries, no allocation).
struct Affiliations {
  std::array<std::uint16_t, kTieSlots + 1> org{};
  int count = 0;
  // Branch-free on membership (a tie is a member or not at random).
  void add(std::uint16_t j) {
    bool fresh = j != kNoOrg;
    for (int k = 0; k < count; ++k) fresh = fresh && org[k] != j;
    org[count] = j;  // count <= kTieSlots here: at most 1 + kTieSlots are added
    count += fresh ? 1 : 0;
  }
  [[nodiscard]] bool has(int j) const {
    for (int k = 0; k < count; ++k) {
      if (org[k] == j) return true;
    }
    return false;
  }
};

// The associations resident i is close to, on the tie snapshot.
Affiliations affiliations_of(const Residents& r, const sim::SlotGraph& ties, std::size_t i) {
  Affiliations s;
  s.add(r.member_of[i]);
  for (sim::NodeId t : ties.neighbours_of(static_cast<sim::NodeId>(i))) s.add(r.member_of[t]);
  return s;
}

}  // namespace

void TerritorialModel::step(std::int64_t step, sim::Parallel parallel) {
  advance(step, static_cast<std::uint64_t>(step), false, parallel);
}

void TerritorialModel::advance(std::int64_t step, std::uint64_t key, bool burn_in, sim::Parallel par) {
  Week& w = week_;
  w = Week{};
  w.step = step;
  w.key = key;
  w.burn_in = burn_in;
  phase_schedule(w);    // 1
  apply_moves(w, par);  // 1 (residential turnover, urban renewal): movers' ties go
  // Phase 1's new ties (serial) and phase 2's contact rates run side by
  // side: form_ties writes only the tie slots (and formed, slots_changed),
  // which the rates never read (they read last week's snapshot, ties_).
  OutreachRates rates;
  par.invoke([&] { form_ties(w); }, [&] { rates = phase_outreach(w, par); });  // 1 and 2
  // Phases 2 (contacts) and 3 (participation) in one pass: each reads and
  // writes only the resident's own state, and counts taken before it.
  // Their two draws come from the resident's week block (draw_move).
  par.finer().for_blocks(res_.n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      reach_out(w, rates, i, sim::uniform_high32(week_draws_[i]));  // 2
      participate(w, i, sim::uniform_low32(week_draws_[i]));        // 3
    }
    anchor_priorities(begin, end);  // 3
  });
  phase_deliberation(w, par);  // 4
  phase_theme_choice(w, par);  // 5
  phase_cooperation(w, par);   // 6
  // End of week: this week's ties become the snapshot. The trust step is
  // its last reader: the changed rows are rewritten in its pass.
  phase_trust(w, par);         // 7
  phase_outcomes(w);           // 8
  count_participating_ties();  // end of week
}

// ---- phase 1: schedule ------------------------------------------------------

void TerritorialModel::phase_schedule(Week& w) {
  const std::int64_t week = prm_.burn_in_weeks + w.step;  // weeks since the burn-in began
  w.move_out_hazard = weekly(-std::log1p(-std::min(*prm_.residential_turnover, 0.999)));
  w.host = org_.host;
  apply_practice_changes(w.step);
  const double method_gain = practice_[0] ? prm_.practice_effect[0] : 0.0;  // structured facilitation
  AnimatorFacilitation animator;
  bool facilitated = false;
  if (!w.burn_in) {
    // Intervention costs are added in this order (animator, funding,
    // governance, diagnosis, training): a floating-point sum depends on it.
    animator = schedule_animator(w);
    schedule_lockdown(w);
    schedule_funding(w);
    schedule_governance(w);
    const bool workshop = schedule_diagnosis(w);
    schedule_training(w);
    schedule_renewal(w);
    w.forum = w.animator_forum || w.governance_meeting || workshop;
    // The animator facilitates the method's meetings (its forums, the
    // governance body's, the diagnosis workshops), unless it holds none.
    facilitated = animator.runs_forums && (w.animator_forum || w.governance_meeting || workshop);
  }
  // Public meetings held without intervention (associations, conseil
  // citoyen): physical only, so cancelled by a lockdown.
  const bool public_meeting = week % prm_.forum_period_weeks == 0 && !w.lockdown;
  w.forum = w.forum || public_meeting;
  w.digital_forum = w.forum && w.lockdown;
  // The structured-facilitation practice adds to whoever facilitates.
  w.facilitation =
      std::clamp((facilitated ? animator.quality : *prm_.facilitation_base) + method_gain, 0.0, 1.0);
}

// Practices decided at a network meeting take effect after their lag (phase 9).
void TerritorialModel::apply_practice_changes(std::int64_t step) {
  for (std::size_t k = 0; k < practice_.size(); ++k) {
    if (step >= practice_change_at_[k]) {
      practice_[k] = practice_next_[k];
      practice_change_at_[k] = INT64_MAX;
    }
  }
}

// Animator: in post, vacancy after turnover, departure shock, ramp-up; its
// contacts, host and forums this week, and its cost.
AnimatorFacilitation TerritorialModel::schedule_animator(Week& w) {
  const std::int64_t s = w.step;
  AnimatorFacilitation facilitation;
  const AnimatorSpec* a = nullptr;
  for (const auto& spec : iv_.animators) {
    if (spec.when.active(s)) {
      a = &spec;
      break;
    }
  }
  bool departed = false;
  for (const auto& d : iv_.departures) departed = departed || d.active(s);
  RandomStream turnover(round_keys_, w.key, 0, Purpose("territorial/animator_turnover"));
  const double u = turnover.uniform();  // drawn every week (common random numbers)
  if (a == nullptr || departed) {
    animator_present_ = false;
    animator_vacancy_ = 0;
    animator_tenure_ = 0;
    return facilitation;
  }
  if (animator_present_ && u < weekly(a->turnover_per_year)) {
    animator_present_ = false;
    animator_vacancy_ = a->vacancy_weeks;
  }
  if (!animator_present_) {
    if (animator_vacancy_ > 0) {
      --animator_vacancy_;
    } else {
      animator_present_ = true;
      animator_tenure_ = 0;
    }
  }
  if (animator_present_) {
    ++animator_tenure_;
    const double ramp =
        a->ramp_up_weeks == 0 ? 1.0 : std::min(1.0, double(animator_tenure_) / a->ramp_up_weeks);
    w.animator = true;
    w.animator_contacts = a->contacts_per_week * a->fte * ramp;
    facilitation.quality = a->facilitation_quality;
    facilitation.runs_forums = a->forum_period_weeks > 0;
    if (a->host_type >= 0 && !org_.of_type[a->host_type].empty()) w.host = org_.of_type[a->host_type][0];
    w.emphasis = a->emphasis;
    w.animator_forum = a->forum_period_weeks > 0 && (animator_tenure_ - 1) % a->forum_period_weeks == 0;
    intervention_cost_ += a->salary_cost_eur * a->fte / 52.0;
  }
  // The network supports the site while the intervention runs, animator in post or not.
  intervention_cost_ += a->coordination_cost_eur_per_year / 52.0;
  return facilitation;
}

// A lockdown (the first active one) limits activity and moves meetings online.
void TerritorialModel::schedule_lockdown(Week& w) const {
  for (const auto& l : iv_.lockdowns) {
    if (l.when.active(w.step)) {
      w.lockdown = true;
      w.activity = l.activity;
      w.digital_effect = l.digital_effect;
      break;
    }
  }
}

// Funding changes (all active ones) scale associations' capacity.
void TerritorialModel::schedule_funding(Week& w) {
  for (const auto& f : iv_.funding) {
    if (!f.when.active(w.step)) continue;
    w.capacity_multiplier *= std::max(0.0, 1.0 + f.capacity_change);
    intervention_cost_ += f.cost_eur_per_year / 52.0;
  }
}

// Shared governance (the first active body): residents' voice, quorum, and
// whether the body meets this week.
void TerritorialModel::schedule_governance(Week& w) {
  const std::int64_t s = w.step;
  for (const auto& g : iv_.governance) {
    if (!g.when.active(s)) continue;
    intervention_cost_ += g.cost_eur_per_year / 52.0;
    // A body that never meets leaves decisions to the institutions.
    if (g.period_weeks == 0) break;
    w.governance = true;
    w.resident_voice = std::min(1.0, g.resident_voice + (practice_[1] ? prm_.practice_effect[1] : 0.0));
    w.quorum = g.quorum_per_1000 * site_.population / 1000.0;
    w.governance_meeting = (s - g.when.start) % g.period_weeks == 0;
    break;
  }
}

// A shared-diagnosis process (the first active one); returns whether it holds
// a workshop this week.
bool TerritorialModel::schedule_diagnosis(Week& w) {
  const std::int64_t s = w.step;
  bool workshop = false;
  for (const auto& d : iv_.diagnosis) {
    if (!d.when.active(s)) continue;
    w.diagnosis = true;
    workshop = (s - d.when.start) % d.period_weeks == 0;
    intervention_cost_ +=
        d.cost_eur / static_cast<double>(std::max<std::int64_t>(1, d.when.end - d.when.start));
    break;
  }
  return workshop;
}

// Institution training starting this week; institutions learn faster while
// its effect lasts.
void TerritorialModel::schedule_training(Week& w) {
  const std::int64_t s = w.step;
  for (const auto& t : iv_.training) {
    if (s != t.when.start) continue;
    trained_until_ = s + t.effect_weeks;
    training_boost_ = t.learning_boost;
    intervention_cost_ += t.cost_eur;
  }
  if (s < trained_until_) w.learning = 1.0 + training_boost_;
}

// Urban renewal (the first active one): weekly relocation hazard spreading
// the relocated share over its duration, and the membership it breaks.
void TerritorialModel::schedule_renewal(Week& w) const {
  for (const auto& r : iv_.renewals) {
    if (!r.when.active(w.step)) continue;
    const double weeks = static_cast<double>(r.when.end - r.when.start);
    w.relocation_hazard = 1.0 - std::pow(1.0 - *r.relocated_share, 1.0 / weeks);  // share < 1: declared
    w.membership_loss = r.membership_loss;
    break;
  }
}

// ---- phase 1: residential moves ---------------------------------------------

void TerritorialModel::apply_moves(const Week& w, sim::Parallel par) {
  draw_moves(w, par);
  drop_ties_of_movers(w, par);
}

void TerritorialModel::form_ties(const Week& w) {
  // Arrivals form a few ties in their (new) block at once; then every
  // resident below their initial number of neighbourhood ties forms one more
  // with probability integration_rate per week (a block-mate, or a resident of
  // another block in proportion weak_ties / (block_ties + weak_ties)). Serial,
  // in resident order: a tie writes both ends.
  // Only the residents drop_ties_of_movers listed (in resident order) can
  // form a tie (ties are only added here, so one at or above their target
  // stays there).
  const double block_share = prm_.block_ties / (prm_.block_ties + prm_.weak_ties);
  found_.for_each([&](std::uint32_t i) {
    if (res_.moved[i] == kStayed) {
      integrate_resident(w, i, block_share);
    } else {
      meet_block_neighbours(w, i);
    }
  });
}

// Who moves out (a newcomer takes the dwelling: same static profile, fresh
// state, no ties) and who is relocated to another block by urban renewal.
void TerritorialModel::draw_moves(const Week& w, sim::Parallel par) {
  auto& r = res_;
  const std::size_t blocks = block_count();
  const sim::Parallel fine = par.finer();
  found_.start(r.n, fine.block());
  fine.for_blocks(r.n, [&](std::size_t begin, std::size_t end) {
    // One Philox block per pair of residents (2p, 2p + 1): two 64-bit words
    // each, whose halves are 32-bit uniforms (half a block per resident-step
    // saved 4 % of the step's instructions). A pair split by the edge of a
    // task's range has its block computed on both sides: the same numbers.
    for (std::size_t i = begin; i < end;) {
      RandomStream rng(round_keys_, w.key, i / 2, Purpose("territorial/week"));
      const std::array<std::uint64_t, 4> words{rng.bits(), rng.bits(), rng.bits(), rng.bits()};
      for (const std::size_t pair = i / 2; i < end && i / 2 == pair; ++i) {
        const std::size_t half = 2 * (i % 2);
        draw_move(w, i, blocks, words[half], words[half + 1]);
      }
    }
  });
}

void TerritorialModel::draw_move(const Week& w, std::size_t i, std::size_t blocks, std::uint64_t moves,
                                 std::uint64_t later) {
  auto& r = res_;
  // Two 64-bit words give the four draws every resident needs, 32 bits each:
  // moving out, relocation, contact (phase 2) and the ladder (phase 3); the
  // last two wait in week_draws_. The rarer draws (where to, attendance)
  // have streams of their own, drawn only when used.
  const double out = sim::uniform_high32(moves);
  const double reloc = sim::uniform_low32(moves);
  week_draws_[i] = later;
  r.moved[i] = kStayed;
  if (out < w.move_out_hazard) {
    r.moved[i] = kMovedOut;
    draw_resident_state(i, w.key);
    r.invited[i] = r.attending[i] = 0;
  } else if (reloc < w.relocation_hazard && blocks > 1) {
    r.moved[i] = kRelocated;
    RandomStream relocation(round_keys_, w.key, i, Purpose("territorial/relocation"));
    const double where = relocation.uniform();
    const double lose = relocation.uniform();
    auto nb = static_cast<std::uint32_t>(
        std::min<double>(static_cast<double>(blocks - 2), where * static_cast<double>(blocks - 1)));
    if (nb >= r.block[i]) ++nb;
    r.block[i] = nb;
    if (lose < w.membership_loss) r.member_of[i] = kNoOrg;
  }
  if (r.moved[i] != kStayed) found_.add(static_cast<std::uint32_t>(i));
}

// Ties to or from movers go (all ties of a resident who moved out; block ties
// of a relocated one), and ties formed by co-participation fade by one week.
// Lists in found_ the residents who may form a tie this week: movers,
// and those who stayed below their target of neighbourhood ties whose
// integration draw succeeds (integrate_resident draws it again).
void TerritorialModel::drop_ties_of_movers(const Week& w, sim::Parallel par) {
  auto& r = res_;
  // Movers (listed by draw_moves) and their neighbours (ties are symmetric)
  // are marked; serial, but movers are few.
  found_.for_each([&](std::uint32_t i) {
    touched_[i] = 1;
    for (int s = 0; s < r.tie_count[i]; ++s) touched_[r.tie_to[std::size_t{i} * kTieSlots + s]] = 1;
  });
  // Each resident cleans its own slots. Both ends of a tie apply the same
  // rule, so ties stay symmetric.
  const sim::Parallel fine = par.finer();
  found_.start(r.n, fine.block());
  fine.for_blocks(r.n, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) clean_slots(w, i);
  });
}

void TerritorialModel::clean_slots(const Week& w, std::size_t i) {
  auto& r = res_;
  std::uint32_t* to = r.tie_to.data() + i * kTieSlots;
  std::uint8_t* kind = r.tie_kind.data() + i * kTieSlots;
  std::uint8_t* life = r.tie_life.data() + i * kTieSlots;
  const bool touched = touched_[i] != 0;
  touched_[i] = 0;
  // A mover's membership may have changed: its and its ties' sets of
  // associations are recomputed (phase_outreach). Its block or a tie's may
  // have changed: the snapshot row is rewritten, and its bridging ties are
  // counted again over the kept ones (blocks do not change after
  // draw_moves); otherwise a dropped tie is taken off the count.
  if (touched) {
    affil_dirty_[i] = 1;
    r.slots_changed[i] = 1;
  }
  // Untouched by a move and without co-participation ties (most
  // residents): every tie stays as it is, no slot needs reading.
  const int count = !touched && r.formed[i] == 0 ? 0 : r.tie_count[i];
  int kept = 0;
  int neighbourhood = count == 0 ? r.tie_count[i] : 0;  // kept block and weak ties
  int formed = 0;
  // The bridging count: counted again over the kept ties of a touched
  // resident, else only a dropped tie is taken off (its block and the
  // count are read only when there are slots to read: most residents have
  // none).
  const std::uint32_t own_block = count > 0 ? r.block[i] : 0;
  int bridging = touched || count == 0 ? 0 : bridging_ties_[i];
  // A resident untouched by a move reads its tie ids only for a dropped tie
  // (its block) and to shift the ties after it: most weeks, only formed
  // ties' lives change (the row of ids is the larger one, and at 10^6
  // residents a cache miss).
  for (int s = 0; s < count; ++s) {
    const std::uint8_t k = kind[s];
    bool keep = true;
    if (touched) {
      const std::uint32_t t = to[s];
      keep = r.moved[i] != kMovedOut && r.moved[t] != kMovedOut;
      if (k == kBlockTie && (r.moved[i] == kRelocated || r.moved[t] == kRelocated)) keep = false;
    }
    std::uint8_t l = life[s];
    if (k == kFormedTie) {
      l = static_cast<std::uint8_t>(l - 1);
      if (l == 0) keep = false;
    }
    if (!keep) {
      if (!touched) bridging -= r.block[to[s]] != own_block ? 1 : 0;
      continue;
    }
    if (touched) bridging += r.block[to[s]] != own_block ? 1 : 0;
    neighbourhood += k != kFormedTie ? 1 : 0;
    formed += k == kFormedTie ? 1 : 0;
    if (kept != s) {
      to[kept] = to[s];
      kind[kept] = k;
    }
    life[kept] = l;
    ++kept;
  }
  if (count > 0 || touched) {
    if (kept != r.tie_count[i]) r.slots_changed[i] = 1;
    r.tie_count[i] = static_cast<std::uint8_t>(kept);
    r.formed[i] = static_cast<std::uint8_t>(formed);
    bridging_ties_[i] = static_cast<std::uint8_t>(bridging);
  }
  bool may_form = r.moved[i] != kStayed;
  if (!may_form && prm_.integration_rate > 0 && neighbourhood < r.tie_target[i]) {
    RandomStream rng(round_keys_, w.key, i, Purpose("territorial/integration"));
    may_form = rng.uniform() < prm_.integration_rate;
  }
  if (may_form) found_.add(static_cast<std::uint32_t>(i));
}

// A resident who stayed, below their initial number of neighbourhood ties,
// forms one more with probability integration_rate: in the block (often a
// friend of a friend) with probability block_share, else in another block.
void TerritorialModel::integrate_resident(const Week& w, std::size_t i, double block_share) {
  auto& r = res_;
  if (prm_.integration_rate <= 0 || neighbourhood_ties(i) >= r.tie_target[i]) return;
  RandomStream rng(round_keys_, w.key, i, Purpose("territorial/integration"));
  if (rng.uniform() >= prm_.integration_rate) return;
  const bool in_block = rng.uniform() < block_share || block_count() < 2;
  const bool closure = rng.uniform() < prm_.triadic_closure;
  const int attempts = prm_.integration_attempts_per_tie;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    std::uint32_t j = 0;
    const int c = r.tie_count[i];
    if (in_block && closure && c > 0) {
      // a friend of a friend in the block (triadic closure)
      const std::uint32_t t = r.tie_to[i * kTieSlots + rng.below(static_cast<std::uint64_t>(c))];
      if (r.tie_count[t] == 0) continue;
      j = r.tie_to[std::size_t{t} * kTieSlots + rng.below(r.tie_count[t])];
      if (r.block[j] != r.block[i]) continue;
    } else if (in_block) {
      const std::uint32_t begin = block_begin_[r.block[i]];
      j = static_cast<std::uint32_t>(begin + rng.below(block_begin_[r.block[i] + 1] - begin));
      if (r.block[j] != r.block[i]) continue;
    } else {
      j = static_cast<std::uint32_t>(rng.below(r.n));
      if (r.block[j] == r.block[i]) continue;
    }
    if (j == i || tied(i, j) || neighbourhood_ties(j) > r.tie_target[j]) continue;
    if (r.tie_count[i] >= prm_.max_ties || r.tie_count[j] >= prm_.max_ties) continue;
    const TieKind kind = in_block ? kBlockTie : kWeakTie;
    add_tie(i, j, kind, 255);
    add_tie(j, static_cast<std::uint32_t>(i), kind, 255);
    break;
  }
}

// A resident who arrived in a block (a newcomer or a relocated one) forms up
// to new_block_ties ties there at once.
void TerritorialModel::meet_block_neighbours(const Week& w, std::size_t i) {
  auto& r = res_;
  const std::uint32_t b = r.block[i];
  const std::uint32_t begin = block_begin_[b];
  const std::uint32_t size = block_begin_[b + 1] - begin;
  if (size < 2) return;
  RandomStream rng(round_keys_, w.key, i, Purpose("territorial/new_ties"));
  const int wanted = prm_.new_block_ties;
  const int attempts = prm_.arrival_attempts_per_tie * wanted;
  int made = 0;
  for (int attempt = 0; attempt < attempts && made < wanted; ++attempt) {
    // The first neighbour met at random, the next ones among their ties
    // (one meets one's neighbours' neighbours: triadic closure).
    auto j = static_cast<std::uint32_t>(begin + rng.below(size));
    const int c = r.tie_count[i];
    if (c > 0 && rng.uniform() < prm_.triadic_closure) {
      const std::uint32_t t = r.tie_to[i * kTieSlots + rng.below(static_cast<std::uint64_t>(c))];
      if (r.tie_count[t] > 0) j = r.tie_to[std::size_t{t} * kTieSlots + rng.below(r.tie_count[t])];
    }
    if (j == i || r.block[j] != b || tied(i, j)) continue;
    if (r.tie_count[i] >= prm_.max_ties || r.tie_count[j] >= prm_.max_ties) continue;
    add_tie(i, j, kBlockTie, 255);
    add_tie(j, static_cast<std::uint32_t>(i), kBlockTie, 255);
    ++made;
  }
}

// ---- phase 2: outreach ------------------------------------------------------

OutreachRates TerritorialModel::phase_outreach(const Week& w, sim::Parallel par) {
  auto& r = res_;
  const int A = org_.n_assoc;
  const double mw1 = prm_.member_contact_weight - 1.0;
  // Without an animator's contacts this week its rate is 0 whatever the
  // weights: they are not computed (phase 2 multiplies the stale ones by 0).
  const double animator_contacts = w.animator_contacts * w.activity * scale_;
  const bool weigh = animator_contacts != 0.0;
  // Without a theme emphasised (the default) every resident's top theme
  // gives the same factor: it is not looked for.
  const bool emphasis_uniform =
      std::all_of(w.emphasis.begin(), w.emphasis.end(), [&](double e) { return e == w.emphasis[0]; });
  // A weight computed without emphasis depends only on the resident's cached
  // associations and on the host: while neither changes, it is kept.
  const bool reuse_weights = weigh && emphasis_uniform && weight_key_.valid && weight_key_.host == w.host &&
                             weight_key_.emphasis == w.emphasis[0];
  const auto animator_weight = [&](std::size_t i, bool host) {
    const double emphasis = emphasis_uniform ? w.emphasis[0] : w.emphasis[top_theme(r.p(i))];
    return (1.0 + mw1 * (host ? 1.0 : 0.0)) * (1.0 + emphasis);
  };
  // Cached sets about to be recomputed leave the counts of associations'
  // close residents (counts: exact in any order). Serial; few are dirty.
  for_each_flagged(affil_dirty_.data(), nullptr, 0, r.n, [&](std::size_t i) {
    if (affil_n_[i] > kAffil) return;
    for (int k = 0; k < affil_n_[i]; ++k) assoc_close_[affil_[i * kAffil + k]] -= 1.0;
  });
  // Pass 1a, in fine tasks: each dirty resident's affiliations (cached when
  // there are at most kAffil, in the order they are met: own membership, then
  // ties in row order, the order pass 2 sums rates in) and how many of its
  // ties took part last week (for phase 3; kept up to date by count_participating_ties
  // for the others), and every resident's weight in the animator's contacts.
  const auto recompute = [&](std::size_t i) {
    if (affil_dirty_[i] != 0) {
      int active = 0;
      for (sim::NodeId t : ties_.neighbours_of(static_cast<sim::NodeId>(i))) active += r.participating[t];
      active_ties_[i] = static_cast<std::uint8_t>(active);
    }
    const Affiliations s = affiliations_of(r, ties_, i);
    if (weigh) animator_weight_[i] = animator_weight(i, s.has(w.host));
    affil_n_[i] = static_cast<std::uint8_t>(std::min(s.count, kAffil + 1));
    for (int k = 0; k < kAffil; ++k) affil_[i * kAffil + k] = k < s.count ? s.org[k] : no_contribution();
  };
  const bool reweigh = weigh && !reuse_weights;
  par.finer().for_blocks(r.n, [&](std::size_t begin, std::size_t end) {
    if (!reweigh) {
      // Only the dirty and oversized sets have work (most weeks): found 16
      // residents at a time.
      for_each_flagged(affil_dirty_.data() + begin, affil_n_.data() + begin, kAffil, end - begin,
                       [&](std::size_t k) { recompute(begin + k); });
      return;
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (affil_dirty_[i] != 0 || affil_n_[i] > kAffil) {
        recompute(i);
      } else {
        bool host = false;
        for (int k = 0; k < affil_n_[i]; ++k) host = host || affil_[i * kAffil + k] == w.host;
        animator_weight_[i] = animator_weight(i, host);
      }
    }
  });
  weight_key_ = {weigh && emphasis_uniform, w.host, w.emphasis[0]};
  // Pass 1b: how many residents each association weighs double (members and
  // members' ties): the cached sets' counts, updated with the recomputed
  // ones, plus the sets too large to cache, counted afresh. Serial; few.
  scratch_sum_.assign(static_cast<std::size_t>(A) + 1, 0.0);
  for_each_flagged(affil_dirty_.data(), affil_n_.data(), kAffil, r.n, [&](std::size_t i) {
    if (affil_n_[i] <= kAffil) {
      for (int k = 0; k < affil_n_[i]; ++k) assoc_close_[affil_[i * kAffil + k]] += 1.0;
    } else {
      const Affiliations s = affiliations_of(r, ties_, i);
      for (int k = 0; k < s.count; ++k) scratch_sum_[s.org[k]] += 1.0;
    }
    affil_dirty_[i] = 0;
  });
  for (int j = 0; j < A; ++j) scratch_sum_[j] += assoc_close_[j];
  // The animator's total weight: summed in resident order within a block,
  // then in block order.
  if (weigh) {
    scratch_sum_[A] = par.reduce<double>(r.n, [&](std::size_t b, std::size_t e) {
      double s = 0;
      for (std::size_t i = b; i < e; ++i) s += animator_weight_[i];
      return s;
    });
  }
  // lambda_j = c_j / sum_i w_ij: expected contacts are conserved.
  const double n = static_cast<double>(r.n);
  double lambda_all = 0;
  for (int j = 0; j < A; ++j) {
    const double legitimacy =
        (1.0 - prm_.contact_legitimacy_weight) + prm_.contact_legitimacy_weight * org_.legitimacy[j];
    const double c =
        prm_.contacts_per_fte * org_.capacity[j] * w.capacity_multiplier * w.activity * legitimacy * scale_;
    week_contrib_[j] = c / (n + mw1 * scratch_sum_[j]);  // reused as lambda_j
    lambda_all += week_contrib_[j];
  }
  const double lambda_a = scratch_sum_[A] > 0 ? animator_contacts / scratch_sum_[A] : 0.0;
  return {lambda_all, lambda_a, mw1};
}

// Phase 2 for resident i: contacted (invited) with the probability its
// contact rate gives.
void TerritorialModel::reach_out(const Week& w, const OutreachRates& rates, std::size_t i, double draw) {
  auto& r = res_;
  if (w.lockdown && r.barrier[i]) {  // only digital contact is possible: P(contacted) = 0
    r.invited[i] = 0;
    return;
  }
  double rate = rates.all;
  const std::uint16_t* close = affil_.data() + i * kAffil;
  if (affil_n_[i] <= kAffilSummed) {
    // A fixed number of terms, the unused slots adding member_extra x 0
    // (x + 0 is x, exactly): a loop of each resident's own length
    // mispredicted its exit for most residents, the lengths varying.
    for (int k = 0; k < kAffilSummed; ++k) rate += rates.member_extra * week_contrib_[close[k]];
  } else if (affil_n_[i] <= kAffil) {
    for (int k = 0; k < affil_n_[i]; ++k) rate += rates.member_extra * week_contrib_[close[k]];
  } else {
    const Affiliations s = affiliations_of(r, ties_, i);
    for (int k = 0; k < s.count; ++k) rate += rates.member_extra * week_contrib_[s.org[k]];
  }
  rate += rates.animator * animator_weight_[i];
  const bool barrier = r.barrier[i] != 0;
  // Most residents are not contacted in a week: the bound decides for them
  // without the exponential.
  r.invited[i] = draw < contact_probability_bound(rate, barrier, prm_.barrier_contact_penalty, r.ta(i),
                                                  prm_.contact_trust_weight) &&
                         draw < contact_probability(rate, barrier, prm_.barrier_contact_penalty, r.ta(i),
                                                    prm_.contact_trust_weight)
                     ? 1
                     : 0;
  if (r.invited[i] && r.level[i] == kNone) r.level[i] = kInformed;
}

// ---- phase 3: participation -------------------------------------------------

// Phase 3 for resident i: one move on the ladder, fatigue and attendance at
// this week's forum (the drift of priorities: anchor_priorities).
void TerritorialModel::participate(const Week& w, std::size_t i, double draw) {
  auto& r = res_;
  const double opp = opportunity(w, i);
  const std::uint8_t level = r.level[i];
  // Computed only when the draw can fall in a move's range (next_level_from).
  const auto utility = [&] {
    // Share of ties who took part last week (counted in phase 2, on the same snapshot).
    const std::uint32_t degree = ties_.degree(static_cast<sim::NodeId>(i));
    const double share =
        degree == 0 ? 0.0 : static_cast<double>(active_ties_[i]) / static_cast<double>(degree);
    const double habit = level >= kOccasional ? opp : 0.0;
    return participation_utility(utility_, share, r.eff[i], r.ta(i), r.invited[i] != 0, habit,
                                 r.availability[i], r.fatigue[i]);
  };
  const std::uint8_t next =
      next_level_from(level, r.weeks_active[i], utility, r.threshold[i], draw, opp, ladder_);
  r.level[i] = next;
  r.weeks_active[i] =
      next >= kActive ? static_cast<std::uint16_t>(std::min(r.weeks_active[i] + 1, 60000)) : 0;
  r.fatigue[i] = static_cast<float>(fatigue_after_week(r.fatigue[i], next, fatigue_));
  if (next >= kOccasional) r.ever[i] = 1;
  double p_attend = 0.0;
  if (w.forum && next >= kOccasional) {
    p_attend = prm_.attendance[next - kOccasional] *
               (w.digital_forum ? (r.barrier[i] ? 0.0 : w.digital_effect) : 1.0);
  }
  // Drawn only when attending is possible (a forum week, occasional or above).
  r.attending[i] = 0;
  if (p_attend > 0.0) {
    RandomStream attendance(round_keys_, w.key, i, Purpose("territorial/attendance"));
    r.attending[i] = attendance.uniform() < p_attend ? 1 : 0;
  }
}

// Priorities drift back towards one's own (Friedkin-Johnsen anchoring), for
// residents [begin, end): their rows are contiguous, so one loop over
// kThemes x (end - begin) floats, which the compiler packs four to an
// instruction (each lane rounding as the scalar operation: the same bits);
// per resident, its six themes took 23 instructions. prio and prio0 never
// overlap (restrict).
void TerritorialModel::anchor_priorities(std::size_t begin, std::size_t end) {
  float* __restrict p = res_.p(begin);
  const float* __restrict p0 = res_.p0(begin);
  const auto anchoring = static_cast<float>(prm_.priority_anchoring);
  const std::size_t count = (end - begin) * kThemes;
  for (std::size_t k = 0; k < count; ++k) p[k] += anchoring * (p0[k] - p[k]);
}

// ---- phase 4: deliberation / shared diagnosis --------------------------------

namespace {

// A forum's attendees are usually fewer than one task of par.for_each (a
// quarter of a block), so loops over them in that form ran on one thread
// while the others waited. An attendee or a pair is a fraction of a
// microsecond of work: tasks of this many keep the overhead of a task small.
// (Each attendee or pair writes only its own residents: any grouping gives
// the same result.)
constexpr std::size_t kAttendeesPerTask = 32;

}  // namespace

void TerritorialModel::phase_deliberation(const Week& w, sim::Parallel par) {
  auto& r = res_;
  if (!w.forum) return;
  forums_held_ += 1;
  attendees_.clear();
  for_each_flagged(r.attending.data(), nullptr, 0, r.n,
                   [&](std::size_t i) { attendees_.push_back(static_cast<std::uint32_t>(i)); });
  const std::size_t m = attendees_.size();
  forum_attendees_ = static_cast<double>(m) / scale_;
  forum_sessions_ = 0;
  if (m == 0) {
    forum_conflict_ = 0;  // nobody came: no conflict at this forum
    return;
  }
  split_into_sessions(m);
  const std::size_t sessions = session_begin_.size() - 1;
  forum_sessions_ = static_cast<double>(sessions);
  // Each session is measured before anyone deliberates. Conflict, graded per
  // session: how much its attendees disagree, and whether the trust in the
  // room (helped by facilitation) makes it productive. The forum's conflict
  // is the attendee-weighted mean of its sessions' (one session: its own),
  // so it does not grow with the number of sessions.
  const double md = static_cast<double>(m);
  ForumConflict forum;
  ThemeVector priority_sum{};
  session_conflict_.resize(sessions);
  session_bound_.resize(sessions);
  for (std::size_t s = 0; s < sessions; ++s) {
    const std::size_t begin = session_begin_[s];
    const std::size_t end = session_begin_[s + 1];
    const SessionMeasure measure = measure_session(begin, end, par);
    const ForumConflict conflict =
        end - begin >= 2
            ? forum_conflict(measure.dispersion, measure.trust + prm_.conflict_facilitation * w.facilitation,
                             conflict_shape_)
            : ForumConflict{};
    session_conflict_[s] = conflict;
    session_bound_[s] =
        confidence_bound(prm_.confidence_base, prm_.confidence_trust, prm_.confidence_facilitation,
                         measure.association_trust, w.facilitation);
    const double share = static_cast<double>(end - begin) / md;
    forum.intensity += share * conflict.intensity;
    forum.productive += share * conflict.productive;
    forum.destructive += share * conflict.destructive;
    for (int t = 0; t < kThemes; ++t) priority_sum[t] += measure.priority_sum[t];
  }
  for (int t = 0; t < kThemes; ++t) forum_centroid_[t] = priority_sum[t] / md;
  forum_conflict_ = forum.intensity;
  conflict_productive_sum_ += forum.productive;
  conflict_destructive_sum_ += forum.destructive;
  deliberate_in_pairs(w, par);
  apply_forum_effects(w, par);
  const double gain = prm_.diagnosis_gain * (w.diagnosis ? 1.0 : prm_.diagnosis_without_process) *
                      (1.0 + prm_.diagnosis_conflict_bonus * forum.productive) * (1.0 - forum.destructive);
  diagnosis_ += std::min(1.0, gain) * (1.0 - diagnosis_);
  if (w.diagnosis || w.governance_meeting) institutions_learn_priorities();
}

// A forum whose attendees exceed the capacity of a session is held as
// forum_session_count sessions of equal size (sizes differ by one at most),
// its attendees taken in resident order: residents are numbered block by
// block at construction, so a session gathers mostly neighbours, as a
// sub-area meeting would.
void TerritorialModel::split_into_sessions(std::size_t m) {
  const std::size_t sessions = forum_session_count(forum_attendees_, m, prm_.forum_session_capacity);
  const std::size_t base = m / sessions;
  const std::size_t longer = m % sessions;  // the first `longer` sessions have one attendee more
  session_begin_.resize(sessions + 1);
  for (std::size_t s = 0; s <= sessions; ++s) session_begin_[s] = s * base + std::min(s, longer);
}

// The session of the attendee at `position` in attendees_.
std::size_t TerritorialModel::session_of(std::size_t position) const {
  const auto after = std::upper_bound(session_begin_.begin(), session_begin_.end(), position);
  return static_cast<std::size_t>(after - session_begin_.begin()) - 1;
}

// A session's attendees, attendees_[begin, end), before deliberation: their
// mean trust in associations (which sets the confidence bound), their mean
// trust T that makes conflict productive, their priorities' sums (for the
// forum's centroid) and their pairwise dispersion D.
TerritorialModel::SessionMeasure TerritorialModel::measure_session(std::size_t begin, std::size_t end,
                                                                   sim::Parallel par) const {
  const auto& r = res_;
  const std::uint32_t* attendees = attendees_.data() + begin;
  const std::size_t m = end - begin;
  // In float, as Ti and Ta are stored: with weights 1/2 this is exactly the
  // float mean of the two.
  const auto wi = static_cast<float>(*prm_.conflict_institution_trust_weight);
  const auto wa = static_cast<float>(1.0 - prm_.conflict_institution_trust_weight);
  const auto stats = par.reduce<Sums<kThemes + 2>>(m, [&](std::size_t b, std::size_t e) {
    Sums<kThemes + 2> s;
    for (std::size_t k = b; k < e; ++k) {
      const auto i = attendees[k];
      s.v[0] += r.ta(i);
      s.v[1] += wi * r.ti(i) + wa * r.ta(i);
      for (int t = 0; t < kThemes; ++t) s.v[2 + t] += r.p(i)[t];
    }
    return s;
  });
  const double md = static_cast<double>(m);
  SessionMeasure out;
  ThemeVector centroid{};
  for (int t = 0; t < kThemes; ++t) {
    out.priority_sum[t] = stats.v[2 + t];
    centroid[t] = stats.v[2 + t] / md;
  }
  out.association_trust = stats.v[0] / md;
  out.trust = stats.v[1] / md;
  const double squared = par.reduce<double>(m, [&](std::size_t b, std::size_t e) {
    double s = 0;
    for (std::size_t k = b; k < e; ++k) add_squared_distance(r.p(attendees[k]), centroid, s);
    return s;
  }) / md;
  out.dispersion = pairwise_dispersion(squared, m);
  return out;
}

// Random pairs within each session (deterministic matching: one stream for
// the forum, the sessions shuffled in turn) move towards each other when
// closer than their session's confidence bound (Deffuant et al. 2000, in K
// dimensions); a pair may form a tie, and renews one formed earlier. Pairs
// are disjoint.
void TerritorialModel::deliberate_in_pairs(const Week& w, sim::Parallel par) {
  auto& r = res_;
  RandomStream matching(round_keys_, w.key, 0, Purpose("territorial/matching"));
  pair_first_.clear();
  for (std::size_t s = 0; s + 1 < session_begin_.size(); ++s) {
    const std::size_t begin = session_begin_[s];
    const std::size_t pairs = sim::random_matching(
        matching, std::span<std::uint32_t>(attendees_.data() + begin, session_begin_[s + 1] - begin));
    for (std::size_t k = 0; k < pairs; ++k) pair_first_.push_back(static_cast<std::uint32_t>(begin + 2 * k));
  }
  const int max_ties = prm_.max_ties;
  const auto renew = static_cast<std::uint8_t>(prm_.formed_tie_weeks);
  par.for_each_in_tasks_of(kAttendeesPerTask, pair_first_.size(), [&](std::size_t k) {
    const std::size_t first = pair_first_[k];
    const std::uint32_t i = attendees_[first];
    const std::uint32_t j = attendees_[first + 1];
    mechanisms::deffuant_pair_update(std::span<float>(r.p(i), kThemes), std::span<float>(r.p(j), kThemes),
                                     session_bound_[session_of(first)], prm_.convergence_rate);
    auto renew_side = [&](std::uint32_t a, std::uint32_t c) {
      for (int s = 0; s < r.tie_count[a]; ++s) {
        const std::size_t slot = std::size_t{a} * kTieSlots + s;
        if (r.tie_to[slot] != c) continue;
        if (r.tie_kind[slot] == kFormedTie) r.tie_life[slot] = renew;
        return true;
      }
      return false;
    };
    const bool existing = renew_side(i, j);
    if (existing) {
      renew_side(j, i);
      return;
    }
    RandomStream tie(round_keys_, w.key, std::min(i, j), Purpose("territorial/tie"));
    if (tie.uniform() < prm_.tie_formation && r.tie_count[i] < max_ties && r.tie_count[j] < max_ties) {
      add_tie(i, j, kFormedTie, renew);
      add_tie(j, i, kFormedTie, renew);
    }
  });
}

// A well-run meeting builds attendees' trust in its organisers, unless it
// turns destructive. Productive conflict improves the diagnosis and
// attendees' sense of efficacy; destructive conflict lowers efficacy and
// makes some attendees step down. Each effect is weighted by the graded
// conflict of the attendee's session, so forums differ continuously.
void TerritorialModel::apply_forum_effects(const Week& w, sim::Parallel par) {
  auto& r = res_;
  const double forum_gain = prm_.forum_trust_gain * w.facilitation;
  par.for_each_in_tasks_of(kAttendeesPerTask, attendees_.size(), [&](std::size_t k) {
    const std::uint32_t i = attendees_[k];
    const ForumConflict& conflict = session_conflict_[session_of(k)];
    r.ta(i) =
        static_cast<float>(mechanisms::trust_after(r.ta(i), +1, forum_gain, 1.0, 1.0 - conflict.destructive));
    r.eff[i] = static_cast<float>(
        mechanisms::trust_after(r.eff[i], +1, prm_.conflict_efficacy_gain, 1.0, conflict.productive));
    r.eff[i] = static_cast<float>(
        mechanisms::trust_after(r.eff[i], -1, prm_.conflict_efficacy_loss, 1.0, conflict.destructive));
    RandomStream drop(round_keys_, w.key, i, Purpose("territorial/conflict_dropout"));
    if (drop.uniform() < prm_.conflict_dropout * conflict.destructive && r.level[i] > kNone) {
      r.level[i] = static_cast<std::uint8_t>(r.level[i] - 1);
      if (r.level[i] < kActive) r.weeks_active[i] = 0;
    }
  });
}

// Institutions learn residents' priorities from a shared diagnosis or a
// governance meeting, at a rate growing with diagnosis quality and posture.
void TerritorialModel::institutions_learn_priorities() {
  double posture = 0;
  for (int j = org_.n_assoc; j < org_.size(); ++j) posture += org_.posture[j];
  posture /= std::max(1, org_.n_inst);
  const double rate = std::min(1.0, prm_.institution_learning * diagnosis_ * posture);
  double sum = 0;
  for (int t = 0; t < kThemes; ++t) {
    auto& x = org_.institution_priorities[t];
    x += rate * (forum_centroid_[t] - x);
    sum += x;
  }
  for (auto& x : org_.institution_priorities) x /= sum;
}

// ---- end of week: tie snapshot ----------------------------------------------

// At initialisation; in a week the rows are rewritten in the trust step's
// pass (update_resident_trust), the snapshot's last reader.
void TerritorialModel::rebuild_ties(sim::Parallel par) {
  const sim::Parallel fine = par.finer();
  found_.start(res_.n, fine.block());
  fine.for_blocks(res_.n, [&](std::size_t begin, std::size_t end) { rewrite_snapshot_rows(begin, end); });
  count_participating_ties();
}

// Residents [begin, end) of a pass that started found_ in blocks of
// par.finer(): only the rows whose slots changed this week are rewritten, in
// place (the snapshot is not read after this point, and a task writes only
// its own residents' rows); who starts or stops participating is listed for
// count_participating_ties.
void TerritorialModel::rewrite_snapshot_rows(std::size_t begin, std::size_t end) {
  auto& r = res_;
  list_participation_changes(r, begin, end, found_);
  for (std::size_t i = begin; i < end; ++i) {
    const int count = r.tie_count[i];
    if (r.slots_changed[i] == 0 && ties_.degrees[i] == count) continue;
    // Insertion sort while copying: rows are short (at most kTieSlots).
    sim::NodeId* row = ties_.row(static_cast<sim::NodeId>(i));
    const std::uint32_t* to = r.tie_to.data() + i * kTieSlots;
    for (int s = 0; s < count; ++s) {
      const sim::NodeId x = to[s];
      int k = s;
      for (; k > 0 && row[k - 1] > x; --k) row[k] = row[k - 1];
      row[k] = x;
    }
    ties_.degrees[i] = static_cast<std::uint8_t>(count);
    r.slots_changed[i] = 0;
    row_rewritten_[i] = 1;  // the sampled clustering is computed again around it
    // The row may differ: its associations and participating ties are
    // recomputed (phase_outreach).
    affil_dirty_[i] = 1;
  }
}

// Who participates now, read by neighbours next week. The count of
// participating ties of a resident whose row was kept changes only by the
// neighbours who started or stopped (listed by rewrite_snapshot_rows: few a
// week; ties are symmetric, so they are found from the other end). Serial: a
// change writes to neighbours (the counts are integers: exact in any order).
void TerritorialModel::count_participating_ties() {
  auto& r = res_;
  found_.for_each([&](std::uint32_t i) {
    const std::uint8_t now = r.level[i] >= kOccasional ? 1 : 0;
    r.participating[i] = now;
    for (sim::NodeId t : ties_.neighbours_of(i)) {
      if (affil_dirty_[t] == 0) active_ties_[t] = static_cast<std::uint8_t>(active_ties_[t] + (now ? 1 : -1));
    }
  });
}

}  // namespace atc::models::territorial
