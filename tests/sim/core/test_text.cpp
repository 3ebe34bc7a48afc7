// Text helpers behind user-facing messages and dotted config keys.
#include <catch2/catch.hpp>

#include "sim/core/text.hpp"

using atc::split;
using Parts = std::vector<std::string>;

TEST_CASE("split keeps empty parts, so malformed dotted keys can be rejected", "[text]") {
  CHECK(split("scenario.z2.model.phi", '.') == Parts{"scenario", "z2", "model", "phi"});
  CHECK(split("model", '.') == Parts{"model"});
  CHECK(split("model.", '.') == Parts{"model", ""});
  CHECK(split(".phi", '.') == Parts{"", "phi"});
  CHECK(split("a..b", '.') == Parts{"a", "", "b"});
  CHECK(split("", '.') == Parts{""});
}

TEST_CASE("did_you_mean suggests only plausible typos", "[text]") {
  const std::vector<std::string> options{"--threads", "--output", "--replicates"};
  CHECK(atc::did_you_mean("--thread", options) == " (did you mean '--threads'?)");
  CHECK(atc::did_you_mean("--zzzzzzzz", options).empty());
}
