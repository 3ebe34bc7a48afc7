#pragma once
// Site fields overridden from a CSV table of official statistics
// ([sites] overrides = "file.csv").
#include <vector>

#include "sim/config/csv.hpp"
#include "sim/model/model.hpp"

namespace atc::sim {

// Official statistics (e.g. Insee per-QPV key figures) override site fields:
// rows match sites by QPV code, columns match field names or their declared
// aliases, empty cells keep the config's value, and every value taken is
// marked "qpv-official". Columns that match no field are ignored. Throws
// ConfigError naming the file, row and column.
void apply_site_overrides(const CsvTable& csv, const ModelDescription& model, std::vector<SiteSpec>& sites);

}  // namespace atc::sim
