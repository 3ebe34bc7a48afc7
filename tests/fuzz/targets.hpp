#pragma once
// Fuzzing entry points shared by the libFuzzer harnesses (clang, fuzz preset)
// and the regression replay driver (any compiler, run by ctest).
//
// Each feeds one input through the real config loader. Accepting the input or
// rejecting it with a one-line ConfigError is correct; any other exception, an
// empty or multi-line message, or a crash is a finding: the target prints it
// and aborts, which libFuzzer records as a crash and the replay driver as a
// failure.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace atc::fuzz {

// The input is a config file's text (TOML), loaded by load_experiment_text
// (what load_experiment runs on the text it reads) as a file of a scratch
// directory where scenarios/'s files and folders are visible, so the shipped
// scenarios' relative includes resolve. Nothing is written per input.
void config_file(std::string_view data);

// Each line of the input is one `--set` assignment, applied to a fixed config
// text with a dotted scenario name and sites with QPV codes: canonical/watts,
// or, when the first line is "territorial", the territorial model with
// interventions and site fields.
void set_overrides(std::string_view data);

// The input is the CSV file of a `[sites] overrides = ...` (parse_csv, what
// read_csv runs on the text it reads), applied by the site-override rules to
// sites with QPV codes loaded once per process: rows matching no site are an
// error, then (--allow-unmatched) warnings, which must be one line each too.
void site_overrides_csv(std::string_view data);

// The target whose name is `name` ("config", "set", "csv"), or nullptr.
using Target = void (*)(std::string_view);
Target target_named(std::string_view name);

}  // namespace atc::fuzz
