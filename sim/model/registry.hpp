#pragma once
// Models are created by name from an explicit registry (models/registry.cpp
// lists them all). Duplicate names are errors; an unknown name is explained.
#include <map>
#include <string>
#include <vector>

#include "sim/model/model.hpp"

namespace atc::sim {

class ModelRegistry {
 public:
  void add(ModelDescription description);  // throws on a duplicate or malformed description
  // Throws ConfigError listing the known models and the nearest match.
  [[nodiscard]] const ModelDescription& get(const std::string& name) const;
  [[nodiscard]] const ModelDescription* find(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  std::map<std::string, ModelDescription> models_;
};

}  // namespace atc::sim
