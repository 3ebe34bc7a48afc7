#!/usr/bin/env bash
# Writes the outputs that a behaviour-preserving change must leave bit-identical:
# a short scenarios/atc15.toml run, every scenarios/canonical/*.toml, and a small
# sweep. Compare two snapshots with scripts/compare_outputs.py.
#   scripts/behaviour_snapshot.sh BUILD_DIR OUT_DIR
set -euo pipefail
bin="$1/atcsim"
out="$2"
cd "$(dirname "$0")/.."
mkdir -p "$out"
rm -f "$out"/*.h5
"$bin" run scenarios/atc15.toml --quiet --replicates 2 --threads 2 \
  --set model.population_scale=0.05 --set experiment.end_date=2021-04-12 -o "$out/atc15.h5"
for f in scenarios/canonical/*.toml; do
  "$bin" run "$f" --quiet --replicates 2 --threads 2 -o "$out/$(basename "${f%.toml}").h5"
done
"$bin" run scenarios/sensitivity_atc.toml --quiet --replicates 1 --threads 2 \
  --set sweep.trajectories=2 --set model.population_scale=0.05 --set experiment.steps=30 \
  -o "$out/sweep.h5"
ls "$out"
