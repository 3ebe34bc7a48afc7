"""Compare the calibration methods on the synthetic toy, whose posterior is known.

::

    PYTHONPATH=analysis /usr/bin/python3 -m atcsim.calibration.benchmark \\
        --truths 40 --out out/calibration/benchmark

For each of ``--truths`` parameter sets drawn from the prior (seeded), the
toy is observed once (``--replicates`` replicates averaged, plus observation
error) and every method calibrates against that observation. Recorded per
method and truth: simulations, seconds, whether each parameter's 90 %
credible interval covers the truth, and the error of the posterior mean and
sd against the exact posterior (grid integration), in units of the exact
posterior sd. Over truths drawn from the prior, an exact method's 90 %
intervals cover the truth 90 % of the time for *every* parameter, identified
or not (a binomial 95 % band for 40 truths is 80-98 %).

Methods: ``abc-olcm`` (ABC-SMC, gaussian kernel, final tolerance 1, local
move covariances), ``abc-beaumont`` (the same with Beaumont's global
covariance), ``abc-uniform`` (ABC-SMC, uniform kernel with noisy ABC, final
tolerance 0.5), ``hm`` (history matching, emulator posterior), ``hm+abc`` (ABC-SMC
inside the non-implausible region), and two deliberately wrong variants the
recovery test must reject: ``wrong-weights`` (ABC-SMC ignoring the
importance weights) and ``wide-tolerance`` (ABC-SMC stopped at tolerance 3). All ABC
runs use 500 particles; history matching 3 waves of 40 points.

Writes ``results.csv`` (one row per method and truth) and ``summary.md``
(the table quoted in docs/calibration.md), and prints the summary.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from . import abc as abc_module
from .abc import abc_smc
from .history import emulator_posterior, history_match
from .problem import Problem, weighted_quantile
from .synthetic import ToySimulator, exact_posterior, toy_observation, toy_space, toy_targets, TOY_OUTPUTS

__all__ = ["run_method", "compare", "main"]

PARAMETERS = ("propensity", "reach", "decay", "inert", "product")
METHODS = ("abc-olcm", "abc-beaumont", "abc-uniform", "hm", "hm+abc", "wrong-weights", "wide-tolerance")


def _uniform_weights(u_new, u_prev, w_prev, cov, chunk=512):  # the wrong variant: ignore the weights
    return np.full(len(u_new), 1.0 / len(u_new))


def run_method(method: str, observed: np.ndarray, *, replicates: int, seed: int, population: int = 500):
    """Calibrate the toy against ``observed`` with ``method``.

    Returns the posterior sample's values (n, 4), its weights, the simulations and seconds used."""
    targets = toy_targets(observed)
    problem = Problem(toy_space(), targets.targets)
    sim = ToySimulator(TOY_OUTPUTS, replicates=replicates)
    start = time.monotonic()
    budget = 400_000
    if method in ("abc-olcm", "abc-beaumont", "wrong-weights", "wide-tolerance", "abc-uniform"):
        kwargs = dict(population=population, seed=seed, max_simulations=budget)
        if method == "abc-beaumont":
            kwargs.update(transition="beaumont")
        if method == "abc-uniform":
            kwargs.update(kernel="uniform", final_tolerance=0.5)
        if method == "wide-tolerance":
            kwargs.update(final_tolerance=3.0)
        original = abc_module.pmc_weights
        if method == "wrong-weights":
            abc_module.pmc_weights = _uniform_weights
        try:
            res = abc_smc(problem, sim, **kwargs)
        finally:
            abc_module.pmc_weights = original
        u, w, sims = res.final.u, res.final.weights, res.simulations
    else:
        hm = history_match(problem, sim, waves=3, points_per_wave=40, seed=seed)
        sims = hm.simulations
        if method == "hm":
            u, w = emulator_posterior(hm, problem)
        else:
            p2 = Problem(toy_space(), targets.targets, region=hm.region())
            res = abc_smc(
                p2,
                sim,
                population=population,
                seed=seed + 1,
                initial=hm.nroy[:population],
                max_simulations=budget,
            )
            u, w, sims = res.final.u, res.final.weights, sims + res.simulations
    return toy_space().from_unit(u), w, sims, time.monotonic() - start


def _row(method, t, truth, x, w, sims, seconds, exact):
    row = {"method": method, "truth": t, "simulations": sims, "seconds": seconds}
    values = np.column_stack([x, x[:, 0] * x[:, 1]])
    truths = np.append(truth, truth[0] * truth[1])
    for j, name in enumerate(PARAMETERS):
        lo, hi = weighted_quantile(values[:, j], w, [0.05, 0.95])
        row[f"covers_{name}"] = bool(lo <= truths[j] <= hi)
        row[f"width_{name}"] = hi - lo
        mean = np.average(values[:, j], weights=w)
        sd = np.sqrt(np.average((values[:, j] - mean) ** 2, weights=w))
        if j < 4:
            e_mean, e_sd = exact.mean(j), exact.sd(j)
        else:
            q = exact.product_quantile(np.linspace(0.0005, 0.9995, 1000))
            e_mean, e_sd = float(q.mean()), float(q.std())
        row[f"mean_error_{name}"] = (mean - e_mean) / e_sd
        row[f"sd_ratio_{name}"] = sd / e_sd
    return row


def compare(
    truths: int, replicates: int, seed: int, methods=METHODS, uniform_truths: int | None = None, log=print
):
    rng = np.random.Generator(np.random.PCG64(seed))
    space = toy_space()
    rows = []
    for t in range(truths):
        truth = space.from_unit(space.sample_unit(rng, 1))[0]
        observed = toy_observation(truth, seed=int(rng.integers(1, 2**31)), replicates=replicates)
        exact = exact_posterior(observed, replicates=replicates)
        for method in methods:
            if method == "abc-uniform" and uniform_truths is not None and t >= uniform_truths:
                continue
            x, w, sims, seconds = run_method(method, observed, replicates=replicates, seed=seed + 7 * t)
            rows.append(_row(method, t, truth, x, w, sims, seconds, exact))
            log(f"truth {t}: {method}: {sims} simulations, {seconds:.1f} s")
    return pd.DataFrame(rows)


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    out = []
    for method, g in df.groupby("method", sort=False):
        row = {
            "method": method,
            "truths": len(g),
            "simulations (median)": int(g["simulations"].median()),
            "seconds (mean)": round(float(g["seconds"].mean()), 1),
        }
        for name in PARAMETERS:
            row[f"coverage {name}"] = round(100 * float(g[f"covers_{name}"].mean()))
        for name in ("decay", "product"):
            row[f"|mean error| {name}"] = round(float(g[f"mean_error_{name}"].abs().mean()), 2)
            row[f"sd ratio {name}"] = round(float(g[f"sd_ratio_{name}"].median()), 2)
        out.append(row)
    return pd.DataFrame(out).set_index("method")


def markdown_table(df: pd.DataFrame) -> str:
    """A pandas table as a GitHub markdown table (without the optional tabulate package)."""
    header = "| " + " | ".join([str(df.index.name or "")] + [str(c) for c in df.columns]) + " |"
    lines = [header, "|" + "---|" * (len(df.columns) + 1)]
    for idx, row in df.iterrows():
        cells = [str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in row.values]
        lines.append("| " + " | ".join([str(idx)] + cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truths", type=int, default=40)
    parser.add_argument("--uniform-truths", type=int, default=10, help="truths for the (slow) uniform kernel")
    parser.add_argument("--replicates", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--out", default="out/calibration/benchmark")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df = compare(args.truths, args.replicates, args.seed, args.methods, args.uniform_truths)
    df.to_csv(out / "results.csv", index=False)
    summary = summarize(df)
    text = markdown_table(summary.T)
    (out / "summary.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
