# Effect of one scenario against another in an atcsim result file, read with
# Debian's r-cran-ncdf4: the mean over replicates and sites of
# (treatment - baseline) for one indicator at one date.
# Usage: Rscript analysis/r/effect.R FILE TREATMENT BASELINE VARIABLE DATE
library(ncdf4)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 5) {
  stop("usage: Rscript effect.R FILE TREATMENT BASELINE VARIABLE DATE")
}
file <- args[1]; treatment <- args[2]; baseline <- args[3]
variable <- args[4]; date <- as.Date(args[5])

nc <- nc_open(file)
scenarios <- ncvar_get(nc, "scenario")
# time is "days since YYYY-MM-DD" (CF); R lists dimensions fastest first,
# so an indicator (scenario, replicate, site, time) reads as [time, site, replicate, scenario]
units <- ncatt_get(nc, "time", "units")$value
dates <- as.Date(sub("days since ", "", units)) + ncvar_get(nc, "time")
values <- ncvar_get(nc, variable, collapse_degen = FALSE)
# keep the replicates complete in every scenario, as atcsim.open does
complete <- ncvar_get(nc, "run_complete", collapse_degen = FALSE)  # [replicate, scenario]
nc_close(nc)
keep <- apply(complete == 1, 1, all)

t <- which.min(abs(as.numeric(dates - date)))  # nearest recorded date
s_t <- match(treatment, scenarios)
s_b <- match(baseline, scenarios)
if (is.na(s_t) || is.na(s_b)) stop("unknown scenario; the file has: ", paste(scenarios, collapse = ", "))
diff <- values[t, , keep, s_t] - values[t, , keep, s_b]  # [site, replicate]
effect <- mean(diff)
cat(sprintf("%s %s - %s at %s: %.17g\n", variable, treatment, baseline, format(dates[t]), effect))
