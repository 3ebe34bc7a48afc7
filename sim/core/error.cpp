#include "sim/core/error.hpp"

#include <fmt/format.h>

namespace atc {

ModelError::ModelError(const std::string& message, std::source_location where)
    : Error(fmt::format("{} [{}:{}]", message, where.file_name(), where.line())) {}

}  // namespace atc
