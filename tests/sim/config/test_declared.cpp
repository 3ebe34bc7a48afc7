// Parameters declared once with the struct member that holds them
// (sim/config/declared.hpp): declarations follow member order, binding walks
// both in step, list lengths come from std::array sizes.
#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <vector>

#include "sim/config/declared.hpp"
#include "sim/core/error.hpp"

using namespace atc::sim;

namespace {

struct Example {
  Param<double> rate{ParamDecl::real("rate", 0.5).range(0, 1).units("week-1").describe("a rate")};
  Param<int> weeks{ParamDecl::integer("weeks", 4).at_least(1)};
  Param<bool> on{ParamDecl::boolean("on", true)};
  Param<std::string> mode{ParamDecl::string("mode", "a", {"a", "b"})};
  Param<std::array<double, 3>> shares{ParamDecl::real_list("shares", {0.1, 0.2, 0.3}).range(0, 1)};
  Param<std::vector<double>> free{ParamDecl::real_list("free", {})};
};

struct WrongType {
  Param<int> rate{ParamDecl::real("rate", 0.5)};
};

struct WrongLength {
  Param<std::array<double, 2>> shares{ParamDecl::real_list("shares", {0.1, 0.2, 0.3})};
};

struct Twice {
  Param<double> a{ParamDecl::real("a", 1)};
  Param<double> b{ParamDecl::real("a", 2)};
};

struct Other {
  Param<double> weeks{ParamDecl::real("weeks", 1)};
};

}  // namespace

TEST_CASE("declarations follow member order, with types and list lengths from the members", "[declared]") {
  const auto decls = declarations<Example>();
  REQUIRE(decls.size() == 6);
  CHECK(decls[0].name == "rate");
  CHECK(decls[0].type == ParamType::Real);
  CHECK(decls[0].unit == "week-1");
  CHECK(decls[1].type == ParamType::Integer);
  CHECK(decls[2].type == ParamType::Boolean);
  CHECK(decls[3].choices == std::vector<std::string>{"a", "b"});
  CHECK(decls[4].length == 3);
  CHECK(decls[5].length == 0);
  CHECK(decls[4].check(std::vector<double>{0.1, 0.2}) == "wrong length");
  CHECK(decls[4].check(std::vector<double>{0.1, 0.2, 0.3}).empty());
  CHECK(decls[5].check(std::vector<double>{1, 2, 3, 4}).empty());
}

TEST_CASE("bind reads a parameter set into the members, outside a scope members hold defaults",
          "[declared]") {
  const auto decls = declarations<Example>();
  ParamSet values(&decls);
  values.set(values.index_of("rate"), 0.25);
  values.set(values.index_of("weeks"), std::int64_t{9});
  values.set(values.index_of("mode"), std::string("b"));
  values.set(values.index_of("shares"), std::vector<double>{0.3, 0.2, 0.1});
  const auto bound = bind<Example>(values);
  CHECK(bound.rate == 0.25);
  CHECK(bound.weeks == 9);
  CHECK(bound.on);
  CHECK(*bound.mode == "b");
  CHECK(bound.shares[0] == 0.3);
  CHECK(bound.shares.size() == 3);
  const Example defaults;
  CHECK(defaults.rate == 0.5);
  CHECK(defaults.weeks == 4);
  CHECK(defaults.shares[2] == 0.3);
}

TEST_CASE("declaration mistakes are model errors naming the parameter", "[declared]") {
  CHECK_THROWS_AS(declarations<WrongType>(), atc::ModelError);
  CHECK_THROWS_WITH(declarations<WrongType>(), Catch::Contains("'rate'"));
  CHECK_THROWS_WITH(declarations<WrongLength>(), Catch::Contains("list of 2"));
  CHECK_THROWS_WITH(declarations<Twice>(), Catch::Contains("declared twice"));
  // A set over other declarations cannot be bound.
  const auto decls = declarations<Other>();
  const ParamSet other(&decls);
  CHECK_THROWS_AS(bind<Example>(other), atc::ModelError);
}
