#pragma once
// The territorial model's parameters, site fields and interventions: each
// declared once here (default, range, unit, source, description) as a member
// that is also its typed value, bound when a site is built (never read from a
// ParamSet in the step loop). description.cpp lists them for the engine.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/mechanisms/public_goods.hpp"
#include "models/territorial/submodels.hpp"
#include "sim/config/declared.hpp"
#include "sim/model/model.hpp"

namespace atc::models::territorial {

inline constexpr int kAssocTypes = 6;
inline constexpr int kInstTypes = 7;
inline constexpr int kAgeGroups = 3;  // 15-24, 25-64, 65+

using ThemeVector = std::array<double, kThemes>;

// The model's parameters, each declared once with its member (name, type,
// default, range, unit, description, source): sim::declarations<Params>() is
// the model's parameter list and sim::bind<Params>() reads a validated set.
struct Params {
  // Defined in params.cpp: the constructor builds every declaration, and
  // compiled inline in each file that binds or declares the parameters it
  // cost tens of seconds of compile time per file (CI is CPU-bound).
  Params();

  // ---- population and structure
  sim::Param<double> population_scale{
      sim::ParamDecl::real("population_scale", 1.0)
          .above(0)
          .at_most(1)
          .describe("fraction of the site's residents aged 15+ simulated as agents; organisational "
                    "capacities stay at full scale and per-resident flows are rescaled")};
  sim::Param<int> burn_in_weeks{
      sim::ParamDecl::integer("burn_in_weeks", 156)
          .range(0, 1040)
          .units("week")
          .describe("weeks simulated before week 0 without interventions (spin-up to the baseline regime); "
                    "cumulative indicators restart at 0 after it")};
  sim::Param<double> activity_rate{sim::ParamDecl::real("activity_rate", 0.6)
                                       .range(0, 1)
                                       .describe("share of residents aged 15-64 in the labour force; P(not "
                                                 "employed) = 1 - activity_rate (1 - unemployment_rate)")};
  sim::Param<int> block_size{
      sim::ParamDecl::integer("block_size", 150)
          .range(10, 5000)
          .units("resident")
          .describe("residents per block (building / street) whose ties are mostly internal; at "
                    "population_scale s a block holds block_size x s agents (at least block_ties + 1)")};
  sim::Param<int> block_ties{sim::ParamDecl::integer("block_ties", 6)
                                 .range(2, 16)
                                 .units("tie")
                                 .describe("strong ties per resident inside the block (Watts-Strogatz ring "
                                           "lattice of degree block_ties, even)")};
  sim::Param<double> block_rewiring{
      sim::ParamDecl::real("block_rewiring", 0.1)
          .range(0, 1)
          .describe("Watts-Strogatz rewiring probability of the block lattice")};
  sim::Param<double> weak_ties{
      sim::ParamDecl::real("weak_ties", 2.0)
          .range(0, 8)
          .units("tie")
          .describe("mean number of weak ties per resident to other blocks (small world)")};
  sim::Param<double> membership_share{sim::ParamDecl::real("membership_share", 0.218)
                                          .range(0, 1)
                                          .describe("share of residents member of an association")
                                          .cite("ONPV annual report 2015: 21.8 % of ZUS residents involved "
                                                "in an association (stylized_facts.md section 1)")};
  sim::Param<std::array<double, kAgeGroups>> membership_age_weights{
      sim::ParamDecl::real_list("membership_age_weights", {0.7, 1.0, 1.4})
          .at_least(0)
          .describe(
              "relative membership propensity of ages 15-24, 25-64, 65+ (renormalised to membership_share)")
          .cite("direction from Insee Premiere 1327 (membership rises with age, peaks at 60-75); values are "
                "an assumption")};
  sim::Param<std::array<double, 4>> availability_mean{
      sim::ParamDecl::real_list("availability_mean", {0.40, 0.25, 0.45, 0.50})
          .range(0.01, 0.99)
          .describe("mean time availability a (Beta) of youth 15-24, employed 25-64, not employed 25-64, "
                    "seniors 65+")};
  sim::Param<double> availability_concentration{sim::ParamDecl::real("availability_concentration", 4.0)
                                                    .above(0)
                                                    .describe("Beta concentration of time availability")};
  sim::Param<double> low_income_availability_shift{
      sim::ParamDecl::real("low_income_availability_shift", -0.05)
          .range(-0.5, 0.5)
          .describe("shift of mean availability for low-income residents")};
  sim::Param<double> threshold_mean{
      sim::ParamDecl::real("threshold_mean", 0.41)
          .range(0.01, 0.99)
          .describe("mean participation threshold theta (Beta; Granovetter 1978)")
          .cite("assumption (MODEL.md suggests 0.35; 0.41 puts the baseline at ~4 % participation, within "
                "the plausibility envelope of docs/data/envelope.toml, with the other defaults; to be "
                "calibrated, docs/calibration.md)")};
  sim::Param<double> threshold_concentration{
      sim::ParamDecl::real("threshold_concentration", 10.0).above(0).describe("Beta concentration of theta")};
  sim::Param<double> youth_threshold_shift{
      sim::ParamDecl::real("youth_threshold_shift", 0.05)
          .range(-0.5, 0.5)
          .describe("shift of mean theta for ages 15-24")
          .cite("direction from the age gradient of turnout (Insee Premiere 1929: 28 % of under-30s vs 59 % "
                "of 65+ voted) and the qualitative finding that youth are 'tres peu representee' in conseils "
                "citoyens; value an assumption")};
  sim::Param<double> low_income_threshold_shift{
      sim::ParamDecl::real("low_income_threshold_shift", 0.03)
          .range(-0.5, 0.5)
          .describe("shift of mean theta for low-income residents")};
  sim::Param<double> trust_institutions_initial{sim::ParamDecl::real("trust_institutions_initial", 0.30)
                                                    .range(0.01, 0.99)
                                                    .describe("mean initial trust in institutions Ti (Beta)")
                                                    .cite("MODEL.md (assumption)")};
  sim::Param<double> trust_associations_initial{sim::ParamDecl::real("trust_associations_initial", 0.50)
                                                    .range(0.01, 0.99)
                                                    .describe("mean initial trust in associations Ta (Beta)")
                                                    .cite("MODEL.md (assumption)")};
  sim::Param<double> efficacy_initial{
      sim::ParamDecl::real("efficacy_initial", 0.30)
          .range(0.01, 0.99)
          .describe("mean initial perceived collective efficacy E (Beta; Sampson et al. 1997)")
          .cite("MODEL.md (assumption)")};
  sim::Param<double> trust_concentration{sim::ParamDecl::real("trust_concentration", 5.0)
                                             .above(0)
                                             .describe("Beta concentration of initial Ti, Ta, E")};
  sim::Param<std::array<double, kThemes>> resident_priorities{
      sim::ParamDecl::real_list("resident_priorities", {0.20, 0.22, 0.14, 0.22, 0.10, 0.12})
          .at_least(0)
          .describe("mean resident priority over the 6 themes (employment, housing, youth, safety, health, "
                    "social ties) before the site tilt; renormalised")
          .cite("ranking from the Quartiers 2030 consultation (2023): safety and housing first (batiweb, "
                "stylized_facts.md section 1); weights an assumption")};
  sim::Param<double> priority_concentration{
      sim::ParamDecl::real("priority_concentration", 6.0)
          .above(0)
          .describe("Dirichlet concentration of individual priorities (sum of alphas)")};
  sim::Param<std::array<double, 4>> initial_level_shares{
      sim::ParamDecl::real_list("initial_level_shares", {0.12, 0.013, 0.008, 0.004})
          .range(0, 1)
          .describe("initial shares at levels 1 (informed), 2, 3, 4 (core), given to the residents with the "
                    "highest propensity; the burn-in then relaxes them")
          .cite("core share of the order of conseils citoyens: ~15,000 members for 1,514 QPV (CNDP 2019, "
                "stylized_facts.md section 1)")};
  sim::Param<double> residential_turnover{
      sim::ParamDecl::real("residential_turnover", 0.039)
          .range(0, 0.5)
          .units("year-1")
          .describe("yearly probability that a resident moves out (replaced by a newcomer with fresh state "
                    "and no ties but 'new_block_ties')")
          .cite("Insee Premiere 1996 (2024): 3 in 10 QPV residents of 2011 had left by 2020 -> 1 - 0.7^(1/9) "
                "= 3.9 %/yr")};
  sim::Param<double> digital_barrier_share{
      sim::ParamDecl::real("digital_barrier_share", 0.17)
          .range(0, 1)
          .describe("share of residents with a digital barrier (no use of the Internet or no basic digital "
                    "skills): cannot take part when only digital participation is possible")
          .cite(
              "order of magnitude of the national 'illectronisme' rate, 17 % in 2019 (Insee Premiere 1780); "
              "the QPV rate is not known (assumption)")};
  sim::Param<double> language_barrier_among_foreign{
      sim::ParamDecl::real("language_barrier_among_foreign", 0.3)
          .range(0, 1)
          .describe("share of foreign nationals with a language barrier; with the digital barrier it makes "
                    "the barrier flag (P = d + (1 - d) l for foreign nationals, d for others), so the site's "
                    "foreign_share sets how many residents outreach reaches less")
          .cite("assumption")};
  sim::Param<double> national_unemployment_rate{
      sim::ParamDecl::real("national_unemployment_rate", 0.264)
          .range(0.01, 1)
          .describe("QPV unemployment rate of reference: a site's mean priority for employment is "
                    "resident_priorities[employment] x unemployment_rate / this (no tilt at the reference)")
          .cite("ONPV: 26.4 % in QPV in 2015 (docs/data/README.md)")};
  sim::Param<double> national_poverty_rate{
      sim::ParamDecl::real("national_poverty_rate", 0.42)
          .range(0.01, 1)
          .describe("QPV poverty rate of reference: one coordinate of the site profile by which sites judge "
                    "how comparable another site's evidence is (poverty_rate / this - 1; phase 9)")
          .cite("Insee Premiere 1593 (2016): 42 % of QPV residents below the poverty line")};
  sim::Param<double> national_under25_share{
      sim::ParamDecl::real("national_under25_share", 0.39)
          .range(0.01, 1)
          .describe("QPV share of under-25s of reference: the priority for youth & education is tilted by "
                    "under25_share / this")
          .cite("Insee Premiere 2008 (2024): 39 % of QPV residents under 25")};
  sim::Param<double> initial_level_noise{
      sim::ParamDecl::real("initial_level_noise", 0.05)
          .at_least(0)
          .describe("sd of the normal noise added to the propensity score that ranks residents for the "
                    "initial ladder levels")
          .cite("assumption")};
  sim::Param<int> max_ties{sim::ParamDecl::integer("max_ties", 24)
                               .range(4, 24)
                               .units("tie")
                               .describe("most ties a resident keeps (block, weak and co-participation ties)")
                               .cite("assumption (bound on active ties; storage holds 24)")};
  sim::Param<int> tie_room{
      sim::ParamDecl::integer("tie_room", 8)
          .range(0, 20)
          .units("tie")
          .describe("tie slots kept free at initialisation for ties formed later (initial ties <= max_ties - "
                    "tie_room)")
          .cite("assumption")};
  sim::Param<double> membership_capacity_floor{
      sim::ParamDecl::real("membership_capacity_floor", 0.1)
          .at_least(0)
          .units("FTE")
          .describe("a member chooses an association type with weight (number of associations) x (capacity + "
                    "this floor) x (1 + membership_focus_weight x focus on the member's top theme)")
          .cite("assumption")};
  sim::Param<double> membership_focus_weight{
      sim::ParamDecl::real("membership_focus_weight", 1.0)
          .at_least(0)
          .describe("weight of the association type's focus on the member's top theme in that choice")
          .cite("assumption")};
  sim::Param<double> posture_concentration{
      sim::ParamDecl::real("posture_concentration", 40.0)
          .above(0)
          .describe("Beta concentration of institutions' initial posture around posture_initial")
          .cite("assumption")};
  // ---- organisations
  sim::Param<std::array<double, kAssocTypes>> association_capacity{
      sim::ParamDecl::real_list("association_capacity", {0.6, 0.5, 0.15, 0.15, 0.1, 0.1})
          .at_least(0)
          .units("FTE")
          .describe(
              "staff+volunteer time devoted to participation and joint projects by association type (social "
              "centre, regie de quartier, resident group, sports/culture, parents, faith/community), at the "
              "site's density of associations; when min_associations raises their number, each gets a "
              "proportionally smaller share, so total capacity stays per capita")
          .cite(
              "assumption; scale: a centre social has ~33 staff and ~30 volunteers (Banque des territoires), "
              "a table de quartier needs ~1 day/week of one person (FCSF), stylized_facts.md section 3")};
  sim::Param<int> min_associations{
      sim::ParamDecl::integer("min_associations", 3)
          .range(1, 100)
          .units("association")
          .describe("fewest associations a site has (the network's lead type and at least two others)")
          .cite("assumption")};
  sim::Param<std::array<double, kInstTypes>> institution_capacity{
      sim::ParamDecl::real_list("institution_capacity", {0.077, 0.026, 0.077, 0.038, 0.038, 0.026, 0.026})
          .at_least(0)
          .units("FTE (1000 resident)-1")
          .describe(
              "time devoted to joint projects in the site per 1,000 residents, by institution type "
              "(municipality, prefect's delegate, social landlord, schools, employment service, police, "
              "health/family benefits): institutions serve every resident, so their capacity is per capita")
          .cite("assumption (0.3, 0.1, 0.3, 0.15, 0.15, 0.1, 0.1 FTE for a mean QPV of 3,900 residents)")};
  sim::Param<double> contacts_per_fte{
      sim::ParamDecl::real("contacts_per_fte", 20.0)
          .at_least(0)
          .units("contact week-1 FTE-1")
          .describe("outreach contacts per week per FTE of association capacity")};
  sim::Param<double> member_contact_weight{
      sim::ParamDecl::real("member_contact_weight", 2.0)
          .at_least(1)
          .describe("outreach weight w_ij of members of j and of their ties (others 1)")
          .cite("MODEL.md (assumption)")};
  sim::Param<double> contact_legitimacy_weight{
      sim::ParamDecl::real("contact_legitimacy_weight", 0.5)
          .range(0, 1)
          .describe("an association's effective contacts are scaled by (1 - w) + w L: weight w of its "
                    "legitimacy L (0: legitimacy has no effect on outreach)")
          .cite("assumption")};
  sim::Param<double> contact_trust_weight{
      sim::ParamDecl::real("contact_trust_weight", 0.5)
          .range(0, 1)
          .describe("a contact reaches a resident with probability scaled by (1 - w) + w Ta: weight w of the "
                    "resident's trust in associations (0: trust has no effect on outreach)")
          .cite("MODEL.md (0.5 + 0.5 Ta; assumption)")};
  sim::Param<double> barrier_contact_penalty{
      sim::ParamDecl::real("barrier_contact_penalty", 0.5)
          .range(0, 1)
          .describe("reduction of the contact probability for residents with a language/digital barrier")
          .cite("MODEL.md (assumption)")};
  sim::Param<double> legitimacy_initial{
      sim::ParamDecl::real("legitimacy_initial", 0.5)
          .range(0.01, 0.99)
          .describe("initial legitimacy L of associations (see contact_legitimacy_weight)")};
  sim::Param<double> association_posture{
      sim::ParamDecl::real("association_posture", 0.6)
          .range(0, 1)
          .describe("cooperative disposition of associations in joint projects (fixed)")};
  sim::Param<double> posture_initial{
      sim::ParamDecl::real("posture_initial", 0.25)
          .range(0, 1)
          .describe("initial institutional posture pi (0 top-down, 1 cooperative)")
          .cite("MODEL.md (assumption)")};
  sim::Param<double> responsiveness_min{
      sim::ParamDecl::real("responsiveness_min", 0.1)
          .range(0, 1)
          .describe("r0: probability that a top-down institution (pi = 0) acts on a resident proposal")};
  sim::Param<double> responsiveness_max{
      sim::ParamDecl::real("responsiveness_max", 0.6)
          .range(0, 1)
          .describe(
              "r_max: same for a fully cooperative institution (pi = 1); r_k = r0 + (r_max - r0) pi_k")};
  sim::Param<int> responsiveness_window_weeks{
      sim::ParamDecl::integer("responsiveness_window_weeks", 10)
          .range(1, 520)
          .units("week")
          .describe("the responsiveness indicator weighs past proposals by (1 - 1/window)^age")
          .cite("assumption")};
  sim::Param<std::array<double, 4>> org_trust_initial{
      sim::ParamDecl::real_list("org_trust_initial", {0.45, 0.30, 0.40, 0.45})
          .range(0.01, 0.99)
          .describe("mean initial trust W: association->association, association->institution, "
                    "institution->association, institution->institution")};
  sim::Param<double> org_trust_concentration{sim::ParamDecl::real("org_trust_concentration", 10.0)
                                                 .above(0)
                                                 .describe("Beta concentration of initial W")};
  sim::Param<std::array<double, kThemes>> institution_priorities{
      sim::ParamDecl::real_list("institution_priorities", {0.30, 0.15, 0.25, 0.10, 0.10, 0.10})
          .at_least(0)
          .describe("institutions' initial theme priorities P_inst (renormalised): national programmes "
                    "weight employment and education")};
  sim::Param<double> partner_focus_min{
      sim::ParamDecl::real("partner_focus_min", 0.5)
          .range(0, 1)
          .describe(
              "an organisation is a partner of a project when its focus on the theme is at least this")};
  sim::Param<ThemeVector> focus_social_centre{
      sim::ParamDecl::real_list("focus_social_centre", {0.5, 0.3, 0.8, 0.2, 0.6, 1.0})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the association type "
              "'social_centre': families, youth, access to rights, social ties")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_regie_de_quartier{
      sim::ParamDecl::real_list("focus_regie_de_quartier", {0.9, 1.0, 0.3, 0.4, 0.2, 0.5})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the association type "
              "'regie_de_quartier': living environment, insertion jobs")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_resident_group{
      sim::ParamDecl::real_list("focus_resident_group", {0.2, 0.9, 0.3, 0.8, 0.2, 0.7})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the association type "
              "'resident_group': housing, tranquillity, neighbourly life")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_sports_culture{
      sim::ParamDecl::real_list("focus_sports_culture", {0.2, 0.1, 0.9, 0.2, 0.3, 0.8})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the association type "
              "'sports_culture': youth, culture, social ties")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_parents{
      sim::ParamDecl::real_list("focus_parents", {0.1, 0.2, 1.0, 0.4, 0.2, 0.3})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the association type "
              "'parents': school and youth")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_faith_community{
      sim::ParamDecl::real_list("focus_faith_community", {0.2, 0.2, 0.4, 0.1, 0.6, 0.9})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the association type "
              "'faith_community': mutual aid, access to rights, community ties")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_municipality{
      sim::ParamDecl::real_list("focus_municipality", {0.5, 0.8, 0.6, 0.6, 0.4, 0.7})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the institution type "
              "'municipality': general competence")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_prefect_delegate{
      sim::ParamDecl::real_list("focus_prefect_delegate", {0.6, 0.5, 0.5, 0.6, 0.3, 0.3})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the institution type "
              "'prefect_delegate': the urban policy programmes of the State")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_social_landlord{
      sim::ParamDecl::real_list("focus_social_landlord", {0.1, 1.0, 0.1, 0.5, 0.1, 0.3})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the institution type "
              "'social_landlord': housing and tranquillity of the estate")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_schools{
      sim::ParamDecl::real_list("focus_schools", {0.2, 0.0, 1.0, 0.2, 0.2, 0.2})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the institution type "
              "'schools': education")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_employment_service{
      sim::ParamDecl::real_list("focus_employment_service", {1.0, 0.0, 0.4, 0.0, 0.2, 0.0})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the institution type "
              "'employment_service': employment and training")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_police{
      sim::ParamDecl::real_list("focus_police", {0.0, 0.2, 0.2, 1.0, 0.0, 0.1})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the institution type "
              "'police': safety")
          .cite("assumption read from the type's mission")};
  sim::Param<ThemeVector> focus_health_family_benefits{
      sim::ParamDecl::real_list("focus_health_family_benefits", {0.2, 0.3, 0.3, 0.0, 1.0, 0.3})
          .range(0, 1)
          .describe(
              "theme focus (employment, housing, youth, safety, health, social ties) of the institution type "
              "'health_family_benefits': health and access to rights")
          .cite("assumption read from the type's mission")};
  // ---- participation
  sim::Param<double> utility_social{
      sim::ParamDecl::real("utility_social", 0.3)
          .at_least(0)
          .describe("w_s: weight of the share of ties participating (Granovetter 1978; Watts 2002)")};
  sim::Param<double> utility_efficacy{sim::ParamDecl::real("utility_efficacy", 0.3)
                                          .at_least(0)
                                          .describe("w_e: weight of collective efficacy E")};
  sim::Param<double> utility_trust{sim::ParamDecl::real("utility_trust", 0.2)
                                       .at_least(0)
                                       .describe("w_t: weight of trust in associations Ta")};
  sim::Param<double> utility_invited{sim::ParamDecl::real("utility_invited", 0.25)
                                         .at_least(0)
                                         .describe("w_inv: utility of having been invited this week")};
  sim::Param<double> utility_habit{sim::ParamDecl::real("utility_habit", 0.15)
                                       .at_least(0)
                                       .describe("w_h: utility of already participating (level >= 2)")};
  sim::Param<double> utility_cost{sim::ParamDecl::real("utility_cost", 0.3)
                                      .at_least(0)
                                      .describe("w_c: weight of the time cost (1 - a)(1 + F)")};
  sim::Param<double> decision_noise{
      sim::ParamDecl::real("decision_noise", 0.1)
          .at_least(0)
          .describe("tau: logistic noise of ladder moves (0 = deterministic threshold rule)")};
  sim::Param<std::array<double, 4>> ladder_up_rate{
      sim::ParamDecl::real_list("ladder_up_rate", {0.1, 0.1, 0.05, 0.02})
          .range(0, 1)
          .units("week-1")
          .describe("weekly probability of moving up one rung when u >> theta, from levels 0, 1, 2, 3 "
                    "(higher rungs are climbed more slowly)")};
  sim::Param<double> ladder_down_rate{
      sim::ParamDecl::real("ladder_down_rate", 0.08)
          .range(0, 1)
          .units("week-1")
          .describe("weekly probability of moving down one rung when u << theta - m")};
  sim::Param<double> ladder_down_margin{
      sim::ParamDecl::real("ladder_down_margin", 0.05)
          .range(0, 1)
          .describe("m: hysteresis margin below theta before stepping down")};
  sim::Param<int> core_weeks{
      sim::ParamDecl::integer("core_weeks", 8)
          .range(0, 520)
          .units("week")
          .describe("consecutive weeks at level 3 (active) before core (4) is reachable")
          .cite("MODEL.md (assumption)")};
  sim::Param<double> fatigue_gain{
      sim::ParamDecl::real("fatigue_gain", 0.03)
          .range(0, 1)
          .units("week-1")
          .describe("fatigue increase per week at level 3-4 (times fatigue_occasional_share at level 2)")};
  sim::Param<double> fatigue_rest{sim::ParamDecl::real("fatigue_rest", 0.1)
                                      .range(0, 1)
                                      .units("week-1")
                                      .describe("share of fatigue recovered per week at level 0-1")};
  sim::Param<double> fatigue_relief{
      sim::ParamDecl::real("fatigue_relief", 0.5)
          .range(0, 1)
          .describe("share of fatigue removed when a project one took part in succeeds (visible results)")};
  sim::Param<double> fatigue_occasional_share{
      sim::ParamDecl::real("fatigue_occasional_share", 0.5)
          .range(0, 1)
          .describe("fatigue gained per week at level 2 (occasional), relative to levels 3-4")
          .cite("assumption")};
  // ---- deliberation
  sim::Param<int> forum_period_weeks{sim::ParamDecl::integer("forum_period_weeks", 8)
                                         .range(1, 520)
                                         .units("week")
                                         .describe("period of the public meetings held without intervention "
                                                   "(associations, conseil citoyen); physical only")};
  sim::Param<std::array<double, 3>> attendance{
      sim::ParamDecl::real_list("attendance", {0.25, 0.75, 1.0})
          .range(0, 1)
          .describe("probability of attending a held forum at levels 2, 3, 4")
          .cite("MODEL.md (assumption)")};
  sim::Param<int> forum_session_capacity{
      sim::ParamDecl::integer("forum_session_capacity", 100)
          .at_least(2)
          .units("person")
          .describe("most people one session of a forum holds: a forum whose attendees (at full scale) "
                    "exceed it is held as several sessions of equal size, each deliberating on its own "
                    "(a session keeps at least 2 agents: at a population_scale below 2 / capacity, fewer "
                    "and larger sessions)")
          .cite("assumption: about the largest ordinary neighbourhood meeting in the envelope's sources "
                "(Paris 14e's most active council, 82 residents and 20 members; docs/data/envelope.md)")};
  sim::Param<double> confidence_base{
      sim::ParamDecl::real("confidence_base", 0.2)
          .at_least(0)
          .describe("d0: confidence bound of the Deffuant update without trust or facilitation (distances in "
                    "the 6-theme simplex, max sqrt 2)")};
  sim::Param<double> confidence_trust{
      sim::ParamDecl::real("confidence_trust", 0.3)
          .at_least(0)
          .describe("d_trust: widening of the bound per unit of mean attendee trust in associations")};
  sim::Param<double> confidence_facilitation{
      sim::ParamDecl::real("confidence_facilitation", 0.3)
          .at_least(0)
          .describe("d_fac: widening of the bound per unit of facilitation quality q")};
  sim::Param<double> convergence_rate{
      sim::ParamDecl::real("convergence_rate", 0.1)
          .range(0, 0.5)
          .describe("mu: Deffuant convergence parameter (Deffuant et al. 2000)")};
  sim::Param<double> priority_anchoring{
      sim::ParamDecl::real("priority_anchoring", 0.05)
          .range(0, 1)
          .units("week-1")
          .describe("weekly pull of each resident's priorities back towards their own initial priorities "
                    "(Friedkin & Johnsen 1990 anchoring: priorities rooted in one's situation)")};
  sim::Param<double> facilitation_base{sim::ParamDecl::real("facilitation_base", 0.2)
                                           .range(0, 1)
                                           .describe("facilitation quality q of forums without an animator")};
  sim::Param<double> forum_trust_gain{
      sim::ParamDecl::real("forum_trust_gain", 0.1)
          .range(0, mechanisms::kMaxTrustGain)
          .describe("log-odds gain of an attendee's trust in associations per forum, times facilitation "
                    "quality q (a well-run meeting builds trust in its organisers)")};
  sim::Param<double> conflict_dispersion_midpoint{
      sim::ParamDecl::real("conflict_dispersion_midpoint", 0.48)
          .at_least(0)
          .describe(
              "D0: attendees' priority dispersion (mean pairwise distance, unbiased at any forum size) at "
              "which a forum's conflict intensity c = s((D - D0) / sD) is one half")
          .cite("assumption")};
  sim::Param<double> conflict_dispersion_scale{
      sim::ParamDecl::real("conflict_dispersion_scale", 0.05)
          .above(0)
          .describe("sD: how sharply conflict intensity rises with dispersion")
          .cite("assumption")};
  sim::Param<double> conflict_institution_trust_weight{
      sim::ParamDecl::real("conflict_institution_trust_weight", 0.5)
          .range(0, 1)
          .describe(
              "weight w of trust in institutions in the trust an attendee brings to a forum's conflict, "
              "w Ti + (1 - w) Ta; T is its mean over attendees (0: trust in associations alone)")
          .cite("assumption (the two count equally)")};
  sim::Param<double> conflict_trust_midpoint{
      sim::ParamDecl::real("conflict_trust_midpoint", 0.35)
          .range(0, 1)
          .describe("T*: attendees' mean trust T (conflict_institution_trust_weight), plus "
                    "conflict_facilitation x q, at which half of a forum's conflict is productive: "
                    "productive share p = s((T - T*) / sT)")
          .cite("assumption")};
  sim::Param<double> conflict_trust_scale{
      sim::ParamDecl::real("conflict_trust_scale", 0.05)
          .above(0)
          .describe("sT: how sharply the productive share of conflict rises with trust")
          .cite("assumption")};
  sim::Param<double> conflict_facilitation{
      sim::ParamDecl::real("conflict_facilitation", 0.1)
          .at_least(0)
          .describe("hypothesis: good facilitation q turns disagreement into productive conflict, as if "
                    "attendees' trust were higher by this x q (0 switches it off)")
          .cite("assumption")};
  sim::Param<double> conflict_efficacy_gain{
      sim::ParamDecl::real("conflict_efficacy_gain", 0.1)
          .range(0, mechanisms::kMaxTrustGain)
          .describe("log-odds gain of attendees' E after a productive conflict")};
  sim::Param<double> conflict_efficacy_loss{
      sim::ParamDecl::real("conflict_efficacy_loss", 0.1)
          .range(0, 2)
          .describe("log-odds loss of attendees' E after a destructive conflict")};
  sim::Param<double> conflict_dropout{
      sim::ParamDecl::real("conflict_dropout", 0.1)
          .range(0, 1)
          .describe("probability that an attendee steps down one rung after a destructive conflict")};
  sim::Param<double> tie_formation{
      sim::ParamDecl::real("tie_formation", 0.1)
          .range(0, 1)
          .describe(
              "probability that a deliberation pair not yet tied forms a tie (bridging when across blocks)")};
  sim::Param<int> formed_tie_weeks{
      sim::ParamDecl::integer("formed_tie_weeks", 26)
          .range(1, 250)
          .units("week")
          .describe("weeks a tie formed by co-participation lasts without being renewed (unused ties fade)")};
  sim::Param<double> diagnosis_initial{
      sim::ParamDecl::real("diagnosis_initial", 0.2)
          .range(0, 1)
          .describe("initial quality Q of the territory's shared diagnosis")};
  sim::Param<double> diagnosis_gain{sim::ParamDecl::real("diagnosis_gain", 0.02)
                                        .range(0, 1)
                                        .describe("gain of Q per forum, times (1 - Q)")};
  sim::Param<double> diagnosis_conflict_bonus{
      sim::ParamDecl::real("diagnosis_conflict_bonus", 1.0)
          .at_least(0)
          .describe("extra relative gain of Q at a forum with productive conflict (better diagnoses)")};
  sim::Param<double> diagnosis_without_process{
      sim::ParamDecl::real("diagnosis_without_process", 0.3)
          .range(0, 1)
          .describe("share of the Q gain obtained when no shared_diagnosis process is running")};
  sim::Param<double> diagnosis_decay{
      sim::ParamDecl::real("diagnosis_decay", 0.01)
          .range(0, 1)
          .units("week-1")
          .describe("weekly relaxation of Q towards diagnosis_initial (diagnoses get outdated)")};
  sim::Param<double> institution_learning{
      sim::ParamDecl::real("institution_learning", 0.1)
          .range(0, 1)
          .describe("rate at which institutions' priorities move towards the forum's, times Q and mean "
                    "posture (during a shared diagnosis, and at governance meetings)")};
  // ---- theme choice and projects
  sim::Param<int> topdown_period_weeks{
      sim::ParamDecl::integer("topdown_period_weeks", 13)
          .range(1, 520)
          .units("week")
          .describe("period of top-down project decisions without shared governance")};
  sim::Param<double> topdown_launch_probability{
      sim::ParamDecl::real("topdown_launch_probability", 0.75)
          .range(0, 1)
          .describe("probability that a top-down decision launches a project")};
  sim::Param<bool> governance_checks_progress{
      sim::ParamDecl::boolean("governance_checks_progress", true)
          .describe(
              "a governance body launches a new project only when every project under way is on schedule "
              "(progress / effort >= elapsed / duration); institutions deciding alone do not check")};
  // At most one project per theme is active (phase 6 launches one on a theme
  // that has none), so more than kThemes could never be active.
  sim::Param<int> max_projects{sim::ParamDecl::integer("max_projects", 3)
                                   .range(1, kThemes)
                                   .units("project")
                                   .describe("maximum number of projects active at once (at most one per "
                                             "theme, so at most the number of themes)")};
  sim::Param<double> project_effort{
      sim::ParamDecl::real("project_effort", 6.4)
          .above(0)
          .units("FTE week (1000 resident)-1")
          .describe(
              "R: mean effort a project needs per 1,000 residents: a project in a larger site is larger "
              "(it concerns more people), so the chance of success does not depend on size")
          .cite("assumption (25 FTE-weeks for a mean QPV of 3,900 residents)")};
  sim::Param<double> project_effort_cv{
      sim::ParamDecl::real("project_effort_cv", 0.5)
          .at_least(0)
          .describe("coefficient of variation of a project's required effort (Gamma distributed around "
                    "project_effort): some projects are harder than others")};
  sim::Param<int> project_weeks{sim::ParamDecl::integer("project_weeks", 26)
                                    .range(1, 520)
                                    .units("week")
                                    .describe("deadline of a project after launch")
                                    .cite("MODEL.md (assumption)")};
  sim::Param<double> abandon_share{
      sim::ParamDecl::real("abandon_share", 0.5)
          .range(0, 1)
          .describe("a project is abandoned (fails at once) when, at this week's pace, it would reach less "
                    "than this share of its required effort by its deadline (checked after 4 weeks; 0 = "
                    "never abandon)")};
  sim::Param<int> abandon_after_weeks{
      sim::ParamDecl::integer("abandon_after_weeks", 4)
          .range(1, 520)
          .units("week")
          .describe("a project can be abandoned for lack of progress only after running this long")
          .cite("assumption")};
  sim::Param<int> priority_top_n{sim::ParamDecl::integer("priority_top_n", 2)
                                     .range(1, kThemes)
                                     .describe("a project is on residents' priority when its theme is among "
                                               "the top n of the residents' mean priorities")};
  sim::Param<std::array<double, 3>> resident_effort{
      sim::ParamDecl::real_list("resident_effort", {0.002, 0.008, 0.025})
          .at_least(0)
          .units("FTE")
          .describe("effort a resident at level 2, 3, 4 puts into the project of their most important theme "
                    "(0.008 FTE ~ 17 min/week, 0.025 FTE ~ 53 min/week out of a 35-hour FTE)")};
  sim::Param<double> project_interest_min{
      sim::ParamDecl::real("project_interest_min", 1.0 / 6.0)
          .range(0, 1)
          .describe("a participant works on a project only if their priority for its theme is at least this "
                    "(1/6 = the uniform weight)")};
  sim::Param<double> contribution_trust{
      sim::ParamDecl::real("contribution_trust", 4.0)
          .at_least(0)
          .describe("b_w: weight of mean trust in partners in an organisation's contribution")};
  sim::Param<double> contribution_trust_reference{
      sim::ParamDecl::real("contribution_trust_reference", 0.4)
          .range(0, 1)
          .describe("w0: trust at which the trust term is neutral")};
  sim::Param<double> contribution_posture{
      sim::ParamDecl::real("contribution_posture", 2.0).at_least(0).describe("b_p: weight of posture")};
  sim::Param<double> contribution_mobilisation{
      sim::ParamDecl::real("contribution_mobilisation", 2.0)
          .at_least(0)
          .describe("b_m: weight of the share of mobilised residents whose top theme is the project's")};
  sim::Param<double> contribution_intercept{
      sim::ParamDecl::real("contribution_intercept", -1.0).describe("b_0")};
  sim::Param<double> free_rider_share{
      sim::ParamDecl::real("free_rider_share", 0.5)
          .range(0, 1)
          .describe("a partner whose contribution, as a share of the capacity it had available, is below "
                    "this share of the partners' mean is a free-rider")
          .cite("MODEL.md (assumption)")};
  sim::Param<double> diagnosis_effect{
      sim::ParamDecl::real("diagnosis_effect", 1.0)
          .at_least(0)
          .describe(
              "hypothesis kappa_Q: a better shared diagnosis targets projects better: a successful "
              "project reaches people in proportion to max(0, 1 + kappa_Q (Q - Q0)) (0 switches it off)")
          .cite("assumption")};
  // ---- trust and posture
  sim::Param<double> org_trust_gain{sim::ParamDecl::real("org_trust_gain", 0.15)
                                        .range(0, mechanisms::kMaxTrustGain)
                                        .describe("g: log-odds gain of W per joint success")};
  sim::Param<double> org_trust_relaxation{sim::ParamDecl::real("org_trust_relaxation", 0.01)
                                              .range(0, 1)
                                              .units("week-1")
                                              .describe("weekly relaxation of W towards its initial value "
                                                        "(staff turnover, fading memory of joint work)")};
  sim::Param<double> negativity{
      sim::ParamDecl::real("negativity", 3.0)
          .range(1, 10)
          .describe(
              "hypothesis lambda: a failure weighs lambda times a success (trust asymmetry); 1 switches "
              "the asymmetry off (symmetric updating)")
          .cite("Slovic (1993) asymmetry principle; the factor is an assumption (MODEL.md suggests ~3)")};
  sim::Param<double> resident_trust_gain{
      sim::ParamDecl::real("resident_trust_gain", 0.1)
          .range(0, mechanisms::kMaxTrustGain)
          .describe("log-odds gain of E, Ta and Ti of a resident whose project succeeds (loss lambda times "
                    "larger on failure)")};
  sim::Param<double> tie_spillover{
      sim::ParamDecl::real("tie_spillover", 0.3)
          .range(0, 1)
          .describe("weight of second-hand evidence: residents tied to a project's participants")};
  sim::Param<double> proposal_rate{
      sim::ParamDecl::real("proposal_rate", 0.05)
          .range(0, 1)
          .units("week-1")
          .describe("weekly probability that an active or core resident makes a proposal to an institution")};
  sim::Param<double> institution_trust_gain{
      sim::ParamDecl::real("institution_trust_gain", 0.1)
          .range(0, mechanisms::kMaxTrustGain)
          .describe(
              "log-odds gain of Ti when a proposal is acted upon (loss lambda times larger when ignored)")};
  sim::Param<double> degroot_weight{
      sim::ParamDecl::real("degroot_weight", 0.02)
          .range(0, 1)
          .units("week-1")
          .describe("omega: weekly move of Ti and Ta towards the mean of one's ties (DeGroot 1974)")};
  sim::Param<double> trust_relaxation{
      sim::ParamDecl::real("trust_relaxation", 0.01)
          .range(0, 1)
          .units("week-1")
          .describe("weekly relaxation of Ti, Ta, E towards each resident's baseline")};
  sim::Param<double> posture_gain{
      sim::ParamDecl::real("posture_gain", 0.03)
          .range(0, 1)
          .describe(
              "posture rule, up: an institution that contributed to a joint project that succeeds moves "
              "its posture by g (1 - pi) towards cooperative (times 1 + learning_boost while trained), "
              "whoever chose the project")};
  sim::Param<double> posture_loss{
      sim::ParamDecl::real("posture_loss", 0.005)
          .range(0, 1)
          .describe("posture rule, down: an institution that contributed to a joint "
                    "project that fails moves its posture by -l pi")};
  sim::Param<double> posture_relaxation{sim::ParamDecl::real("posture_relaxation", 0.01)
                                            .range(0, 1)
                                            .units("week-1")
                                            .describe("weekly relaxation of posture towards its initial "
                                                      "value (staff turnover, institutional inertia)")};
  sim::Param<double> legitimacy_gain{
      sim::ParamDecl::real("legitimacy_gain", 0.1)
          .range(0, mechanisms::kMaxTrustGain)
          .describe("log-odds gain of an association's legitimacy per joint success")};
  sim::Param<double> legitimacy_relaxation{
      sim::ParamDecl::real("legitimacy_relaxation", 0.02)
          .range(0, 1)
          .units("week-1")
          .describe("weekly relaxation of associations' legitimacy towards its initial value (fading memory "
                    "of joint work; ~1-year time constant)")
          .cite("assumption")};
  // ---- outcomes and costs
  sim::Param<ThemeVector> target_group_share{
      sim::ParamDecl::real_list("target_group_share", {0.45, 0.10, 0.075, 0.26, 0.30, 0.10})
          .range(0, 1)
          .describe(
              "who a theme's projects are for, as a share of its base group: employment: the long-term "
              "unemployed among the unemployed aged 25-64; housing & living environment: residents 'not "
              "satisfied at all' with their living environment; youth & education: early school leavers "
              "among the 15-24; safety: residents who feel unsafe; health & access to rights: residents not "
              "taking up a right; social ties: isolated residents (base: all residents 15+ for the last "
              "four)")
          .cite("housing 10 % (ONPV 2017: 'pas satisfait du tout'); youth 7.5 % (7-8 % of 18-24 are early "
                "leavers, BCG/Apprentis d'Auteuil 2025, national); safety 26 % (ONPV 2018, QPV); employment, "
                "health, social ties: assumptions (stylized_facts.md sections 2, 4)")};
  sim::Param<ThemeVector> reach_share{
      sim::ParamDecl::real_list("reach_share", {0.05, 0.05, 0.05, 0.05, 0.05, 0.05})
          .range(0, 1)
          .describe("share of a theme's target group a successful project reaches (per capita of the group, "
                    "so it does not grow with site size)")
          .cite("assumption")};
  sim::Param<ThemeVector> transition_share{
      sim::ParamDecl::real_list("transition_share", {0.2, 0.3, 0.2, 0.3, 0.3, 0.3})
          .range(0, 1)
          .describe("share of the people a project reaches who move into the better state: into work or "
                    "training, satisfied with the living environment, kept in school or training, no longer "
                    "feeling unsafe, taking up their rights, no longer isolated")
          .cite("assumption")};
  sim::Param<ThemeVector> return_rate{
      sim::ParamDecl::real_list("return_rate", {0.5, 0.5, 0.3, 0.5, 0.3, 0.5})
          .at_least(0)
          .units("year-1")
          .describe("yearly hazard that a person in the better state returns to the target group")
          .cite("assumption")};
  sim::Param<ThemeVector> unit_cost_eur{
      sim::ParamDecl::real_list("unit_cost_eur", {15242, 5, 8500, 0, 0, 0})
          .at_least(0)
          .units("EUR person-1 year-1")
          .describe(
              "public cost avoided per person-year in the better state, by theme; 0 = not found (avoided "
              "costs are then a lower bound)")
          .cite(
              "employment: long-term unemployment 15,242 EUR per person-year (ATD Quart Monde 2013); "
              "housing: "
              "vandalism repairs 12 EUR per dwelling-year (USH 2013) / ~2.4 residents per dwelling "
              "(assumption); youth: school dropout 340,000 EUR over a working life (BCG/Apprentis d'Auteuil "
              "2025) / 40 years; safety, health, social ties: not found (stylized_facts.md section 4)")};
  sim::Param<double> integration_rate{
      sim::ParamDecl::real("integration_rate", 0.1)
          .range(0, 1)
          .units("week-1")
          .describe("weekly probability that a resident with fewer neighbourhood ties (block + weak) than at "
                    "the start forms one more (newcomers integrate, ties lost to moves are replaced); the "
                    "partner must not be above its own initial count")};
  sim::Param<double> triadic_closure{
      sim::ParamDecl::real("triadic_closure", 0.9)
          .range(0, 1)
          .describe("probability that an integration tie inside the block is made with a friend of a friend "
                    "(triadic closure; Jackson & Rogers 2007), else with a random block-mate")};
  sim::Param<int> integration_attempts_per_tie{
      sim::ParamDecl::integer("integration_attempts_per_tie", 4)
          .range(1, 100)
          .units("attempt tie-1")
          .describe("partners a resident draws for an integration tie before giving up until next week (a "
                    "draw fails on oneself, a resident already tied or above its initial count, one at "
                    "max_ties, or one on the wrong side of the block)")
          .cite("assumption")};
  sim::Param<int> new_block_ties{
      sim::ParamDecl::integer("new_block_ties", 3)
          .range(0, 16)
          .units("tie")
          .describe("block ties a newcomer or relocated resident forms on arrival")};
  sim::Param<int> arrival_attempts_per_tie{
      sim::ParamDecl::integer("arrival_attempts_per_tie", 4)
          .range(1, 100)
          .units("attempt tie-1")
          .describe("block-mates an arriving resident draws per tie of new_block_ties: it stops after "
                    "new_block_ties ties or this x new_block_ties draws (a draw fails on oneself, a "
                    "resident already tied, one at max_ties, or one outside the block)")
          .cite("assumption")};
  sim::Param<int> clustering_sample{sim::ParamDecl::integer("clustering_sample", 300)
                                        .range(10, 1000000)
                                        .units("resident")
                                        .describe("fixed sample of residents (every n/k-th) over which "
                                                  "network_clustering is computed each week")};
  // ---- diffusion across sites (phase 9)
  sim::Param<bool> diffusion{
      sim::ParamDecl::boolean("diffusion", false)
          .describe("phase 9: the sites of a national network meet and may adopt each other's practices "
                    "(off: sites are independent)")
          .cite("MODEL.md (off by default)")};
  sim::Param<int> diffusion_period_weeks{
      sim::ParamDecl::integer("diffusion_period_weeks", 13)
          .range(1, 520)
          .units("week")
          .describe("M: the sites of a network meet every this many weeks (after weeks M, 2M, ...); a site "
                    "takes part when its animator is in post")
          .cite("assumption (a quarterly meeting of the network's sites)")};
  sim::Param<std::array<double, kPractices>> practice_initial_share{
      sim::ParamDecl::real_list("practice_initial_share", {0.5, 0.5})
          .range(0, 1)
          .describe("probability that a site starts with each practice (structured facilitation, co-decision "
                    "governance): heterogeneous starting points, drawn per site")
          .cite("assumption")};
  sim::Param<std::array<double, kPractices>> practice_effect{
      sim::ParamDecl::real_list("practice_effect", {0.15, 0.15})
          .range(0, 1)
          .describe(
              "what a practice changes where it is in use: structured facilitation adds this to the "
              "facilitation quality q of the site's forums; co-decision adds it to the residents' voice "
              "v of its governance body (0: a useless practice)")
          .cite("assumption")};
  sim::Param<double> adoption_threshold{
      sim::ParamDecl::real("adoption_threshold", 1.0)
          .at_least(0)
          .describe("evidence a site needs to adopt (or, against it, to drop) a practice at a meeting: the "
                    "difference in "
                    "people in a better state per 1,000 residents between peers with and without it "
                    "(similarity-weighted), in standard errors; below it the site never moves")
          .cite("assumption")};
  sim::Param<double> adoption_scale{
      sim::ParamDecl::real("adoption_scale", 0.5)
          .above(0)
          .describe("past a threshold, a site switches with probability 1 - exp(-excess / scale), the excess "
                    "being how far the evidence is beyond it")
          .cite("assumption")};
  sim::Param<double> similarity_bandwidth{
      sim::ParamDecl::real("similarity_bandwidth", 0.5)
          .above(0)
          .describe("peers are weighted exp(-d^2 / 2h^2), d the distance between site profiles (log "
                    "population, and poverty rate, unemployment rate and under-25 share relative to their "
                    "national references)")
          .cite("MODEL.md (peers weighted by similarity); bandwidth an assumption")};
  sim::Param<int> adoption_min_peers{
      sim::ParamDecl::integer("adoption_min_peers", 3)
          .range(3, 10000)
          .units("site")
          .describe(
              "fewest attending peers (other sites of the network, with and without the practice) for "
              "a site to weigh the evidence for a practice: with fewer it sees none (below 3 the spread "
              "within groups cannot be estimated)")
          .cite("assumption")};
  sim::Param<int> adoption_lag_weeks{
      sim::ParamDecl::integer("adoption_lag_weeks", 13)
          .range(0, 520)
          .units("week")
          .describe("weeks between the decision to adopt (or drop) a practice and its use")
          .cite("assumption")};
  sim::Param<double> adoption_cost_eur{
      sim::ParamDecl::real("adoption_cost_eur", 3000)
          .at_least(0)
          .units("EUR")
          .describe("cost of adopting a practice (training days of the site's team), counted in the "
                    "intervention cost")
          .cite("assumption")};
};

// The declared defaults, built once. (Params' constructor builds every
// declaration: compiled inline where `Params{}` is written, it cost a unit
// test file 45 s of compile time.)
const Params& default_params();

// The submodels' coefficients (submodels.hpp), from the declared parameters:
// their only source, for the model and for unit tests (default_params()).
inline UtilityWeights utility_weights(const Params& p) {
  return {p.utility_social,  p.utility_efficacy, p.utility_trust,
          p.utility_invited, p.utility_habit,    p.utility_cost};
}
inline LadderRates ladder_rates(const Params& p) {
  return {p.ladder_up_rate, p.ladder_down_rate, p.decision_noise, p.ladder_down_margin, p.core_weeks};
}
inline FatigueRates fatigue_rates(const Params& p) {
  return {p.fatigue_gain, p.fatigue_rest, p.fatigue_relief, p.fatigue_occasional_share};
}
inline ConflictShape conflict_shape(const Params& p) {
  return {p.conflict_dispersion_midpoint, p.conflict_dispersion_scale, p.conflict_trust_midpoint,
          p.conflict_trust_scale};
}

// The site profile: declared site fields (values per site, with provenance)
// and the site's network.
struct SiteFields {
  sim::Param<double> population{sim::ParamDecl::real("population", 3900)
                                    .range(100, 2e7)
                                    .units("resident")
                                    .describe("residents of the QPV (all ages)")
                                    .cite("Insee Premiere 2008 (2024): mean 3,900 residents per QPV")
                                    .csv_aliases({"pop_mun", "popmuniqpv", "pop_muni",
                                                  "population_municipale", "pop", "p_pop", "pop_tot"})};
  sim::Param<double> poverty_rate{
      sim::ParamDecl::real("poverty_rate", 0.42)
          .range(0, 1)
          .describe("share of residents under the 60 % poverty line (low-income flag)")
          .cite("Insee Premiere 1593: poverty rate 42 % in QPV")
          .csv_aliases({"tp60%", "tx_pauv60%", "taux_pauvrete_60%", "tx_pauvrete%", "poverty_rate_pct%"})};
  sim::Param<double> under25_share{
      sim::ParamDecl::real("under25_share", 0.39)
          .range(0, 1)
          .describe("share of residents aged under 25")
          .cite("Insee Premiere 2008 (2024): 39 % of QPV residents under 25")
          .csv_aliases({"part_moins25%", "part_moins_25%", "part_0_24%", "partpop0_24%", "part_pop_moins25%",
                        "under25_share_pct%"})};
  sim::Param<double> under15_share{
      sim::ParamDecl::real("under15_share", 0.24)
          .range(0, 0.9)
          .describe("share of residents aged under 15 (not simulated; youth 15-24 = under25 - under15)")
          .csv_aliases({"partpop0_14%", "part_0_14%", "part_moins15%", "part_moins_15%"})};
  sim::Param<double> senior_share{
      sim::ParamDecl::real("senior_share", 0.12)
          .range(0, 1)
          .describe("share of residents aged 65+")
          .csv_aliases({"part_65p%", "partpop65p%", "part_65_plus%", "part_plus65%"})};
  sim::Param<double> unemployment_rate{
      sim::ParamDecl::real("unemployment_rate", 0.264)
          .range(0, 1)
          .describe("unemployment rate (tilts priorities towards employment, lowers employment)")
          .cite("ONPV: 26.4 % in QPV in 2015")
          .csv_aliases({"tx_chom%", "tx_chom_15_64%", "tx_tot_chom%", "taux_chomage%", "tx_chomage%",
                        "unemployment_rate_pct%"})};
  sim::Param<double> foreign_share{
      sim::ParamDecl::real("foreign_share", 0.23)
          .range(0, 1)
          .describe("share of foreign nationals (a share language_barrier_among_foreign of them has a "
                    "language barrier)")
          .cite("Insee Premiere 2008 (2024): 23 % foreign nationals in QPV")
          .csv_aliases({"tx_tot_et%", "part_etrangers%", "part_etranger%", "partpopet%", "tx_etrangers%",
                        "foreign_share_pct%"})};
  sim::Param<double> associations_per_1000{
      sim::ParamDecl::real("associations_per_1000", 1.5)
          .range(0, 100)
          .units("association (1000 resident)-1")
          .describe("associations per 1,000 residents (at least 3)")
          .cite("not found; order of magnitude: Acse funded ~6,500 associations/yr for 1,514 QPV "
                "(prisme-asso, stylized_facts.md section 3); value an assumption")};
  // association mix: relative weight of each type (the network's lead type always gets one)
  sim::Param<double> mix_social_centre{mix("social_centre", 1.0)};
  sim::Param<double> mix_regie_de_quartier{mix("regie_de_quartier", 0.5)};
  sim::Param<double> mix_resident_group{mix("resident_group", 1.5)};
  sim::Param<double> mix_sports_culture{mix("sports_culture", 2.0)};
  sim::Param<double> mix_parents{mix("parents", 1.0)};
  sim::Param<double> mix_faith_community{mix("faith_community", 1.0)};

  [[nodiscard]] std::array<double, kAssocTypes> association_mix() const {
    return {mix_social_centre,  mix_regie_de_quartier, mix_resident_group,
            mix_sports_culture, mix_parents,           mix_faith_community};
  }

 private:
  static sim::ParamDecl mix(const char* type, double weight);
};

struct SiteProfile : SiteFields {
  std::string network;
  static SiteProfile from(const sim::SiteSpec& site);
};

// ---- interventions: parameters of each kind, declared once -------------------

// The `preset` parameter of the kinds whose defaults come from the site
// network's method (docs/networks.md).
sim::ParamDecl preset_decl(const char* what);

struct AnimatorParams {
  sim::Param<std::string> preset{preset_decl("animator")};
  sim::Param<double> fte{
      sim::ParamDecl::real("fte", 1.0)
          .at_least(0)
          .units("FTE")
          .describe("animator posts (full-time equivalents): ATC funded one animator per site, whatever its "
                    "size, so the same post reaches a smaller share of a larger site")
          .cite("ATC: one locally recruited animator per site (docs/data/atc15_sites_sources.md)")};
  sim::Param<double> contacts_per_week{sim::ParamDecl::real("contacts_per_week", 40)
                                           .at_least(0)
                                           .units("contact week-1 FTE-1")
                                           .describe("outreach contacts per week per FTE once settled in")
                                           .defaulted_by_model()};
  sim::Param<double> facilitation_quality{
      sim::ParamDecl::real("facilitation_quality", 0.6)
          .range(0, 1)
          .describe("q: facilitation quality of the forums the animator runs")
          .defaulted_by_model()};
  sim::Param<int> forum_period_weeks{
      sim::ParamDecl::integer("forum_period_weeks", 2)
          .range(0, 52)
          .units("week")
          .describe("the animator runs a forum every this many weeks (0: none)")
          .defaulted_by_model()};
  sim::Param<std::string> theme_emphasis{theme_decl()};
  sim::Param<double> emphasis_strength{
      sim::ParamDecl::real("emphasis_strength", 1.0)
          .at_least(0)
          .describe(
              "outreach weight multiplier 1 + strength for residents whose top theme is the emphasised one")
          .defaulted_by_model()};
  sim::Param<std::string> host{host_decl()};
  sim::Param<double> turnover_per_year{sim::ParamDecl::real("turnover_per_year", 0.2)
                                           .range(0, 10)
                                           .units("year-1")
                                           .describe("yearly hazard that the animator leaves")
                                           .defaulted_by_model()};
  sim::Param<int> vacancy_weeks{sim::ParamDecl::integer("vacancy_weeks", 12)
                                    .range(0, 520)
                                    .units("week")
                                    .describe("weeks to recruit a successor")
                                    .defaulted_by_model()};
  sim::Param<int> ramp_up_weeks{
      sim::ParamDecl::integer("ramp_up_weeks", 26)
          .range(0, 520)
          .units("week")
          .describe("weeks before the animator's contacts reach full level (local anchoring)")
          .cite("assumption; tables de quartier 'se lancent veritablement' only in their second year "
                "(stylized_facts.md section 5)")
          .defaulted_by_model()};
  sim::Param<double> salary_cost_eur{
      sim::ParamDecl::real("salary_cost_eur", 45000)
          .at_least(0)
          .units("EUR year-1 FTE-1")
          .describe("loaded employer cost (salary and charges) per FTE-year while in post")
          .cite(
              "MODEL.md (45,000-60,000; assumption); adulte-relais state aid is 20,071 EUR/yr, ~80 % of the "
              "gross SMIC (stylized_facts.md section 4)")};
  sim::Param<double> coordination_cost_eur_per_year{
      sim::ParamDecl::real("coordination_cost_eur_per_year", 5000)
          .at_least(0)
          .units("EUR year-1")
          .describe("the national network's support of the site while the intervention runs (coordination, "
                    "exchanges between sites, resource centre)")
          .cite("assumption (not found: stylized_facts.md section 4)")};

 private:
  static sim::ParamDecl theme_decl();
  static sim::ParamDecl host_decl();
};

struct GovernanceParams {
  sim::Param<std::string> preset{preset_decl("governance")};
  sim::Param<int> period_weeks{
      sim::ParamDecl::integer("period_weeks", 4)
          .range(0, 52)
          .units("week")
          .describe("meeting period (each meeting is a forum and a theme decision); 0: the body never meets "
                    "and institutions keep deciding alone")
          .defaulted_by_model()};
  sim::Param<double> resident_voice{
      sim::ParamDecl::real("resident_voice", 0.5)
          .range(0, 1)
          .describe("v: residents' share of voice in theme choice")
          .cite("cadre de reference 2014: habitants college >= 50 % of a conseil citoyen (Senat r16-662)")
          .defaulted_by_model()};
  sim::Param<double> quorum_per_1000{
      sim::ParamDecl::real("quorum_per_1000", 2.0)
          .above(0)
          .units("resident (1000 resident)-1")
          .describe("residents attending a meeting, per 1,000 residents, for their voice to be fully "
                    "effective: effective voice = v min(1, attendees / quorum)")
          .cite("~15,000 members for 1,157 conseils citoyens, ~65 % residents (stylized_facts.md section 1): "
                "~8 residents for a mean QPV of 3,900")
          .defaulted_by_model()};
  sim::Param<double> cost_eur_per_year{sim::ParamDecl::real("cost_eur_per_year", 5000)
                                           .at_least(0)
                                           .units("EUR year-1")
                                           .describe("running cost of the body")};
};

struct DiagnosisParams {
  sim::Param<int> period_weeks{
      sim::ParamDecl::integer("period_weeks", 2).range(1, 52).units("week").describe("workshop period")};
  sim::Param<std::int64_t> duration_weeks{
      sim::ParamDecl::integer("duration_weeks", 26)
          .range(1, 520)
          .units("week")
          .describe("length of the process (ends earlier with end_week)")};
  sim::Param<double> cost_eur{sim::ParamDecl::real("cost_eur", 10000)
                                  .at_least(0)
                                  .units("EUR")
                                  .describe("total cost, spread over the process")};
};

struct TrainingParams {
  sim::Param<double> learning_boost{
      sim::ParamDecl::real("learning_boost", 1.0)
          .at_least(0)
          .describe(
              "trained institutions learn from cooperation faster: their posture gain per joint success "
              "is multiplied by 1 + boost (0: training has no effect)")
          .cite("assumption")};
  sim::Param<int> effect_weeks{sim::ParamDecl::integer("effect_weeks", 104)
                                   .range(1, 1040)
                                   .units("week")
                                   .describe("how long the training keeps its effect (staff turnover)")
                                   .cite("assumption")};
  sim::Param<double> cost_eur{
      sim::ParamDecl::real("cost_eur", 15000).at_least(0).units("EUR").describe("one-off cost")};
};

struct FundingParams {
  sim::Param<double> capacity_increase{
      sim::ParamDecl::real("capacity_increase", 0.3).at_least(0).describe("relative capacity increase")};
  sim::Param<double> cost_eur_per_year{sim::ParamDecl::real("cost_eur_per_year", 30000)
                                           .at_least(0)
                                           .units("EUR year-1")
                                           .describe("cost while active")};
};

struct LockdownParams {
  sim::Param<double> activity{sim::ParamDecl::real("activity", 0.35)
                                  .range(0, 1)
                                  .describe("share of organisations' capacity and outreach kept")
                                  .cite("ANCT flash study (May 2020): more than 2/3 of QPV associations cut "
                                        "activity by at least 60 % (stylized_facts.md section 5)")};
  sim::Param<double> digital_effect{
      sim::ParamDecl::real("digital_effect", 0.3)
          .range(0, 1)
          .describe("effect of digital participation relative to physical (up-moves, habit, attendance) for "
                    "residents without a barrier")};
};

struct FundingCutParams {
  sim::Param<double> capacity_cut{
      sim::ParamDecl::real("capacity_cut", 0.3).range(0, 1).describe("relative capacity cut")};
};

struct DepartureParams {};

struct RenewalParams {
  sim::Param<double> relocated_share{
      sim::ParamDecl::real("relocated_share", 0.1)
          .at_least(0)
          .below(1)
          .describe("share of residents relocated over the operation (below 1: a constant weekly hazard "
                    "relocates everyone only if it is 1, in the first week)")};
  sim::Param<double> membership_loss{
      sim::ParamDecl::real("membership_loss", 0.5)
          .range(0, 1)
          .describe("probability that a relocated member loses their association membership")};
  sim::Param<int> duration_weeks{
      sim::ParamDecl::integer("duration_weeks", 52)
          .range(1, 1040)
          .units("week")
          .describe("length of the operation when no end is given (relocations spread over it)")
          .cite("assumption")};
};

// ---- interventions, as scheduled for one site -------------------------------

struct Window {
  std::int64_t start = 0;
  std::int64_t end = INT64_MAX;  // exclusive
  [[nodiscard]] bool active(std::int64_t step) const { return step >= start && step < end; }
};

struct AnimatorSpec : AnimatorParams {
  Window when;
  ThemeVector emphasis{};  // outreach weight multiplier - 1 per theme (from theme_emphasis)
  int host_type = -1;      // association type, -1 = the network's lead type
};

struct GovernanceSpec : GovernanceParams {
  Window when;
};

struct DiagnosisSpec : DiagnosisParams {
  Window when;
};

struct TrainingSpec : TrainingParams {
  Window when;
};

struct FundingSpec {
  Window when;
  double capacity_change = 0;  // +x for funding, -x for a cut
  double cost_eur_per_year = 0;
};

struct LockdownSpec : LockdownParams {
  Window when;
};

struct RenewalSpec : RenewalParams {
  Window when;
};

struct Interventions {
  std::vector<AnimatorSpec> animators;
  std::vector<Window> departures;
  std::vector<GovernanceSpec> governance;
  std::vector<DiagnosisSpec> diagnosis;
  std::vector<TrainingSpec> training;
  std::vector<FundingSpec> funding;  // funding and funding_cut
  std::vector<LockdownSpec> lockdowns;
  std::vector<RenewalSpec> renewals;

  // `network` is the site's network: it selects the preset of interventions
  // whose `preset` is "network" (see apply_preset).
  static Interventions from(std::span<const sim::InterventionSpec> specs, const std::string& network);
};

// ---- the national networks' methods (docs/networks.md) ---------------------

// The networks of the experiment, each with a preset of intervention
// parameters: FCSF (social centres), CNLRQ (regies de quartier), BBZ (Bleu
// Blanc Zebre).
const std::array<const char*, 3>& network_names();
using PresetValues = std::vector<std::pair<std::string, sim::ParamValue>>;
// The values a network's preset gives to the parameters of one intervention
// kind (empty for an unknown network or a kind without a preset).
const PresetValues& preset_values(std::string_view network, std::string_view kind);
// The preset an intervention uses at a site: its `preset` parameter, where
// "network" means the site's network; "" when none applies ("none", or a site
// without a known network).
std::string preset_of(const sim::InterventionSpec& iv, const std::string& site_network);
// The intervention's parameters at a site: the preset's values replace the
// defaults of the parameters the scenario did not set explicitly.
sim::ParamSet apply_preset(const sim::InterventionSpec& iv, const std::string& site_network);

// Theme labels (the `theme` output dimension) and organisation type names.
const std::array<const char*, kThemes>& theme_labels();
const std::array<const char*, kAssocTypes>& association_type_names();
const std::array<const char*, kInstTypes>& institution_type_names();
// Theme focus of an organisation type, in [0, 1] (declared parameters focus_*).
const ThemeVector& association_focus(const Params& p, int type);
const ThemeVector& institution_focus(const Params& p, int type);
// Lead association type of a national network ("FCSF" -> social centre, ...).
int lead_association_type(const std::string& network);

}  // namespace atc::models::territorial
