#pragma once
// Site fields overridden from a CSV table of official statistics
// ([sites] overrides = "file.csv"); the model's SiteSchema says which column
// holds the site codes.
#include <string>
#include <vector>

#include "sim/config/csv.hpp"
#include "sim/model/model.hpp"

namespace atc::sim {

// A table of official statistics overrides site fields: rows match sites by
// code (in the first of the model's SiteSchema::code_columns the table has),
// columns match field names or their declared aliases, empty cells keep the
// config's value, and every value taken is marked with the schema's
// override_provenance. Columns that match no field are ignored (tables of
// official statistics carry many), but one whose name is close to a field
// the table lacks is most likely that field misspelt: a warning added to
// `warnings` names it and the field. A row whose code matches no site is an
// error listing the codes, or, with `allow_unmatched` (--allow-unmatched), a
// warning added to `warnings`. Throws ConfigError naming the file, row and
// column.
void apply_site_overrides(const CsvTable& csv, const ModelDescription& model, std::vector<SiteSpec>& sites,
                          std::vector<std::string>& warnings, bool allow_unmatched = false);

}  // namespace atc::sim
