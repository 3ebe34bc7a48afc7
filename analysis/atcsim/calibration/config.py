"""The calibration config: ``python3 -m atcsim calibrate CONFIG.toml``.

::

    [calibration]
    targets = "targets.toml"          # relative to this file
    output = "out/calibration.nc"     # relative to the current directory, like output.path
    method = "hm+abc"                 # "abc-smc" | "history-matching" | "hm+abc"
    seed = 1
    max_simulations = 2000            # budget over all stages (optional)

    [simulator]
    kind = "engine"                   # "engine" | "toy" (the synthetic problem)
    config = "../atc15.toml"          # the experiment, relative to this file (engine only)
    replicates = 4                    # per parameter point
    # engine = "build/release/atcsim" # default: $ATCSIM_BIN, this checkout's build, PATH
    # mpi_ranks = 2                   # mpirun -n 2 atcsim-mpi
    # set = ["model.population_scale=0.3"]
    # first_design = "sweep"          # history matching's wave 1 as one engine lhs sweep

    [parameters]                      # dotted keys, as for --set; priors uniform or log-uniform
    "model.threshold_mean" = { min = 0.1, max = 0.5 }
    "model.contact_rate" = { min = 0.01, max = 1.0, scale = "log" }

    [abc]                             # ABC-SMC (abc-smc, hm+abc)
    population = 500
    kernel = "gaussian"                 # or "uniform"
    transition = "olcm"                 # or "beaumont"
    ess_fraction = 0.5
    final_tolerance = 1.0
    max_generations = 20
    min_acceptance = 0.005

    [history_matching]                # (history-matching, hm+abc)
    waves = 4
    points_per_wave = 40
    cutoff = 3.0
    implausibility = "max"
    nroy_samples = 2000
    predictive_draws = 100            # posterior draws simulated for the predictive check

Every error names ``file:line:col`` and the key (exit code 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .parameters import Parameter, ParameterSpace
from .synthetic import toy_space
from .tomlfile import TableReader, TomlDocument, did_you_mean, load

__all__ = ["METHODS", "CalibrationConfig", "load_config"]

METHODS = ("abc-smc", "history-matching", "hm+abc")
SIMULATORS = ("engine", "toy")
_TOP = ("calibration", "simulator", "parameters", "abc", "history_matching")
_CAL = ("name", "targets", "output", "method", "seed", "max_simulations", "workdir")
_SIM = ("kind", "config", "replicates", "engine", "mpi_ranks", "set", "first_design")
_PARAM = ("min", "max", "scale", "units")
_ABC = (
    "population",
    "kernel",
    "transition",
    "ess_fraction",
    "final_tolerance",
    "max_generations",
    "min_acceptance",
    "max_batch",
)
_HM = ("waves", "points_per_wave", "cutoff", "implausibility", "nroy_samples", "predictive_draws")
_KEY_SHAPES = (
    "model.X",
    "scenario.NAME.model.X",
    "scenario.NAME.intervention.KIND.X",
    "site.ID.X",
)


@dataclass
class ABCSettings:
    population: int = 500
    kernel: str = "gaussian"
    transition: str = "olcm"
    ess_fraction: float = 0.5
    final_tolerance: float | None = None
    max_generations: int = 20
    min_acceptance: float = 0.005
    max_batch: int = 4096


@dataclass
class HMSettings:
    waves: int = 4
    points_per_wave: int | None = None
    cutoff: float = 3.0
    implausibility: str = "max"
    nroy_samples: int = 2000
    predictive_draws: int = 100


@dataclass
class CalibrationConfig:
    path: Path
    text: str
    name: str
    targets: Path
    output: Path
    method: str
    seed: int
    max_simulations: int | None
    workdir: Path
    simulator: str
    model_config: Path | None
    replicates: int
    engine: str
    mpi_ranks: int
    overrides: list[str]
    first_design: str
    space: ParameterSpace
    abc: ABCSettings = field(default_factory=ABCSettings)
    history: HMSettings = field(default_factory=HMSettings)
    document: TomlDocument | None = None


def _key_ok(key: str) -> bool:
    seg = key.split(".")
    if any(not s for s in seg):
        return False
    return (
        (len(seg) == 2 and seg[0] == "model")
        or (len(seg) == 4 and seg[0] == "scenario" and seg[2] == "model")
        or (len(seg) == 5 and seg[0] == "scenario" and seg[2] == "intervention")
        or (len(seg) == 3 and seg[0] == "site")
    )


def load_config(path: str | Path) -> CalibrationConfig:
    """Read and validate a calibration config (see the module docstring).

    Raises ``FileNotFoundError`` or
    :class:`~atcsim.calibration.tomlfile.ConfigFileError` (``file:line:col: key: ...``).
    """
    doc = load(path)
    path = Path(path)
    base = path.resolve().parent
    top = TableReader(doc, (), doc.data, _TOP)
    cal = top.table_at("calibration", _CAL)
    name = cal.string("name", required=False) or path.stem
    targets = base / cal.string("targets")
    if not targets.is_file():
        cal.fail("targets", f"file not found: {targets}")
    output = Path(cal.string("output"))
    if output.suffix not in (".nc", ".h5"):
        cal.fail("output", f'expected a .nc (or .h5) file name, got "{output}"')
    method = cal.choice("method", METHODS)
    seed = cal.integer("seed", required=False, default=0, min=0)
    max_sims = cal.integer("max_simulations", required=False, default=None, min=1)
    workdir_text = cal.string("workdir", required=False)
    workdir = Path(workdir_text) if workdir_text else output.with_name(output.stem + ".work")

    sim = top.table_at("simulator", _SIM)
    kind = sim.choice("kind", SIMULATORS)
    model_config = None
    if kind == "engine":
        model_config = base / sim.string("config")
        if not model_config.is_file():
            sim.fail("config", f"experiment config not found: {model_config}")
    elif sim.has("config"):
        sim.fail("config", 'only used with kind = "engine"')
    for key in ("engine", "mpi_ranks", "set", "first_design"):
        if kind != "engine" and sim.has(key):
            sim.fail(key, 'only used with kind = "engine"')
    replicates = sim.integer("replicates", required=False, default=1, min=1)
    engine = sim.string("engine", required=False)
    mpi_ranks = sim.integer("mpi_ranks", required=False, default=0, min=0)
    overrides = sim.string_list("set")
    for i, s in enumerate(overrides):
        if "=" not in s or s.startswith("="):
            doc.fail(("simulator", "set", i), f'expected "key.path=value", got "{s}"', value=True)
    first_design = sim.choice("first_design", ("sweep", "points"), default="points")

    params = top.table_at("parameters", None)
    if not params.table:
        params.fail(
            None, 'expected at least one parameter, e.g. "model.mu" = { min = 0.1, max = 0.5 }', value=False
        )
    plist = []
    toy_keys = toy_space().keys if kind == "toy" else []
    for key, spec in params.table.items():
        if kind == "engine" and not _key_ok(key):
            doc.fail(("parameters", key), f"expected a dotted parameter key such as {', '.join(_KEY_SHAPES)}")
        if kind == "toy" and key not in toy_keys:
            doc.fail(
                ("parameters", key),
                f"not a parameter of the toy{did_you_mean(key, toy_keys)}; expected one of: "
                f"{', '.join(toy_keys)}",
            )
        r = TableReader(doc, ("parameters", key), spec, _PARAM)
        lo = r.number("min")
        hi = r.number("max")
        scale = r.choice("scale", ("linear", "log"), default="linear")
        if not hi > lo:
            r.fail("max", f"expected max > min ({lo:g}), got {hi:g}")
        if scale == "log" and lo <= 0:
            r.fail("min", f"a log scale needs min > 0, got {lo:g}")
        plist.append(Parameter(key, lo, hi, scale, r.string("units", required=False)))
    missing = [k for k in toy_keys if k not in params.table]
    if missing:
        params.fail(
            None,
            f"missing toy parameter(s) {', '.join(missing)}; the toy needs all of: {', '.join(toy_keys)}",
            value=False,
        )
    space = ParameterSpace(plist)

    abc = ABCSettings()
    if method in ("abc-smc", "hm+abc"):
        a = top.table_at("abc", _ABC, required=False)
        if a is not None:
            abc.population = a.integer("population", required=False, default=abc.population, min=2)
            abc.kernel = a.choice("kernel", ("gaussian", "uniform"), default=abc.kernel)
            abc.transition = a.choice("transition", ("olcm", "beaumont"), default=abc.transition)
            abc.ess_fraction = a.number(
                "ess_fraction",
                required=False,
                default=abc.ess_fraction,
                min=0,
                min_exclusive=True,
                max=1,
                max_exclusive=True,
            )
            abc.final_tolerance = a.number(
                "final_tolerance", required=False, default=None, min=0, min_exclusive=True
            )
            abc.max_generations = a.integer(
                "max_generations", required=False, default=abc.max_generations, min=1
            )
            abc.min_acceptance = a.number(
                "min_acceptance", required=False, default=abc.min_acceptance, min=0, max=1
            )
            abc.max_batch = a.integer("max_batch", required=False, default=abc.max_batch, min=1)
    elif top.has("abc"):
        top.fail("abc", f'not used by method "{method}"', value=False)
    hm = HMSettings()
    if method in ("history-matching", "hm+abc"):
        h = top.table_at("history_matching", _HM, required=False)
        if h is not None:
            hm.waves = h.integer("waves", required=False, default=hm.waves, min=1)
            hm.points_per_wave = h.integer(
                "points_per_wave", required=False, default=None, min=2 * len(space) + 2
            )
            hm.cutoff = h.number("cutoff", required=False, default=hm.cutoff, min=0, min_exclusive=True)
            hm.implausibility = h.choice("implausibility", ("max", "second_max"), default=hm.implausibility)
            hm.nroy_samples = h.integer("nroy_samples", required=False, default=hm.nroy_samples, min=10)
            hm.predictive_draws = h.integer(
                "predictive_draws", required=False, default=hm.predictive_draws, min=0
            )
    elif top.has("history_matching"):
        top.fail("history_matching", f'not used by method "{method}"', value=False)
    if max_sims is not None:
        wave = hm.points_per_wave or 10 * len(space)
        need = {"history-matching": wave, "abc-smc": abc.population, "hm+abc": wave + abc.population}[method]
        if max_sims < need:
            what = {
                "history-matching": "one wave's points",
                "abc-smc": "one ABC-SMC population",
                "hm+abc": "one wave's points and one ABC-SMC population",
            }[method]
            cal.fail("max_simulations", f"expected at least {what} ({need}), got {max_sims}")
    if kind == "engine" and first_design == "sweep" and method == "abc-smc":
        sim.fail("first_design", 'only used by history matching (method "history-matching" or "hm+abc")')
    return CalibrationConfig(
        path=path,
        text=path.read_text(encoding="utf-8"),
        name=name,
        targets=targets,
        output=output,
        method=method,
        seed=seed,
        max_simulations=max_sims,
        workdir=workdir,
        simulator=kind,
        model_config=model_config,
        replicates=replicates,
        engine=engine,
        mpi_ranks=mpi_ranks,
        overrides=overrides,
        first_design=first_design,
        space=space,
        abc=abc,
        history=hm,
        document=doc,
    )
