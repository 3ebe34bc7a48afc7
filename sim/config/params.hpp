#pragma once
// Parameter declarations: one declaration per parameter drives validation,
// defaults, `atcsim describe` and the attributes written to HDF5.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atc::sim {

enum class ParamType { Integer, Real, Boolean, String, RealList };

std::string_view type_name(ParamType type);

using ParamValue = std::variant<std::int64_t, double, bool, std::string, std::vector<double>>;

std::string format_value(const ParamValue& value);

struct ParamDecl {
  std::string name;
  ParamType type = ParamType::Real;
  ParamValue default_value = 0.0;
  std::optional<double> min;  // for numbers and list elements
  std::optional<double> max;
  std::size_t length = 0;  // for lists: the required number of elements, 0 = any
  bool min_exclusive = false;
  bool max_exclusive = false;
  std::vector<std::string> choices;  // for strings; empty = any string
  std::string unit = "1";            // UDUNITS-style; "1" = dimensionless
  std::string doc;
  std::string source = "assumption";  // literature source, or "assumption"
  // Other names accepted for this field as a CSV column (site overrides); a
  // trailing '%' marks a column given in percent (divided by 100).
  std::vector<std::string> aliases;
  // The model chooses the default at run time (e.g. from the preset of the
  // site's network); `default_value` is only the fallback. The resolved
  // config then lists the parameter only when it was given explicitly, so that
  // running the resolved config applies the same preset again.
  bool model_default = false;

  // Fluent construction: ParamDecl::real("phi", 0.18).range(0, 1).describe("...").
  static ParamDecl integer(std::string name, std::int64_t default_value);
  static ParamDecl real(std::string name, double default_value);
  static ParamDecl boolean(std::string name, bool default_value);
  static ParamDecl string(std::string name, std::string default_value, std::vector<std::string> choices = {});
  static ParamDecl real_list(std::string name, std::vector<double> default_value);

  ParamDecl& at_least(double v);
  ParamDecl& above(double v);
  ParamDecl& at_most(double v);
  ParamDecl& below(double v);
  ParamDecl& range(double lo, double hi);
  ParamDecl& units(std::string u);
  ParamDecl& describe(std::string text);
  ParamDecl& cite(std::string text);
  ParamDecl& csv_aliases(std::vector<std::string> names);
  ParamDecl& defaulted_by_model();

  ParamDecl& elements(std::size_t n);  // a list of exactly n numbers

  // "a real number in [0, 1]", "an integer >= 1", "one of \"normal\", \"list\"".
  [[nodiscard]] std::string expectation() const;
  // Empty when `value` satisfies the range/choices; otherwise the reason.
  [[nodiscard]] std::string check(const ParamValue& value) const;
};

// A parameter's declared type must be `type` (a model's declaration error:
// throws ModelError naming the parameter).
void check_declared_type(const ParamDecl& decl, ParamType type);
// Fixes the length of a list parameter; its default must have that length.
void fix_length(ParamDecl& decl, std::size_t n);

// Values for a declared list of parameters, in declaration order.
class ParamSet {
 public:
  ParamSet() = default;
  explicit ParamSet(const std::vector<ParamDecl>* decls);  // filled with defaults

  [[nodiscard]] std::int64_t integer(std::string_view name) const;
  [[nodiscard]] double real(std::string_view name) const;
  [[nodiscard]] bool boolean(std::string_view name) const;
  [[nodiscard]] const std::string& string(std::string_view name) const;
  [[nodiscard]] const std::vector<double>& real_list(std::string_view name) const;
  [[nodiscard]] bool was_set(std::string_view name) const;  // given explicitly, not defaulted

  [[nodiscard]] const ParamValue& value(std::size_t index) const { return values_[index]; }
  void set(std::size_t index, ParamValue value);
  [[nodiscard]] std::size_t index_of(std::string_view name) const;  // throws for unknown
  [[nodiscard]] const std::vector<ParamDecl>& decls() const { return *decls_; }
  [[nodiscard]] std::size_t size() const { return values_.size(); }
  // The same declarations, the same values bit for bit (NaN equal to the same
  // NaN, -0.0 different from 0.0) and the same parameters given explicitly:
  // a model cannot tell two identical sets apart.
  [[nodiscard]] bool identical(const ParamSet& other) const;

 private:
  const ParamValue& lookup(std::string_view name, ParamType type) const;
  const std::vector<ParamDecl>* decls_ = nullptr;
  std::vector<ParamValue> values_;
  std::vector<bool> explicit_;
};

// A problem found by a model's cross-parameter check, reported against `key`
// (the parameter whose value should change).
struct ParamProblem {
  std::string key;
  std::string message;
};
using ParamCheck = std::function<std::vector<ParamProblem>(const ParamSet&)>;

}  // namespace atc::sim
