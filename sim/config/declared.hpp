#pragma once
// Parameters declared once, each bound to the member of a typed struct that
// holds its value:
//
//   struct Params {
//     sim::Param<double> threshold_mean{
//         sim::ParamDecl::real("threshold_mean", 0.45).range(0.01, 0.99).describe("mean threshold")};
//     sim::Param<std::array<double, 4>> availability_mean{
//         sim::ParamDecl::real_list("availability_mean", {0.40, 0.25, 0.45, 0.50}).range(0.01, 0.99)};
//   };
//   std::vector<sim::ParamDecl> decls = sim::declarations<Params>();  // -> ModelDescription::params
//   Params p = sim::bind<Params>(values);                             // values: a validated ParamSet
//
// The member's declaration carries the name, type, default, range, unit,
// description and source; the member's type fixes the parameter's type and,
// for std::array, the list length (checked by the engine like a range). The
// order of the members is the order of the declarations, and binding walks
// both in step, so a parameter is written in exactly one place. A struct built
// outside declarations()/bind() (e.g. `Params p;` in a unit test) holds the
// declared defaults.
#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/config/params.hpp"

namespace atc::sim {

namespace detail {

// What the Param members constructed on this thread do: record their
// declaration, or take the next value of a ParamSet. Set by declarations() and
// bind() for the duration of one struct's construction.
class ParamScope {
 public:
  explicit ParamScope(std::vector<ParamDecl>* sink);  // declaring
  explicit ParamScope(const ParamSet* values);        // binding
  ~ParamScope();
  ParamScope(const ParamScope&) = delete;
  ParamScope& operator=(const ParamScope&) = delete;

  static ParamScope* current();
  // Declaring: records `decl`, returns its default. Binding: returns the next
  // value, after checking that it belongs to a parameter of the same name.
  const ParamValue& take(ParamDecl&& decl);
  // Binding: every value of the set was taken.
  void finish() const;

 private:
  std::vector<ParamDecl>* sink_ = nullptr;
  const ParamSet* values_ = nullptr;
  std::size_t next_ = 0;
  ParamScope* outer_ = nullptr;
};

template <class T>
struct IsDoubleArray : std::false_type {};
template <std::size_t N>
struct IsDoubleArray<std::array<double, N>> : std::true_type {};

// The declared type a member type needs; fixes the length of std::array lists.
template <class T>
void conform(ParamDecl& decl) {
  if constexpr (std::is_same_v<T, bool>) {
    check_declared_type(decl, ParamType::Boolean);
  } else if constexpr (std::is_integral_v<T>) {
    check_declared_type(decl, ParamType::Integer);
  } else if constexpr (std::is_floating_point_v<T>) {
    check_declared_type(decl, ParamType::Real);
  } else if constexpr (std::is_same_v<T, std::string>) {
    check_declared_type(decl, ParamType::String);
  } else if constexpr (std::is_same_v<T, std::vector<double>>) {
    check_declared_type(decl, ParamType::RealList);
  } else {
    static_assert(IsDoubleArray<T>::value, "unsupported parameter member type");
    check_declared_type(decl, ParamType::RealList);
    fix_length(decl, std::tuple_size_v<T>);
  }
}

template <class T>
T convert(const ParamValue& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return std::get<bool>(v);
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(std::get<std::int64_t>(v));  // the declared range keeps it representable
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(std::get<double>(v));
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::vector<double>>) {
    return std::get<T>(v);
  } else {
    const auto& list = std::get<std::vector<double>>(v);
    T out{};
    for (std::size_t i = 0; i < out.size() && i < list.size(); ++i) out[i] = list[i];
    return out;
  }
}

}  // namespace detail

// A declared parameter's value, read like the value itself.
template <class T>
class Param {
 public:
  using value_type = T;

  // NOLINTNEXTLINE(google-explicit-constructor): a member is initialised from its declaration
  Param(ParamDecl decl) {
    detail::conform<T>(decl);
    detail::ParamScope* scope = detail::ParamScope::current();
    value_ = detail::convert<T>(scope != nullptr ? scope->take(std::move(decl)) : decl.default_value);
  }
  // NOLINTNEXTLINE(google-explicit-constructor): reads as the value
  operator const T&() const noexcept { return value_; }
  [[nodiscard]] const T& get() const noexcept { return value_; }
  [[nodiscard]] const T& operator*() const noexcept { return value_; }
  [[nodiscard]] const T* operator->() const noexcept { return &value_; }
  template <class U = T>
  [[nodiscard]] decltype(auto) operator[](std::size_t i) const noexcept {
    return value_[i];
  }
  template <class U = T>
  [[nodiscard]] auto begin() const noexcept -> decltype(std::declval<const U&>().begin()) {
    return value_.begin();
  }
  template <class U = T>
  [[nodiscard]] auto end() const noexcept -> decltype(std::declval<const U&>().end()) {
    return value_.end();
  }
  template <class U = T>
  [[nodiscard]] auto size() const noexcept -> decltype(std::declval<const U&>().size()) {
    return value_.size();
  }
  // For tests and derived values; the model never writes its parameters.
  Param& operator=(const T& v) {
    value_ = v;
    return *this;
  }

 private:
  T value_{};
};

// The declarations of the Param members of S, in member order.
template <class S>
std::vector<ParamDecl> declarations() {
  std::vector<ParamDecl> out;
  {
    detail::ParamScope scope(&out);
    [[maybe_unused]] const S declared{};
  }
  return out;
}

// S with its Param members taken from `values` (a set over declarations<S>()).
template <class S>
S bind(const ParamSet& values) {
  detail::ParamScope scope(&values);
  S out{};
  scope.finish();
  return out;
}

}  // namespace atc::sim
