// Text helpers behind the "did you mean" messages, and the compile-time hash
// models use to name their random streams.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/core/text.hpp"

TEST_CASE("text: edit distance counts insertions, deletions and substitutions", "[core][text]") {
  CHECK(atc::edit_distance("kitten", "sitting") == 3);
  CHECK(atc::edit_distance("sitting", "kitten") == 3);
  CHECK(atc::edit_distance("", "abc") == 3);
  CHECK(atc::edit_distance("abc", "") == 3);
  CHECK(atc::edit_distance("seed", "seed") == 0);
  CHECK(atc::edit_distance("steps", "stpes") == 2);  // a transposition is two edits
}

TEST_CASE("text: the nearest candidate is suggested only when it is plausibly a typo", "[core][text]") {
  const std::vector<std::string> keys{"replicates", "seed", "steps", "start"};
  CHECK(atc::nearest_match("replicats", keys) == "replicates");
  CHECK(atc::nearest_match("stpes", keys) == "steps");
  CHECK(atc::nearest_match("stat", keys) == "start");
  // Ties (one edit from each) go to the first candidate in the list.
  CHECK(atc::nearest_match("sat", std::vector<std::string>{"seat", "stat"}) == "seat");
  CHECK(atc::nearest_match("sat", std::vector<std::string>{"stat", "seat"}) == "stat");
  // At most max(2, length / 3) edits away.
  CHECK(atc::nearest_match("population", keys).empty());
  CHECK(atc::nearest_match("seed", std::vector<std::string>{}).empty());
  CHECK(atc::did_you_mean("replicats", keys) == " (did you mean 'replicates'?)");
  CHECK(atc::did_you_mean("population", keys).empty());
}

TEST_CASE("text: join puts the separator between items only", "[core][text]") {
  CHECK(atc::join(std::vector<std::string>{"a", "b", "c"}, ", ") == "a, b, c");
  CHECK(atc::join(std::vector<std::string>{"a"}, ", ") == "a");
  CHECK(atc::join(std::vector<std::string>{}, ", ").empty());
}

TEST_CASE("text: fnv1a is FNV-1a with the project's offset basis, usable at compile time", "[core][text]") {
  // Every random stream is keyed by these hashes: a change here changes every result.
  // FNV-1a 64-bit (prime 0x100000001b3) with the offset basis 1469598103934665603
  // (not the published 14695981039346656037; one standard hash is checked for contrast).
  static_assert(atc::fnv1a("") == 1469598103934665603ULL);
  static_assert(atc::fnv1a("a") == 0x44bd8ad473cd9906ULL);
  CHECK(atc::fnv1a("foobar") == 0x88fad7c0a8ff07f2ULL);
  CHECK(atc::fnv1a("foobar") != 0x85944171f73967e8ULL);  // standard FNV-1a of "foobar"
  CHECK(atc::fnv1a("trust") != atc::fnv1a("tRust"));
}

TEST_CASE("text: split keeps empty parts, so malformed dotted keys can be rejected", "[core][text]") {
  using Parts = std::vector<std::string>;
  using atc::split;
  CHECK(split("scenario.z2.model.phi", '.') == Parts{"scenario", "z2", "model", "phi"});
  CHECK(split("model", '.') == Parts{"model"});
  CHECK(split("model.", '.') == Parts{"model", ""});
  CHECK(split(".phi", '.') == Parts{"", "phi"});
  CHECK(split("a..b", '.') == Parts{"a", "", "b"});
  CHECK(split("", '.') == Parts{""});
}

TEST_CASE("text: did_you_mean suggests only plausible typos", "[core][text]") {
  const std::vector<std::string> options{"--threads", "--output", "--replicates"};
  CHECK(atc::did_you_mean("--thread", options) == " (did you mean '--threads'?)");
  CHECK(atc::did_you_mean("--zzzzzzzz", options).empty());
}

TEST_CASE("text: equal_ignoring_case ignores the case of letters only", "[core][text]") {
  CHECK(atc::equal_ignoring_case("bbz", "BBZ"));
  CHECK(atc::equal_ignoring_case("", ""));
  CHECK_FALSE(atc::equal_ignoring_case("bbz", "BBZ "));
  CHECK_FALSE(atc::equal_ignoring_case("FCFS", "FCSF"));
  CHECK_FALSE(atc::equal_ignoring_case("a1", "a2"));
}

TEST_CASE("text: the same word in another case is the suggestion", "[core][text]") {
  const std::vector<std::string> networks{"FCSF", "CNLRQ", "BBZ"};
  CHECK(atc::did_you_mean("bbz", networks) == " (did you mean 'BBZ'?)");
  CHECK(atc::did_you_mean("cnlrq", networks) == " (did you mean 'CNLRQ'?)");
  CHECK(atc::did_you_mean("FCFS", networks) == " (did you mean 'FCSF'?)");
}
