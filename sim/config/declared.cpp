#include "sim/config/declared.hpp"

#include <fmt/format.h>

#include "sim/core/error.hpp"

namespace atc::sim::detail {

namespace {
thread_local ParamScope* current_scope = nullptr;
}  // namespace

ParamScope::ParamScope(std::vector<ParamDecl>* sink) : sink_(sink), outer_(current_scope) {
  current_scope = this;
}

ParamScope::ParamScope(const ParamSet* values) : values_(values), outer_(current_scope) {
  current_scope = this;
}

ParamScope::~ParamScope() {
  current_scope = outer_;
}

ParamScope* ParamScope::current() {
  return current_scope;
}

const ParamValue& ParamScope::take(ParamDecl&& decl) {
  if (sink_ != nullptr) {
    for (const auto& d : *sink_) {
      if (d.name == decl.name) throw ModelError(fmt::format("parameter '{}' is declared twice", decl.name));
    }
    sink_->push_back(std::move(decl));
    return sink_->back().default_value;
  }
  if (next_ >= values_->size() || values_->decls()[next_].name != decl.name) {
    throw ModelError(fmt::format("parameter '{}' bound out of declaration order (expected '{}')", decl.name,
                                 next_ < values_->size() ? values_->decls()[next_].name : "no more"));
  }
  return values_->value(next_++);
}

void ParamScope::finish() const {
  if (values_ != nullptr && next_ != values_->size()) {
    throw ModelError(fmt::format("{} declared parameters were not bound (first: '{}')",
                                 values_->size() - next_, values_->decls()[next_].name));
  }
}

}  // namespace atc::sim::detail
