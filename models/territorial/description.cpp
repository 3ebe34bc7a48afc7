// Declarations of the territorial model: parameters, site fields,
// interventions, indicators. One declaration per parameter drives validation,
// `atcsim describe`, the HDF5 attributes and docs/ODD.md's tables.
#include <fmt/format.h>

#include <memory>

#include "models/territorial/model.hpp"
#include "models/territorial/territorial.hpp"

namespace atc::models::territorial {

namespace {

using sim::ParamDecl;

std::vector<ParamDecl> model_params() {
  std::vector<ParamDecl> v;
  auto add = [&](ParamDecl d) -> ParamDecl& { return v.emplace_back(std::move(d)); };
  // ---- population and structure
  add(ParamDecl::real("population_scale", 1.0))
      .above(0)
      .at_most(1)
      .describe(
          "fraction of the site's residents aged 15+ simulated as agents; organisational capacities stay at "
          "full scale and per-resident flows are rescaled");
  add(ParamDecl::integer("burn_in_weeks", 104))
      .range(0, 1040)
      .units("week")
      .describe(
          "weeks simulated before week 0 without interventions (spin-up to the baseline regime); cumulative "
          "indicators restart at 0 after it");
  add(ParamDecl::real("activity_rate", 0.6))
      .range(0, 1)
      .describe(
          "share of residents aged 15-64 in the labour force; P(not employed) = 1 - activity_rate (1 - "
          "unemployment_rate)");
  add(ParamDecl::integer("block_size", 150))
      .range(10, 5000)
      .units("resident")
      .describe("residents per block (building / street) whose ties are mostly internal");
  add(ParamDecl::integer("block_ties", 6))
      .range(2, 16)
      .units("tie")
      .describe(
          "strong ties per resident inside the block (Watts-Strogatz ring lattice of degree block_ties, "
          "even)");
  add(ParamDecl::real("block_rewiring", 0.1))
      .range(0, 1)
      .describe("Watts-Strogatz rewiring probability of the block lattice");
  add(ParamDecl::real("weak_ties", 2.0))
      .range(0, 8)
      .units("tie")
      .describe("mean number of weak ties per resident to other blocks (small world)");
  add(ParamDecl::real("membership_share", 0.218))
      .range(0, 1)
      .describe("share of residents member of an association")
      .cite(
          "ONPV annual report 2015: 21.8 % of ZUS residents involved in an association (stylized_facts.md "
          "section 1)");
  add(ParamDecl::real_list("membership_age_weights", {0.7, 1.0, 1.4}))
      .at_least(0)
      .describe("relative membership propensity of ages 15-24, 25-64, 65+ (renormalised to membership_share)")
      .cite(
          "direction from Insee Premiere 1327 (membership rises with age, peaks at 60-75); values are an "
          "assumption");
  add(ParamDecl::real_list("availability_mean", {0.40, 0.25, 0.45, 0.50}))
      .range(0.01, 0.99)
      .describe(
          "mean time availability a (Beta) of youth 15-24, employed 25-64, not employed 25-64, seniors 65+");
  add(ParamDecl::real("availability_concentration", 4.0))
      .above(0)
      .describe("Beta concentration of time availability");
  add(ParamDecl::real("low_income_availability_shift", -0.05))
      .range(-0.5, 0.5)
      .describe("shift of mean availability for low-income residents");
  add(ParamDecl::real("threshold_mean", 0.45))
      .range(0.01, 0.99)
      .describe("mean participation threshold theta (Beta; Granovetter 1978)")
      .cite(
          "assumption (MODEL.md suggests 0.35; 0.45 keeps the baseline at a stable ~3 % participation with "
          "the other defaults, see docs/ODD.md)");
  add(ParamDecl::real("threshold_concentration", 10.0)).above(0).describe("Beta concentration of theta");
  add(ParamDecl::real("youth_threshold_shift", 0.05))
      .range(-0.5, 0.5)
      .describe("shift of mean theta for ages 15-24")
      .cite(
          "direction from the age gradient of turnout (Insee Premiere 1929: 28 % of under-30s vs 59 % of 65+ "
          "voted) and the qualitative finding that youth are 'tres peu representee' in conseils citoyens; "
          "value an assumption");
  add(ParamDecl::real("low_income_threshold_shift", 0.03))
      .range(-0.5, 0.5)
      .describe("shift of mean theta for low-income residents");
  add(ParamDecl::real("trust_institutions_initial", 0.30))
      .range(0.01, 0.99)
      .describe("mean initial trust in institutions Ti (Beta)")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("trust_associations_initial", 0.50))
      .range(0.01, 0.99)
      .describe("mean initial trust in associations Ta (Beta)")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("efficacy_initial", 0.30))
      .range(0.01, 0.99)
      .describe("mean initial perceived collective efficacy E (Beta; Sampson et al. 1997)")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("trust_concentration", 5.0))
      .above(0)
      .describe("Beta concentration of initial Ti, Ta, E");
  add(ParamDecl::real_list("resident_priorities", {0.20, 0.22, 0.14, 0.22, 0.10, 0.12}))
      .at_least(0)
      .describe(
          "mean resident priority over the 6 themes (employment, housing, youth, safety, health, social "
          "ties) before the site tilt; renormalised")
      .cite(
          "ranking from the Quartiers 2030 consultation (2023): safety and housing first (batiweb, "
          "stylized_facts.md section 1); weights an assumption");
  add(ParamDecl::real("priority_concentration", 6.0))
      .above(0)
      .describe("Dirichlet concentration of individual priorities (sum of alphas)");
  add(ParamDecl::real_list("initial_level_shares", {0.12, 0.013, 0.012, 0.009}))
      .range(0, 1)
      .describe(
          "initial shares at levels 1 (informed), 2, 3, 4 (core), given to the residents with the highest "
          "propensity; the burn-in then relaxes them")
      .cite(
          "core share of the order of conseils citoyens: ~15,000 members for 1,514 QPV (CNDP 2019, "
          "stylized_facts.md section 1)");
  add(ParamDecl::real("residential_turnover", 0.039))
      .range(0, 0.5)
      .units("year-1")
      .describe(
          "yearly probability that a resident moves out (replaced by a newcomer with fresh state and no ties "
          "but 'new_block_ties')")
      .cite(
          "Insee Premiere 1996 (2024): 3 in 10 QPV residents of 2011 had left by 2020 -> 1 - 0.7^(1/9) = 3.9 "
          "%/yr");
  // ---- organisations
  add(ParamDecl::real_list("association_capacity", {0.6, 0.5, 0.15, 0.15, 0.1, 0.1}))
      .at_least(0)
      .units("FTE")
      .describe(
          "staff+volunteer time devoted to participation and joint projects by association type (social "
          "centre, regie de quartier, resident group, sports/culture, parents, faith/community)")
      .cite(
          "assumption; scale: a centre social has ~33 staff and ~30 volunteers (Banque des territoires), a "
          "table de quartier needs ~1 day/week of one person (FCSF), stylized_facts.md section 3");
  add(ParamDecl::real_list("institution_capacity", {0.3, 0.1, 0.3, 0.15, 0.15, 0.1, 0.1}))
      .at_least(0)
      .units("FTE")
      .describe(
          "time devoted to joint projects in the site by institution type (municipality, prefect's delegate, "
          "social landlord, schools, employment service, police, health/family benefits)");
  add(ParamDecl::real("contacts_per_fte", 20.0))
      .at_least(0)
      .units("contact week-1 FTE-1")
      .describe("outreach contacts per week per FTE of association capacity");
  add(ParamDecl::real("member_contact_weight", 2.0))
      .at_least(1)
      .describe("outreach weight w_ij of members of j and of their ties (others 1)")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("barrier_contact_penalty", 0.5))
      .range(0, 1)
      .describe("reduction of the contact probability for residents with a language/digital barrier")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("legitimacy_initial", 0.5))
      .range(0.01, 0.99)
      .describe("initial legitimacy of associations (scales their effective contacts by 0.5 + 0.5 L)");
  add(ParamDecl::real("association_posture", 0.6))
      .range(0, 1)
      .describe("cooperative disposition of associations in joint projects (fixed)");
  add(ParamDecl::real("posture_initial", 0.25))
      .range(0, 1)
      .describe("initial institutional posture pi (0 top-down, 1 cooperative)")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("responsiveness_min", 0.1))
      .range(0, 1)
      .describe("r0: probability that a top-down institution (pi = 0) acts on a resident proposal");
  add(ParamDecl::real("responsiveness_max", 0.6))
      .range(0, 1)
      .describe("r_max: same for a fully cooperative institution (pi = 1); r_k = r0 + (r_max - r0) pi_k");
  add(ParamDecl::real_list("org_trust_initial", {0.45, 0.30, 0.40, 0.45}))
      .range(0.01, 0.99)
      .describe(
          "mean initial trust W: association->association, association->institution, "
          "institution->association, institution->institution");
  add(ParamDecl::real("org_trust_concentration", 10.0)).above(0).describe("Beta concentration of initial W");
  add(ParamDecl::real_list("institution_priorities", {0.30, 0.15, 0.25, 0.10, 0.10, 0.10}))
      .at_least(0)
      .describe(
          "institutions' initial theme priorities P_inst (renormalised): national programmes weight "
          "employment and education");
  add(ParamDecl::real("partner_focus_min", 0.5))
      .range(0, 1)
      .describe("an organisation is a partner of a project when its focus on the theme is at least this");
  // ---- participation
  add(ParamDecl::real("utility_social", 0.3))
      .at_least(0)
      .describe("w_s: weight of the share of ties participating (Granovetter 1978; Watts 2002)");
  add(ParamDecl::real("utility_efficacy", 0.3)).at_least(0).describe("w_e: weight of collective efficacy E");
  add(ParamDecl::real("utility_trust", 0.2)).at_least(0).describe("w_t: weight of trust in associations Ta");
  add(ParamDecl::real("utility_invited", 0.25))
      .at_least(0)
      .describe("w_inv: utility of having been invited this week");
  add(ParamDecl::real("utility_habit", 0.15))
      .at_least(0)
      .describe("w_h: utility of already participating (level >= 2)");
  add(ParamDecl::real("utility_cost", 0.3))
      .at_least(0)
      .describe("w_c: weight of the time cost (1 - a)(1 + F)");
  add(ParamDecl::real("decision_noise", 0.1))
      .at_least(0)
      .describe("tau: logistic noise of ladder moves (0 = deterministic threshold rule)");
  add(ParamDecl::real_list("ladder_up_rate", {0.1, 0.1, 0.05, 0.02}))
      .range(0, 1)
      .units("week-1")
      .describe(
          "weekly probability of moving up one rung when u >> theta, from levels 0, 1, 2, 3 (higher rungs "
          "are climbed more slowly)");
  add(ParamDecl::real("ladder_down_rate", 0.08))
      .range(0, 1)
      .units("week-1")
      .describe("weekly probability of moving down one rung when u << theta - m");
  add(ParamDecl::real("ladder_down_margin", 0.05))
      .range(0, 1)
      .describe("m: hysteresis margin below theta before stepping down");
  add(ParamDecl::integer("core_weeks", 8))
      .range(0, 520)
      .units("week")
      .describe("consecutive weeks at level 3 (active) before core (4) is reachable")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("fatigue_gain", 0.03))
      .range(0, 1)
      .units("week-1")
      .describe("fatigue increase per week at level 3-4 (half at level 2)");
  add(ParamDecl::real("fatigue_rest", 0.1))
      .range(0, 1)
      .units("week-1")
      .describe("share of fatigue recovered per week at level 0-1");
  add(ParamDecl::real("fatigue_relief", 0.5))
      .range(0, 1)
      .describe("share of fatigue removed when a project one took part in succeeds (visible results)");
  // ---- deliberation
  add(ParamDecl::integer("forum_period_weeks", 8))
      .range(1, 520)
      .units("week")
      .describe(
          "period of the public meetings held without intervention (associations, conseil citoyen); physical "
          "only");
  add(ParamDecl::real_list("attendance", {0.25, 0.75, 1.0}))
      .range(0, 1)
      .describe("probability of attending a held forum at levels 2, 3, 4")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("confidence_base", 0.2))
      .at_least(0)
      .describe(
          "d0: confidence bound of the Deffuant update without trust or facilitation (distances in the "
          "6-theme simplex, max sqrt 2)");
  add(ParamDecl::real("confidence_trust", 0.3))
      .at_least(0)
      .describe("d_trust: widening of the bound per unit of mean attendee trust in associations");
  add(ParamDecl::real("confidence_facilitation", 0.3))
      .at_least(0)
      .describe("d_fac: widening of the bound per unit of facilitation quality q");
  add(ParamDecl::real("convergence_rate", 0.1))
      .range(0, 0.5)
      .describe("mu: Deffuant convergence parameter (Deffuant et al. 2000)");
  add(ParamDecl::real("priority_anchoring", 0.05))
      .range(0, 1)
      .units("week-1")
      .describe(
          "weekly pull of each resident's priorities back towards their own initial priorities (Friedkin & "
          "Johnsen 1990 anchoring: priorities rooted in one's situation)");
  add(ParamDecl::real("facilitation_base", 0.2))
      .range(0, 1)
      .describe("facilitation quality q of forums without an animator");
  add(ParamDecl::real("forum_trust_gain", 0.1))
      .range(0, mechanisms::kMaxTrustGain)
      .describe(
          "log-odds gain of an attendee's trust in associations per forum, times facilitation quality q (a "
          "well-run meeting builds trust in its organisers)");
  add(ParamDecl::real("conflict_dispersion_min", 0.2))
      .at_least(0)
      .describe("D_min: attendee priority dispersion above which a forum has conflict");
  add(ParamDecl::real("conflict_trust_min", 0.35))
      .range(0, 1)
      .describe("T*: mean attendee trust ((Ti + Ta)/2) at or above which conflict is productive");
  add(ParamDecl::real("conflict_efficacy_gain", 0.1))
      .range(0, mechanisms::kMaxTrustGain)
      .describe("log-odds gain of attendees' E after a productive conflict");
  add(ParamDecl::real("conflict_efficacy_loss", 0.1))
      .range(0, 2)
      .describe("log-odds loss of attendees' E after a destructive conflict");
  add(ParamDecl::real("conflict_dropout", 0.1))
      .range(0, 1)
      .describe("probability that an attendee steps down one rung after a destructive conflict");
  add(ParamDecl::real("tie_formation", 0.1))
      .range(0, 1)
      .describe(
          "probability that a deliberation pair not yet tied forms a tie (bridging when across blocks)");
  add(ParamDecl::integer("formed_tie_weeks", 26))
      .range(1, 250)
      .units("week")
      .describe("weeks a tie formed by co-participation lasts without being renewed (unused ties fade)");
  add(ParamDecl::real("diagnosis_initial", 0.2))
      .range(0, 1)
      .describe("initial quality Q of the territory's shared diagnosis");
  add(ParamDecl::real("diagnosis_gain", 0.02)).range(0, 1).describe("gain of Q per forum, times (1 - Q)");
  add(ParamDecl::real("diagnosis_conflict_bonus", 1.0))
      .at_least(0)
      .describe("extra relative gain of Q at a forum with productive conflict (better diagnoses)");
  add(ParamDecl::real("diagnosis_without_process", 0.3))
      .range(0, 1)
      .describe("share of the Q gain obtained when no shared_diagnosis process is running");
  add(ParamDecl::real("diagnosis_decay", 0.01))
      .range(0, 1)
      .units("week-1")
      .describe("weekly relaxation of Q towards diagnosis_initial (diagnoses get outdated)");
  add(ParamDecl::real("institution_learning", 0.1))
      .range(0, 1)
      .describe(
          "rate at which institutions' priorities move towards the forum's, times Q and mean posture (during "
          "a shared diagnosis, and at governance meetings)");
  // ---- theme choice and projects
  add(ParamDecl::integer("topdown_period_weeks", 13))
      .range(1, 520)
      .units("week")
      .describe("period of top-down project decisions without shared governance");
  add(ParamDecl::real("topdown_launch_probability", 0.75))
      .range(0, 1)
      .describe("probability that a top-down decision launches a project");
  add(ParamDecl::boolean("governance_checks_progress", true))
      .describe(
          "a governance body launches a new project only when every project under way is on schedule "
          "(progress / effort >= elapsed / duration); institutions deciding alone do not check");
  add(ParamDecl::integer("max_projects", 3))
      .range(1, 8)
      .units("project")
      .describe("maximum number of projects active at once");
  add(ParamDecl::real("project_effort", 25.0))
      .above(0)
      .units("FTE week")
      .describe("R: effort needed for a project to succeed");
  add(ParamDecl::real("project_effort_cv", 0.5))
      .at_least(0)
      .describe(
          "coefficient of variation of a project's required effort (Gamma distributed around "
          "project_effort): some projects are harder than others");
  add(ParamDecl::integer("project_weeks", 26))
      .range(1, 520)
      .units("week")
      .describe("deadline of a project after launch")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("abandon_share", 0.5))
      .range(0, 1)
      .describe(
          "a project is abandoned (fails at once) when, at this week's pace, it would reach less than this "
          "share of its required effort by its deadline (checked after 4 weeks; 0 = never abandon)");
  add(ParamDecl::integer("priority_top_n", 2))
      .range(1, kThemes)
      .describe(
          "a project is on residents' priority when its theme is among the top n of the residents' mean "
          "priorities");
  add(ParamDecl::real_list("resident_effort", {0.002, 0.008, 0.025}))
      .at_least(0)
      .units("FTE")
      .describe(
          "effort a resident at level 2, 3, 4 puts into the project of their most important theme (0.008 FTE "
          "~ 17 min/week, 0.025 FTE ~ 53 min/week out of a 35-hour FTE)");
  add(ParamDecl::real("project_interest_min", 1.0 / 6.0))
      .range(0, 1)
      .describe(
          "a participant works on a project only if their priority for its theme is at least this (1/6 = the "
          "uniform weight)");
  add(ParamDecl::real("ownership_effect", 1.0))
      .at_least(0)
      .describe(
          "residents' effort on a project is multiplied by 1 + ownership_effect x resident voice in its "
          "choice (co-decided projects are appropriated)");
  add(ParamDecl::real("contribution_trust", 4.0))
      .at_least(0)
      .describe("b_w: weight of mean trust in partners in an organisation's contribution");
  add(ParamDecl::real("contribution_trust_reference", 0.4))
      .range(0, 1)
      .describe("w0: trust at which the trust term is neutral");
  add(ParamDecl::real("contribution_posture", 2.0)).at_least(0).describe("b_p: weight of posture");
  add(ParamDecl::real("contribution_mobilisation", 2.0))
      .at_least(0)
      .describe("b_m: weight of the share of mobilised residents whose top theme is the project's");
  add(ParamDecl::real("contribution_intercept", -1.0)).describe("b_0");
  add(ParamDecl::real("free_rider_share", 0.5))
      .range(0, 1)
      .describe(
          "a partner whose contribution, as a share of the capacity it had available, is below this share of "
          "the partners' mean is a free-rider")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("diagnosis_effect", 0.5))
      .at_least(0)
      .describe("kappa_Q: project progress multiplier 1 + kappa_Q (Q - Q0)");
  add(ParamDecl::real("facilitation_effect", 0.5))
      .at_least(0)
      .describe("kappa_q: project progress multiplier 1 + kappa_q q");
  // ---- trust and posture
  add(ParamDecl::real("org_trust_gain", 0.15))
      .range(0, mechanisms::kMaxTrustGain)
      .describe("g: log-odds gain of W per joint success");
  add(ParamDecl::real("org_trust_relaxation", 0.01))
      .range(0, 1)
      .units("week-1")
      .describe(
          "weekly relaxation of W towards its initial value (staff turnover, fading memory of joint work)");
  add(ParamDecl::real("negativity", 3.0))
      .range(2, 10)
      .describe("lambda: a failure weighs lambda times a success (trust asymmetry)")
      .cite("Slovic (1993) asymmetry principle; the factor is an assumption (MODEL.md suggests ~3)");
  add(ParamDecl::real("resident_trust_gain", 0.1))
      .range(0, mechanisms::kMaxTrustGain)
      .describe(
          "log-odds gain of E, Ta and Ti of a resident whose project succeeds (loss lambda times larger on "
          "failure)");
  add(ParamDecl::real("tie_spillover", 0.3))
      .range(0, 1)
      .describe("weight of second-hand evidence: residents tied to a project's participants");
  add(ParamDecl::real("proposal_rate", 0.05))
      .range(0, 1)
      .units("week-1")
      .describe("weekly probability that an active or core resident makes a proposal to an institution");
  add(ParamDecl::real("institution_trust_gain", 0.1))
      .range(0, mechanisms::kMaxTrustGain)
      .describe("log-odds gain of Ti when a proposal is acted upon (loss lambda times larger when ignored)");
  add(ParamDecl::real("degroot_weight", 0.02))
      .range(0, 1)
      .units("week-1")
      .describe("omega: weekly move of Ti and Ta towards the mean of one's ties (DeGroot 1974)");
  add(ParamDecl::real("trust_relaxation", 0.005))
      .range(0, 1)
      .units("week-1")
      .describe("weekly relaxation of Ti, Ta, E towards each resident's baseline");
  add(ParamDecl::real("posture_gain", 0.03))
      .range(0, 1)
      .describe("posture gain per successful project, times resident voice and (1 - pi)");
  add(ParamDecl::real("posture_loss", 0.005))
      .range(0, 1)
      .describe("posture loss per failed project, times pi");
  add(ParamDecl::real("posture_relaxation", 0.002))
      .range(0, 1)
      .units("week-1")
      .describe(
          "weekly relaxation of posture towards its initial value (staff turnover, institutional inertia)");
  add(ParamDecl::real("legitimacy_gain", 0.1))
      .range(0, mechanisms::kMaxTrustGain)
      .describe("log-odds gain of an association's legitimacy per joint success");
  // ---- outcomes and costs
  add(ParamDecl::real_list("outcome_initial", {0.3, 0.3, 0.3, 0.3, 0.3, 0.3}))
      .range(0, 1)
      .describe("initial living-conditions index O per theme");
  add(ParamDecl::real("outcome_gain", 0.005))
      .range(0, 1)
      .describe("gamma: O_k += gamma (1 - O_k) per successful project on theme k");
  add(ParamDecl::real("outcome_relaxation", 0.02))
      .range(0, 1)
      .units("week-1")
      .describe("rho: weekly relaxation of O towards its initial level");
  add(ParamDecl::real_list("unit_cost_eur", {15242, 5, 8500, 0, 0, 0}))
      .at_least(0)
      .units("EUR resident-1 year-1")
      .describe(
          "cost avoided per resident-year per unit of O, by theme; 0 = not found (avoided costs are then a "
          "lower bound)")
      .cite(
          "employment: long-term unemployment 15,242 EUR per person-year (ATD Quart Monde 2013); housing: "
          "vandalism repairs 12 EUR per dwelling-year (USH 2013) / ~2.4 residents per dwelling (assumption); "
          "youth: school dropout 340,000 EUR over a working life (BCG/Apprentis d'Auteuil 2025) / 40 years; "
          "safety, health, social ties: not found (stylized_facts.md section 4)");
  add(ParamDecl::real("integration_rate", 0.1))
      .range(0, 1)
      .units("week-1")
      .describe(
          "weekly probability that a resident with fewer neighbourhood ties (block + weak) than at the start "
          "forms one more (newcomers integrate, ties lost to moves are replaced); the partner must not be "
          "above its own initial count");
  add(ParamDecl::real("triadic_closure", 0.9))
      .range(0, 1)
      .describe(
          "probability that an integration tie inside the block is made with a friend of a friend (triadic "
          "closure; Jackson & Rogers 2007), else with a random block-mate");
  add(ParamDecl::integer("new_block_ties", 3))
      .range(0, 16)
      .units("tie")
      .describe("block ties a newcomer or relocated resident forms on arrival");
  add(ParamDecl::integer("clustering_sample", 300))
      .range(10, 1000000)
      .units("resident")
      .describe(
          "fixed sample of residents (every n/k-th) over which network_clustering is computed each week");
  // ---- diffusion across sites (phase 9)
  add(ParamDecl::real("diffusion_share", 0.0))
      .range(0, 1)
      .describe(
          "chi: share of the gap to the more successful sites of the same network that a site's facilitation "
          "quality and institutional posture gain close at each exchange (phase 9); 0 = sites independent "
          "(off)")
      .cite("MODEL.md (off by default); value an assumption");
  add(ParamDecl::integer("diffusion_period_weeks", 13))
      .range(1, 520)
      .units("week")
      .describe(
          "M: the sites of a network exchange what worked every this many weeks (after weeks M, 2M, ...)")
      .cite("assumption (a quarterly meeting of the network's sites)");
  return v;
}

std::vector<ParamDecl> site_fields() {
  std::vector<ParamDecl> v;
  auto add = [&](ParamDecl d) -> ParamDecl& { return v.emplace_back(std::move(d)); };
  add(ParamDecl::real("population", 3900))
      .range(100, 2e7)
      .units("resident")
      .describe("residents of the QPV (all ages)")
      .cite("Insee Premiere 2008 (2024): mean 3,900 residents per QPV")
      .csv_aliases({"pop_mun", "popmuniqpv", "pop_muni", "population_municipale", "pop", "p_pop", "pop_tot"});
  add(ParamDecl::real("poverty_rate", 0.42))
      .range(0, 1)
      .describe("share of residents under the 60 % poverty line (low-income flag)")
      .cite("Insee Premiere 1593: poverty rate 42 % in QPV")
      .csv_aliases({"tp60%", "tx_pauv60%", "taux_pauvrete_60%", "tx_pauvrete%", "poverty_rate_pct%"});
  add(ParamDecl::real("under25_share", 0.39))
      .range(0, 1)
      .describe("share of residents aged under 25")
      .cite("Insee Premiere 2008 (2024): 39 % of QPV residents under 25")
      .csv_aliases({"part_moins25%", "part_moins_25%", "part_0_24%", "partpop0_24%", "part_pop_moins25%",
                    "under25_share_pct%"});
  add(ParamDecl::real("under15_share", 0.24))
      .range(0, 0.9)
      .describe("share of residents aged under 15 (not simulated; youth 15-24 = under25 - under15)")
      .csv_aliases({"partpop0_14%", "part_0_14%", "part_moins15%", "part_moins_15%"});
  add(ParamDecl::real("senior_share", 0.12))
      .range(0, 1)
      .describe("share of residents aged 65+")
      .csv_aliases({"part_65p%", "partpop65p%", "part_65_plus%", "part_plus65%"});
  add(ParamDecl::real("unemployment_rate", 0.264))
      .range(0, 1)
      .describe("unemployment rate (tilts priorities towards employment, lowers employment)")
      .cite("ONPV: 26.4 % in QPV in 2015")
      .csv_aliases({"tx_chom%", "tx_chom_15_64%", "tx_tot_chom%", "taux_chomage%", "tx_chomage%",
                    "unemployment_rate_pct%"});
  add(ParamDecl::real("foreign_share", 0.23))
      .range(0, 1)
      .describe("share of foreign nationals (the language barrier is twice as frequent among them)")
      .cite("Insee Premiere 2008 (2024): 23 % foreign nationals in QPV")
      .csv_aliases({"tx_tot_et%", "part_etrangers%", "part_etranger%", "partpopet%", "tx_etrangers%",
                    "foreign_share_pct%"});
  add(ParamDecl::real("barrier_share", 0.25))
      .range(0, 1)
      .describe("share of residents with a language or digital barrier")
      .cite("MODEL.md (assumption)");
  add(ParamDecl::real("associations_per_1000", 1.5))
      .range(0, 100)
      .units("association (1000 resident)-1")
      .describe("associations per 1,000 residents (at least 3)")
      .cite(
          "not found; order of magnitude: Acse funded ~6,500 associations/yr for 1,514 QPV (prisme-asso, "
          "stylized_facts.md section 3); value an assumption");
  const auto& names = association_type_names();
  const std::array<double, kAssocTypes> mix{1.0, 0.5, 1.5, 2.0, 1.0, 1.0};
  for (int t = 0; t < kAssocTypes; ++t) {
    add(ParamDecl::real(fmt::format("mix_{}", names[t]), mix[t]))
        .at_least(0)
        .describe(fmt::format(
            "relative weight of '{}' in the association mix (the network's lead type always gets one)",
            names[t]));
  }
  return v;
}

std::vector<sim::InterventionDecl> interventions() {
  std::vector<std::string> hosts{"network"};
  for (const auto* n : association_type_names()) hosts.emplace_back(n);
  std::vector<std::string> themes{"none"};
  for (const auto* t : theme_labels()) themes.emplace_back(t);
  std::vector<std::string> presets{"network"};
  for (const auto* n : network_names()) presets.emplace_back(n);
  presets.emplace_back("none");
  auto preset = [&](const char* what) {
    return ParamDecl::string("preset", "network", presets)
        .describe(
            fmt::format("network method whose values the {} parameters marked 'preset' take when the "
                        "scenario does not set them: 'network' = the site's network (FCSF, CNLRQ or BBZ; "
                        "none for a site without one), 'none' = the declared fallbacks (docs/networks.md)",
                        what));
  };
  std::vector<sim::InterventionDecl> v;
  v.push_back(
      {"animator",
       "a locally recruited animator attached to a host association: outreach contacts, forum facilitation, "
       "ramp-up, turnover, salary; the site network's method sets the defaults (preset)",
       {preset("animator"),
        ParamDecl::real("contacts_per_week", 40)
            .at_least(0)
            .units("contact week-1")
            .describe("outreach contacts per week once settled in")
            .defaulted_by_model(),
        ParamDecl::real("facilitation_quality", 0.6)
            .range(0, 1)
            .describe("q: facilitation quality of the forums the animator runs")
            .defaulted_by_model(),
        ParamDecl::integer("forum_period_weeks", 2)
            .range(1, 52)
            .units("week")
            .describe("the animator runs a forum every this many weeks")
            .defaulted_by_model(),
        ParamDecl::string("theme_emphasis", "none", themes)
            .describe("theme the animator's outreach emphasises")
            .defaulted_by_model(),
        ParamDecl::real("emphasis_strength", 1.0)
            .at_least(0)
            .describe(
                "outreach weight multiplier 1 + strength for residents whose top theme is the emphasised one")
            .defaulted_by_model(),
        ParamDecl::string("host", "network", hosts)
            .describe("host association type; 'network' = the site network's lead type (FCSF social centre, "
                      "CNLRQ regie, BBZ resident group)")
            .defaulted_by_model(),
        ParamDecl::real("turnover_per_year", 0.2)
            .range(0, 10)
            .units("year-1")
            .describe("yearly hazard that the animator leaves")
            .defaulted_by_model(),
        ParamDecl::integer("vacancy_weeks", 12)
            .range(0, 520)
            .units("week")
            .describe("weeks to recruit a successor")
            .defaulted_by_model(),
        ParamDecl::integer("ramp_up_weeks", 26)
            .range(0, 520)
            .units("week")
            .describe("weeks before the animator's contacts reach full level (local anchoring)")
            .cite("assumption; tables de quartier 'se lancent veritablement' only in their second year "
                  "(stylized_facts.md section 5)")
            .defaulted_by_model(),
        ParamDecl::real("salary_cost_eur", 45000)
            .at_least(0)
            .units("EUR year-1")
            .describe("employer cost per year while in post")
            .cite("MODEL.md (assumption); adulte-relais state aid is 20,071 EUR/yr, ~80 % of the gross SMIC "
                  "(stylized_facts.md section 4)")}});
  v.push_back(
      {"shared_governance",
       "a governance body where residents and organisations choose the themes together; the site network's "
       "method sets the defaults (preset)",
       {preset("governance"),
        ParamDecl::integer("period_weeks", 4)
            .range(1, 52)
            .units("week")
            .describe("meeting period (each meeting is a forum and a theme decision)")
            .defaulted_by_model(),
        ParamDecl::real("resident_voice", 0.5)
            .range(0, 1)
            .describe("v: residents' share of voice in theme choice")
            .cite("cadre de reference 2014: habitants college >= 50 % of a conseil citoyen (Senat r16-662)")
            .defaulted_by_model(),
        ParamDecl::integer("min_residents", 8)
            .range(1, 1000)
            .units("resident")
            .describe("residents attending for voice to be fully effective (effective voice = v min(1, "
                      "attendees / min))")
            .cite("~15,000 members for 1,157 conseils citoyens, ~65 % residents (stylized_facts.md section "
                  "1): ~8 residents per body")
            .defaulted_by_model(),
        ParamDecl::real("cost_eur_per_year", 5000)
            .at_least(0)
            .units("EUR year-1")
            .describe("running cost of the body")}});
  v.push_back({"shared_diagnosis",
               "a collective diagnosis (constats communs): frequent workshops whose deliberation improves "
               "the diagnosis and informs institutions",
               {ParamDecl::integer("period_weeks", 2).range(1, 52).units("week").describe("workshop period"),
                ParamDecl::integer("duration_weeks", 26)
                    .range(1, 520)
                    .units("week")
                    .describe("length of the process (ends earlier with end_week)"),
                ParamDecl::real("cost_eur", 10000)
                    .at_least(0)
                    .units("EUR")
                    .describe("total cost, spread over the process")}});
  v.push_back(
      {"institution_training",
       "training of institutional staff in cooperative practice: a one-off posture boost at start_week",
       {ParamDecl::real("posture_boost", 0.1).range(0, 1).describe("pi += boost (1 - pi)"),
        ParamDecl::real("cost_eur", 15000).at_least(0).units("EUR").describe("one-off cost")}});
  v.push_back({"funding",
               "extra funding of associations: capacity multiplied by 1 + capacity_increase while active",
               {ParamDecl::real("capacity_increase", 0.3).at_least(0).describe("relative capacity increase"),
                ParamDecl::real("cost_eur_per_year", 30000)
                    .at_least(0)
                    .units("EUR year-1")
                    .describe("cost while active")}});
  v.push_back({"lockdown",
               "COVID-19 lockdown: no physical activity or forum; digital participation for residents "
               "without a barrier, at reduced effect",
               {ParamDecl::real("activity", 0.35)
                    .range(0, 1)
                    .describe("share of organisations' capacity and outreach kept")
                    .cite("ANCT flash study (May 2020): more than 2/3 of QPV associations cut activity by at "
                          "least 60 % (stylized_facts.md section 5)"),
                ParamDecl::real("digital_effect", 0.3)
                    .range(0, 1)
                    .describe("effect of digital participation relative to physical (up-moves, habit, "
                              "attendance) for residents without a barrier")}});
  v.push_back({"funding_cut",
               "cut of association funding: capacity multiplied by 1 - capacity_cut while active",
               {ParamDecl::real("capacity_cut", 0.3).range(0, 1).describe("relative capacity cut")}});
  v.push_back({"animator_departure",
               "the animator leaves at start_week; a successor arrives at end_week (if any) while an "
               "animator intervention is active",
               {}});
  v.push_back(
      {"urban_renewal",
       "urban renewal: residents relocated (block ties cut, new ones in the new block, memberships lost), "
       "spread over the active weeks (52 if no end_week)",
       {ParamDecl::real("relocated_share", 0.1)
            .range(0, 1)
            .describe("share of residents relocated over the operation"),
        ParamDecl::real("membership_loss", 0.5)
            .range(0, 1)
            .describe("probability that a relocated member loses their association membership"),
        ParamDecl::real("housing_outcome_gain", 0.0)
            .range(0, 1)
            .describe("total gain of the housing outcome index over the operation (renovated dwellings)")}});
  return v;
}

std::vector<sim::IndicatorDecl> indicators() {
  return {
      {"participation_share", "1", "share of residents participating",
       "Share of simulated residents aged 15+ at ladder level >= 2 (occasional, active or core)", ""},
      {"active_share", "1", "share of active residents", "Share of residents at level >= 3 (active or core)",
       ""},
      {"core_share", "1", "share of core participants", "Share of residents at level 4 (core)", ""},
      {"informed_share", "1", "share of informed residents",
       "Share of residents at level >= 1 (informed or more)", ""},
      {"ever_participated_share", "1", "share who ever participated",
       "Share of residents who reached level >= 2 at least once since week 0 (newcomers start at 0)", ""},
      {"youth_representation_ratio", "1", "youth representation ratio",
       "Share of 15-24 year-olds among participants (level >= 2) divided by their share among residents; 1 = "
       "parity; 0 when nobody participates, 1 when the site has no youth",
       ""},
      {"low_income_representation_ratio", "1", "low-income representation ratio",
       "Share of low-income residents among participants divided by their share among residents; 0 when "
       "nobody participates, 1 when nobody is low-income",
       ""},
      {"trust_institutions", "1", "mean trust in institutions",
       "Mean over residents of trust in institutions Ti in [0, 1]", ""},
      {"trust_associations", "1", "mean trust in associations",
       "Mean over residents of trust in associations Ta in [0, 1]", ""},
      {"collective_efficacy", "1", "mean perceived collective efficacy",
       "Mean over residents of perceived collective efficacy E in [0, 1] (Sampson)", ""},
      {"org_trust_mean", "1", "mean inter-organisation trust",
       "Mean of the off-diagonal entries of the inter-organisation trust matrix W", ""},
      {"org_trust_sd", "1", "spread of inter-organisation trust",
       "Standard deviation of the off-diagonal entries of W (0 with fewer than 2 organisations)", ""},
      {"network_clustering", "1", "clustering of the resident network",
       "Mean local clustering coefficient over a fixed sample of residents (every n/k-th, k = "
       "clustering_sample), computed every week on the end-of-week ties",
       ""},
      {"bridging_tie_share", "1", "share of bridging ties",
       "Share of residents' ties that link two different blocks (0 without ties)", ""},
      {"informal_ties", "1", "informal ties per resident",
       "Mean number of social ties per resident (block, weak and co-participation ties): the relations no "
       "organisation chart shows",
       ""},
      {"formed_ties", "1", "co-participation ties per resident",
       "Mean number of ties per resident created by meeting at a forum (they fade when not renewed)", ""},
      {"largest_participant_component", "1", "largest participant component",
       "Share of participants (level >= 2) in the largest connected component of the network restricted to "
       "participants (0 without participants)",
       ""},
      {"forums_held", "1", "forums held (cumulative)",
       "Number of forums (public meetings, animator forums, governance meetings, diagnosis workshops) held "
       "since week 0; at most one per week",
       ""},
      {"forum_attendance", "1", "attendees at this week's forum",
       "Number of residents (rescaled to the full population) attending this week's forum; 0 without a forum",
       ""},
      {"resident_voice_share", "1", "residents' share of voice in decisions",
       "Effective residents' share of voice in the current theme-choice process: v min(1, residents at the "
       "last governance meeting / min_residents) with shared governance, 0 when institutions decide alone",
       ""},
      {"projects_launched", "1", "projects launched (cumulative)",
       "Collective projects launched since week 0", ""},
      {"projects_active", "1", "projects active", "Collective projects under way at the end of the week", ""},
      {"projects_succeeded", "1", "projects succeeded (cumulative)",
       "Projects that reached their required effort before their deadline, since week 0", ""},
      {"projects_failed", "1", "projects failed (cumulative)",
       "Projects that reached their deadline without enough effort, since week 0", ""},
      {"projects_on_resident_priority_share", "1", "share of projects on residents' priorities",
       "Share of projects launched since week 0 whose theme was among the residents' top priority_top_n "
       "themes at launch; 0 when none was launched",
       ""},
      {"priority_dispersion", "1", "priority dispersion among participants",
       "Mean Euclidean distance of participants' priority vectors to their centroid (0 with fewer than 2 "
       "participants)",
       ""},
      {"conflict_productive", "1", "forums with productive conflict (cumulative)",
       "Forums since week 0 whose attendee dispersion exceeded D_min while mean attendee trust was at least "
       "T*",
       ""},
      {"conflict_destructive", "1", "forums with destructive conflict (cumulative)",
       "Forums since week 0 whose attendee dispersion exceeded D_min while mean attendee trust was below T*",
       ""},
      {"diagnosis_quality", "1", "quality of the shared diagnosis",
       "Quality Q in [0, 1] of the territory's shared diagnosis", ""},
      {"institution_posture", "1", "mean institutional posture",
       "Mean posture pi of institutions (0 top-down, 1 cooperative)", ""},
      {"responsiveness", "1", "institutional responsiveness",
       "Share of resident proposals acted upon, exponentially weighted over ~10 weeks; the expected share "
       "mean_k r_k while fewer than one proposal is in the window",
       ""},
      {"association_legitimacy", "1", "mean legitimacy of associations",
       "Mean legitimacy L of the site's associations", ""},
      {"animator_present", "1", "animator in post", "1 when an animator is in post this week, else 0", ""},
      {"facilitation_quality", "1", "facilitation quality of forums",
       "Facilitation quality q of the site's forums this week: the animator's when one is in post, else "
       "facilitation_base, plus what the site learned from more successful sites of its network (diffusion, "
       "phase 9), in [0, 1]",
       ""},
      {"outcome_index", "1", "living-conditions index",
       "Living-conditions index O per theme in [0, 1], raised by successful projects and relaxing to its "
       "initial level",
       "theme"},
      {"avoided_costs_eur", "EUR", "avoided costs (cumulative)",
       "Cumulative sum over weeks of sum_k (O_k - O_k at week 0) x site population x unit_cost_eur_k / 52; "
       "compare with baseline (paired) for the effect of an intervention",
       ""},
      {"intervention_cost_eur", "EUR", "intervention cost (cumulative)",
       "Cumulative cost of interventions since week 0 (animator salary in post, governance, diagnosis, "
       "training, funding)",
       ""},
  };
}

// Sites are priority neighbourhoods (QPV): how the output labels them and how
// official per-QPV statistics (Insee key figures) are matched to them.
sim::SiteSchema site_schema() {
  sim::SiteSchema s;
  s.code_long_name = "official QPV code";
  s.network_long_name = "national network";
  s.population_field = "population";
  s.provenance_long_name =
      "source or confidence of each site value (qpv-official, neighbourhood, assumption, ...)";
  s.code_columns = {"qpv_code", "code_qpv", "code_qp", "code", "codgeo"};
  s.code_system = "QPV";
  s.override_provenance = "qpv-official";
  return s;
}

}  // namespace

sim::ModelDescription territorial() {
  sim::ModelDescription d;
  d.name = "territorial";
  d.summary =
      "Territorial cooperation in a priority neighbourhood (QPV): participation ladder, trust, deliberation, "
      "joint projects, interventions of the ATC experiment";
  d.citation =
      "atcsim territorial model (docs/ODD.md); mechanisms from Granovetter (1978), Watts (2002), Deffuant et "
      "al. (2000), Sampson et al. (1997), Slovic (1993), DeGroot (1974)";
  d.default_step_days = 7;
  d.default_steps = 156;
  d.params = model_params();
  d.site_fields = site_fields();
  d.interventions = interventions();
  d.indicators = indicators();
  d.dimensions = {{"theme", {theme_labels().begin(), theme_labels().end()}, "theme of living conditions"}};
  d.check = [](const sim::ParamSet& p) {
    std::vector<sim::ParamProblem> problems;
    auto length = [&](const char* name, std::size_t n) {
      if (p.real_list(name).size() != n) {
        problems.push_back(
            {name, fmt::format("expected a list of {} numbers, got {}", n, p.real_list(name).size())});
      }
    };
    length("membership_age_weights", kAgeGroups);
    length("availability_mean", 4);
    length("resident_priorities", kThemes);
    length("initial_level_shares", 4);
    length("association_capacity", kAssocTypes);
    length("institution_capacity", kInstTypes);
    length("org_trust_initial", 4);
    length("institution_priorities", kThemes);
    length("attendance", 3);
    length("ladder_up_rate", 4);
    length("resident_effort", 3);
    length("outcome_initial", kThemes);
    length("unit_cost_eur", kThemes);
    if (p.integer("block_ties") % 2 != 0)
      problems.push_back({"block_ties", "expected an even number (ring lattice)"});
    if (p.real("responsiveness_max") < p.real("responsiveness_min")) {
      problems.push_back({"responsiveness_max", "expected at least responsiveness_min"});
    }
    if (problems.empty()) {
      double sum = 0;
      for (double x : p.real_list("initial_level_shares")) sum += x;
      if (sum > 1.0) problems.push_back({"initial_level_shares", "expected shares summing to at most 1"});
      double prio = 0, inst = 0;
      for (double x : p.real_list("resident_priorities")) prio += x;
      for (double x : p.real_list("institution_priorities")) inst += x;
      if (prio <= 0) problems.push_back({"resident_priorities", "expected at least one positive weight"});
      if (inst <= 0) problems.push_back({"institution_priorities", "expected at least one positive weight"});
    }
    return problems;
  };
  d.create = [](const sim::ModelInit& init) { return make_model(init); };
  // Phase 9: sites of the same network exchange what worked (off unless
  // diffusion_share > 0; then the engine runs a run's sites in lockstep).
  d.coupled = [](const sim::ParamSet& p) { return p.real("diffusion_share") > 0.0; };
  d.couple = [](std::int64_t step, std::span<sim::Model* const> sites, const sim::ParamSet& p) {
    const std::int64_t period = p.integer("diffusion_period_weeks");
    if ((step + 1) % period != 0) return;
    std::vector<TerritorialModel*> models;
    models.reserve(sites.size());
    for (auto* m : sites) models.push_back(static_cast<TerritorialModel*>(m));
    diffuse(models, p.real("diffusion_share"));
  };
  d.site_schema = site_schema();
  return d;
}

}  // namespace atc::models::territorial
