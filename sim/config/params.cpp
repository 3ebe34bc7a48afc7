#include "sim/config/params.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <bit>
#include <cmath>

#include "sim/core/error.hpp"

namespace atc::sim {

std::string_view type_name(ParamType type) {
  switch (type) {
    case ParamType::Integer:
      return "an integer";
    case ParamType::Real:
      return "a real number";
    case ParamType::Boolean:
      return "a boolean (true or false)";
    case ParamType::String:
      return "a string";
    case ParamType::RealList:
      return "a list of real numbers";
  }
  return "?";
}

std::string format_value(const ParamValue& value) {
  struct Visitor {
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return fmt::format("\"{}\"", v); }
    std::string operator()(const std::vector<double>& v) const {
      return fmt::format("[{}]", fmt::join(v, ", "));
    }
  };
  return std::visit(Visitor{}, value);
}

namespace {
ParamDecl declare(std::string name, ParamType type, ParamValue default_value) {
  ParamDecl d;
  d.name = std::move(name);
  d.type = type;
  d.default_value = std::move(default_value);
  return d;
}
}  // namespace

ParamDecl ParamDecl::integer(std::string name, std::int64_t default_value) {
  return declare(std::move(name), ParamType::Integer, default_value);
}
ParamDecl ParamDecl::real(std::string name, double default_value) {
  return declare(std::move(name), ParamType::Real, default_value);
}
ParamDecl ParamDecl::boolean(std::string name, bool default_value) {
  return declare(std::move(name), ParamType::Boolean, default_value);
}
ParamDecl ParamDecl::string(std::string name, std::string default_value, std::vector<std::string> choices) {
  ParamDecl d = declare(std::move(name), ParamType::String, std::move(default_value));
  d.choices = std::move(choices);
  return d;
}
ParamDecl ParamDecl::real_list(std::string name, std::vector<double> default_value) {
  return declare(std::move(name), ParamType::RealList, std::move(default_value));
}

ParamDecl& ParamDecl::at_least(double v) {
  min = v;
  min_exclusive = false;
  return *this;
}
ParamDecl& ParamDecl::above(double v) {
  min = v;
  min_exclusive = true;
  return *this;
}
ParamDecl& ParamDecl::at_most(double v) {
  max = v;
  max_exclusive = false;
  return *this;
}
ParamDecl& ParamDecl::below(double v) {
  max = v;
  max_exclusive = true;
  return *this;
}
ParamDecl& ParamDecl::range(double lo, double hi) {
  return at_least(lo).at_most(hi);
}
ParamDecl& ParamDecl::units(std::string u) {
  unit = std::move(u);
  return *this;
}
ParamDecl& ParamDecl::describe(std::string text) {
  doc = std::move(text);
  return *this;
}
ParamDecl& ParamDecl::cite(std::string text) {
  source = std::move(text);
  return *this;
}
ParamDecl& ParamDecl::csv_aliases(std::vector<std::string> names) {
  aliases = std::move(names);
  return *this;
}
ParamDecl& ParamDecl::elements(std::size_t n) {
  length = n;
  return *this;
}
ParamDecl& ParamDecl::defaulted_by_model() {
  model_default = true;
  return *this;
}

std::string ParamDecl::expectation() const {
  std::string out{type_name(type)};
  if (type == ParamType::String && !choices.empty()) {
    std::vector<std::string> quoted;
    for (const auto& c : choices) quoted.push_back("\"" + c + "\"");
    return "one of " + fmt::format("{}", fmt::join(quoted, ", "));
  }
  if (type == ParamType::RealList && length > 0) out = fmt::format("a list of {} real numbers", length);
  const std::string of = type == ParamType::RealList ? " with every element" : "";
  if (min && max) {
    out +=
        fmt::format("{} in {}{}, {}{}", of, min_exclusive ? "(" : "[", *min, *max, max_exclusive ? ")" : "]");
  } else if (min) {
    out += fmt::format("{} {} {}", of, min_exclusive ? ">" : ">=", *min);
  } else if (max) {
    out += fmt::format("{} {} {}", of, max_exclusive ? "<" : "<=", *max);
  }
  return out;
}

std::string ParamDecl::check(const ParamValue& value) const {
  auto in_range = [&](double v) {
    if (!std::isfinite(v)) return false;
    if (min && (min_exclusive ? v <= *min : v < *min)) return false;
    if (max && (max_exclusive ? v >= *max : v > *max)) return false;
    return true;
  };
  switch (type) {
    case ParamType::Integer:
      if (!in_range(static_cast<double>(std::get<std::int64_t>(value)))) return "out of range";
      break;
    case ParamType::Real:
      if (!in_range(std::get<double>(value))) return "out of range";
      break;
    case ParamType::RealList:
      if (length > 0 && std::get<std::vector<double>>(value).size() != length) return "wrong length";
      for (double v : std::get<std::vector<double>>(value)) {
        if (!in_range(v)) return fmt::format("element {} out of range", v);
      }
      break;
    case ParamType::String:
      if (!choices.empty()) {
        const auto& s = std::get<std::string>(value);
        if (std::find(choices.begin(), choices.end(), s) == choices.end()) return "not a choice";
      }
      break;
    case ParamType::Boolean:
      break;
  }
  return {};
}

void check_declared_type(const ParamDecl& decl, ParamType type) {
  if (decl.type != type) {
    throw ModelError(fmt::format("parameter '{}' is declared as {} but bound to {}", decl.name,
                                 type_name(decl.type), type_name(type)));
  }
}

void fix_length(ParamDecl& decl, std::size_t n) {
  const auto& v = std::get<std::vector<double>>(decl.default_value);
  if (v.size() != n) {
    throw ModelError(fmt::format("parameter '{}' is bound to a list of {} but its default has {}", decl.name,
                                 n, v.size()));
  }
  decl.length = n;
}

ParamSet::ParamSet(const std::vector<ParamDecl>* decls) : decls_(decls) {
  values_.reserve(decls->size());
  for (const auto& d : *decls) values_.push_back(d.default_value);
  explicit_.assign(decls->size(), false);
}

std::size_t ParamSet::index_of(std::string_view name) const {
  if (decls_ != nullptr) {
    for (std::size_t i = 0; i < decls_->size(); ++i) {
      if ((*decls_)[i].name == name) return i;
    }
  }
  throw ModelError(fmt::format("parameter '{}' is not declared", name));
}

const ParamValue& ParamSet::lookup(std::string_view name, ParamType type) const {
  const std::size_t i = index_of(name);
  if ((*decls_)[i].type != type) {
    throw ModelError(fmt::format("parameter '{}' is read as {} but declared as {}", name, type_name(type),
                                 type_name((*decls_)[i].type)));
  }
  return values_[i];
}

std::int64_t ParamSet::integer(std::string_view name) const {
  return std::get<std::int64_t>(lookup(name, ParamType::Integer));
}
double ParamSet::real(std::string_view name) const {
  return std::get<double>(lookup(name, ParamType::Real));
}
bool ParamSet::boolean(std::string_view name) const {
  return std::get<bool>(lookup(name, ParamType::Boolean));
}
const std::string& ParamSet::string(std::string_view name) const {
  return std::get<std::string>(lookup(name, ParamType::String));
}
const std::vector<double>& ParamSet::real_list(std::string_view name) const {
  return std::get<std::vector<double>>(lookup(name, ParamType::RealList));
}
bool ParamSet::was_set(std::string_view name) const {
  return explicit_[index_of(name)];
}

namespace {

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

bool same_value(const ParamValue& a, const ParamValue& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<double>(&a)) return same_bits(*x, std::get<double>(b));
  if (const auto* x = std::get_if<std::vector<double>>(&a)) {
    const auto& y = std::get<std::vector<double>>(b);
    return x->size() == y.size() && std::equal(x->begin(), x->end(), y.begin(), same_bits);
  }
  return a == b;  // integers, booleans, strings
}

}  // namespace

bool ParamSet::identical(const ParamSet& other) const {
  if (decls_ != other.decls_ || explicit_ != other.explicit_ || values_.size() != other.values_.size())
    return false;
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (!same_value(values_[i], other.values_[i])) return false;
  }
  return true;
}

void ParamSet::set(std::size_t index, ParamValue value) {
  values_[index] = std::move(value);
  explicit_[index] = true;
}

}  // namespace atc::sim
