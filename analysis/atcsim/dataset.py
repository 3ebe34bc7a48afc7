"""Opening atcsim output files as :class:`xarray.Dataset` objects.

The file layout is described in ``docs/output_schema.md``; this module checks
that a file is an atcsim output of a schema version it understands, turns the
site and time metadata into coordinates and drops runs that are not complete.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, Sequence

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from . import _probe as _probe_module
from .errors import (
    AtcsimError,
    AtcsimFileError,
    IncompleteRunsWarning,
    NotAtcsimFileError,
    SchemaVersionError,
    VariableNotFoundError,
)

__all__ = [
    "SUPPORTED_SCHEMA",
    "CORE_DIMS",
    "open",
    "open_raw",
    "check_file",
    "indicators",
    "extra_dims",
    "read_parameters",
    "site_labels",
    "SWEEP_DIM",
    "is_sweep",
    "sweep_parameters",
    "sweep_method",
    "sweep_table",
]

#: Schema version (``atcsim_schema`` global attribute) this package reads.
SUPPORTED_SCHEMA = 1
#: Dimensions every indicator has, in this order.
CORE_DIMS: tuple[str, ...] = ("scenario", "replicate", "site", "time")
#: Dimension of the parameter points of a sweep (after ``scenario``), when the
#: config has a ``[sweep]`` section.
SWEEP_DIM = "point"
_SWEEP_COORDS = ("sweep_role", "sweep_group", "sweep_factor")
_SITE_COORDS = ("site_name", "site_code", "network", "population")
_TIME_COORDS = ("step",)
_PARTIAL_SUFFIX = ".partial"

#: Check every file in a child process before this process opens it (see
#: :func:`check_file`): a damaged HDF5 file can crash the HDF5 library itself,
#: or make it loop, which would otherwise take this process down. The child is
#: a fork of this process (a fresh interpreter where fork is unavailable); the
#: check is done once per file version and process.
SAFE_OPEN = True
#: Bytes of stored dataset data the child process reads to verify them
#: (decompression, checksums); beyond this only the metadata are checked.
PROBE_DATA_BUDGET = 1 << 30
#: CPU seconds the child process may use before the file is reported unreadable
#: (some damage sends the HDF5 library into an endless loop); None: 30 s plus
#: one second per 20 MB of file. CPU time, so a busy machine cannot trip it.
PROBE_TIMEOUT: float | None = None
_probe_cache: dict[tuple[Any, ...], str] = {}
# read_parameters' table, for one file version at a time.
_parameters_cache: dict[tuple[Any, ...], pd.DataFrame] = {}


def check_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check that ``path`` is an atcsim output file this package can read.

    Every problem is reported as one line naming the file and what is wrong:
    a missing path, a folder or special file, an empty or truncated file, a
    file that is not HDF5, damage the HDF5 library detects, or one that crashes
    it (with :data:`SAFE_OPEN`, the file is first read in a child process, so a
    crash there cannot take this process down).

    Parameters
    ----------
    path
        Path of an ``atcsim run`` output (``.h5`` or ``.h5.partial``).

    Returns
    -------
    dict
        The file's global attributes.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    NotAtcsimFileError
        ``path`` is not a regular file, is empty, is not an HDF5 file or has no
        ``atcsim_schema`` attribute.
    AtcsimFileError
        ``path`` cannot be read, or is a damaged HDF5 file.
    SchemaVersionError
        The file's schema version differs from :data:`SUPPORTED_SCHEMA`.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if path.is_dir():
        raise NotAtcsimFileError(f"{path}: is a directory, not an atcsim output file")
    if not path.is_file():
        raise NotAtcsimFileError(f"{path}: not a regular file (a device, pipe or socket)")
    if not os.access(path, os.R_OK):
        raise AtcsimFileError(f"{path}: permission denied (cannot read the file)")
    if path.stat().st_size == 0:
        raise NotAtcsimFileError(f"{path}: empty file (0 bytes); expected a file written by `atcsim run`")
    try:
        is_hdf5 = h5py.is_hdf5(path)
    except Exception as exc:  # noqa: BLE001 - any failure to read the signature
        raise AtcsimFileError(f"{path}: cannot read the file: {_one_line(exc)}") from None
    if not is_hdf5:
        raise NotAtcsimFileError(
            f"{path}: not an atcsim output file (not HDF5); expected a file written by `atcsim run`"
        )
    if SAFE_OPEN:
        _probe(path)
    try:
        with h5py.File(path, "r") as f:
            attrs = {k: _plain(v) for k, v in f.attrs.items()}
    except Exception as exc:  # noqa: BLE001 - the file's content is untrusted input
        raise AtcsimFileError(f"{path}: damaged HDF5 file: {_one_line(exc)}") from None
    if "atcsim_schema" not in attrs:
        raise NotAtcsimFileError(
            f"{path}: not an atcsim output file (no 'atcsim_schema' global attribute); "
            "expected a file written by `atcsim run`"
        )
    try:
        schema = int(attrs["atcsim_schema"])
    except (TypeError, ValueError):
        raise SchemaVersionError(
            f"{path}: unreadable atcsim_schema attribute {_short(attrs['atcsim_schema'])}"
        ) from None
    if schema != SUPPORTED_SCHEMA:
        version = attrs.get("atcsim_version", "unknown version")
        hint = (
            "use the analysis package of the atcsim release that wrote it"
            if schema > SUPPORTED_SCHEMA
            else "re-run the experiment with a current atcsim"
        )
        raise SchemaVersionError(
            f"{path}: written by atcsim {_short(version)} with output schema {schema}; this analysis "
            f"package reads schema {SUPPORTED_SCHEMA} only ({hint})"
        )
    return attrs


def _probe(path: Path) -> None:
    """Read the whole file in a child process; raise AtcsimFileError if that fails or crashes.

    The result is cached per file version (device, inode, size, modification time).
    """
    key = _file_version(path)
    if key not in _probe_cache:
        _probe_cache[key] = _run_probe(path)
    problem = _probe_cache[key]
    if problem == _probe_module.NOT_ATCSIM:
        raise NotAtcsimFileError(
            f"{path}: not an atcsim output file (no 'atcsim_schema' global attribute); "
            "expected a file written by `atcsim run`"
        )
    if problem:
        raise AtcsimFileError(f"{path}: {problem}")


def _file_version(path: Path) -> tuple[Any, ...]:
    """What identifies one version of a file: its path, device, inode, size and modification time."""
    st = path.stat()
    return (str(path.resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _run_probe(path: Path) -> str:
    """'' when a child process read the file whole, else what went wrong (one line, without the path)."""
    size = path.stat().st_size
    timeout = PROBE_TIMEOUT if PROBE_TIMEOUT is not None else 30.0 + min(size, PROBE_DATA_BUDGET) / 20e6
    return _probe_module.check_isolated(str(path), PROBE_DATA_BUDGET, timeout)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return _short(text, 300) if text else type(exc).__name__


def _short(value: Any, limit: int = 80) -> str:
    """``repr``-like text of an untrusted value, cut to ``limit`` characters."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def open_raw(path: str | os.PathLike[str]) -> xr.Dataset:
    """Open an atcsim file without touching incomplete runs.

    Like :func:`open` but keeps every run, complete or not, and emits no
    warning. Useful to inspect an interrupted experiment.
    """
    path = Path(path)
    check_file(path)
    try:
        ds = xr.open_dataset(path, engine="h5netcdf")
    except Exception as exc:  # noqa: BLE001 - the file's content is untrusted input
        raise AtcsimFileError(f"{path}: malformed atcsim file: {_one_line(exc)}") from None
    try:
        problem = _layout_problem(ds)
        if problem:
            raise NotAtcsimFileError(f"{path}: {problem}")
        coords = [
            c for c in (*_SITE_COORDS, *_TIME_COORDS, *_SWEEP_COORDS, "run_complete") if c in ds.data_vars
        ]
        coords += [c for c in _sweep_coordinate_names(ds) if c in ds.data_vars]
        ds = ds.set_coords(coords)
    except AtcsimError:
        ds.close()
        raise
    except Exception as exc:  # noqa: BLE001
        ds.close()
        raise AtcsimFileError(f"{path}: malformed atcsim file: {_one_line(exc)}") from None
    ds.attrs["analysis_source"] = str(path)
    return ds


def _layout_problem(ds: xr.Dataset) -> str:
    """What makes ``ds`` unusable as an atcsim output ('' when nothing does).

    Checks what the rest of the package relies on, so that a damaged or
    hand-edited file fails here, in one line, rather than deep in an analysis.
    """
    missing = [d for d in CORE_DIMS if d not in ds.dims]
    if missing:
        return f"atcsim_schema is set but dimension(s) {', '.join(missing)} are missing"
    for dim in (*CORE_DIMS, SWEEP_DIM):
        if dim in ds.variables and ds[dim].dims != (dim,):
            return f"coordinate {dim!r} has dimensions {ds[dim].dims}; expected ({dim!r},)"
    if not indicators(ds):
        return "no indicator variable (none has the dimensions scenario, replicate, site, time)"
    for name in indicators(ds):
        if ds[name].dtype.kind not in "fiub":
            return f"indicator {name!r} holds {ds[name].dtype} values; expected numbers"
    for name in (*_SITE_COORDS, "step", "run_complete", *_SWEEP_COORDS):
        if name not in ds.variables:
            continue
        var = ds[name]
        if name == "run_complete":
            allowed = {"scenario", SWEEP_DIM, "replicate"}
            if not set(var.dims) <= allowed or not {"scenario", "replicate"} <= set(var.dims):
                return f"run_complete has dimensions {var.dims}; expected (scenario[, point], replicate)"
        elif var.ndim != 1:
            return f"variable {name!r} has dimensions {var.dims}; expected one dimension"
        if name in ("population", "step", "run_complete", "sweep_group", "sweep_factor"):
            if var.dtype.kind not in "fiub":
                return f"variable {name!r} holds {var.dtype} values; expected numbers"
    return ""


def open(path: str | os.PathLike[str], *, drop_incomplete: bool = True) -> xr.Dataset:  # noqa: A001
    """Open an atcsim output file as an :class:`xarray.Dataset`.

    Parameters
    ----------
    path
        Output of ``atcsim run`` (``OUT.h5``), or an interrupted one
        (``OUT.h5.partial``).
    drop_incomplete
        Drop runs that are not complete (``run_complete == 1``). Without a
        sweep, a replicate is kept only if it is complete in *every*
        scenario: that keeps scenarios paired (replicate r of each scenario
        shares its random numbers), which :func:`atcsim.compare` relies on.
        With a sweep (a ``point`` dimension), whole design groups are dropped
        instead: a point is kept only if every run of its ``sweep_group`` (its
        Sobol base sample, its Morris trajectory, or the point itself for grid
        and LHS designs) is complete in every scenario and replicate, so the
        remaining points stay paired and the sensitivity estimators see whole
        groups.

    Returns
    -------
    xarray.Dataset
        Indicators with dimensions ``(scenario, replicate, site, time[, ...])``,
        or ``(scenario, point, replicate, site, time[, ...])`` for a sweep;
        ``time`` decoded to dates; ``site_name``, ``site_code``, ``network``,
        ``population``, ``step`` and ``run_complete`` as coordinates (and, for
        a sweep, one coordinate per swept parameter plus ``sweep_role``,
        ``sweep_group`` and ``sweep_factor`` on ``point``); units in each
        variable's ``attrs``. Analysis attributes added: ``analysis_source``
        (path), ``analysis_runs_total``, ``analysis_incomplete_runs``,
        ``analysis_dropped_replicates`` and ``analysis_dropped_points``.

    Raises
    ------
    FileNotFoundError, NotAtcsimFileError, SchemaVersionError
        See :func:`check_file`.

    Warns
    -----
    IncompleteRunsWarning
        When some runs are not complete (with how many, and which replicates
        or points were dropped) or the file is a ``.partial`` file.
    """
    path = Path(path)
    ds = open_raw(path)
    flags = _run_flags(ds)
    n_runs = flags.size
    n_incomplete = int((~flags).sum())
    has_flags = "run_complete" in ds.coords
    if is_sweep(ds):
        # flags are (scenario, point, replicate): a point is usable when complete everywhere,
        # and a design group (Sobol base sample, Morris trajectory) only when all its points are.
        point_ok = flags.all(axis=(0, 2)) if flags.size else np.ones(ds.sizes[SWEEP_DIM], bool)
        groups = (
            np.asarray(ds["sweep_group"].values)
            if "sweep_group" in ds.coords
            else np.arange(ds.sizes[SWEEP_DIM])
        )
        keep = ~np.isin(groups, groups[~point_ok])
        dropped = [int(p) for p in ds[SWEEP_DIM].values[~keep]]
        n_groups = int(np.unique(groups[~keep]).size)
        word = {"sobol": "Sobol base sample(s) (A, B and AB points)", "morris": "Morris trajectory(ies)"}.get(
            sweep_method(ds)
        )
        message = _incomplete_message(
            path,
            n_runs,
            n_incomplete,
            dropped,
            int(keep.sum()),
            drop_incomplete,
            has_flags,
            unit="point",
            groups=f"{n_groups} {word}" if word else "",
        )
        dim, dropped_reps, dropped_points = SWEEP_DIM, [], dropped
    else:
        keep = flags.all(axis=0) if flags.ndim == 2 else np.ones(ds.sizes["replicate"], bool)
        dropped = [int(r) for r in ds["replicate"].values[~keep]]
        message = _incomplete_message(
            path, n_runs, n_incomplete, dropped, int(keep.sum()), drop_incomplete, has_flags
        )
        dim, dropped_reps, dropped_points = "replicate", dropped, []
    if message:
        warnings.warn(message, IncompleteRunsWarning, stacklevel=2)
    if drop_incomplete and dropped:
        kept = np.flatnonzero(keep)
        # an empty index array trips xarray's lazy backend indexing: use an empty slice
        ds = ds.isel({dim: kept if kept.size else slice(0, 0)})
    ds.attrs["analysis_runs_total"] = n_runs
    ds.attrs["analysis_incomplete_runs"] = n_incomplete
    ds.attrs["analysis_dropped_replicates"] = np.asarray(
        dropped_reps if drop_incomplete else [], dtype=np.int64
    )
    ds.attrs["analysis_dropped_points"] = np.asarray(
        dropped_points if drop_incomplete else [], dtype=np.int64
    )
    return ds


def _run_flags(ds: xr.Dataset) -> np.ndarray:
    """Boolean run-complete flags (scenario[, point], replicate); all True if absent."""
    dims = ["scenario", SWEEP_DIM, "replicate"] if is_sweep(ds) else ["scenario", "replicate"]
    if "run_complete" not in ds.coords:
        return np.ones(tuple(ds.sizes[d] for d in dims), dtype=bool)
    rc = ds["run_complete"].transpose(*dims)
    return np.asarray(rc.values) == 1


def _incomplete_message(
    path: Path,
    n_runs: int,
    n_incomplete: int,
    dropped: list[int],
    n_kept: int,
    drop: bool,
    has_flags: bool,
    unit: str = "replicate",
    groups: str = "",
) -> str:
    parts = []
    if not has_flags:
        parts.append(
            f"{path.name}: no run_complete flags in the file, so completeness of runs " "cannot be checked"
        )
    if path.name.endswith(_PARTIAL_SUFFIX):
        parts.append(f"{path.name} is a .partial file (the experiment did not finish)")
    if n_incomplete:
        if unit == "point":
            what = (
                f"{n_incomplete} of {n_runs} runs (scenario x point x replicate) are not "
                "marked complete (run_complete == 0)"
            )
            shown = dropped if len(dropped) <= 20 else [*dropped[:20], "..."]
            of = f", all points of {groups}," if groups else ""
            dropped_text = (
                f"; dropped {len(dropped)} sweep point(s) {shown}{of} "
                "from every scenario and replicate, because a point is kept only if its "
                "whole design group is complete everywhere (so that comparisons stay "
                f"paired and the sensitivity estimators see whole groups); {n_kept} point(s) "
                "left"
            )
        else:
            what = (
                f"{n_incomplete} of {n_runs} runs (scenario x replicate) are not marked "
                "complete (run_complete == 0)"
            )
            dropped_text = (
                f"; dropped {len(dropped)} replicate(s) {dropped} from every scenario, "
                "because a replicate is kept only if it is complete in every scenario "
                f"(so that paired comparisons stay valid); {n_kept} replicate(s) left"
            )
        if not drop:
            what += "; kept as NaN because drop_incomplete=False"
        else:
            what += dropped_text
            if n_kept == 0:
                what += (
                    "; nothing left to analyse: open with drop_incomplete=False "
                    "to look at the completed runs"
                )
        parts.append(what)
    elif parts and has_flags:
        parts.append("every run is marked complete")
    return "; ".join(parts)


def indicators(ds: xr.Dataset) -> list[str]:
    """Names of the indicator variables (those with all of :data:`CORE_DIMS`)."""
    return [name for name, da in ds.data_vars.items() if set(CORE_DIMS) <= set(da.dims)]


def extra_dims(da: xr.DataArray) -> list[str]:
    """Dimensions of ``da`` beyond :data:`CORE_DIMS` and ``point`` (e.g. ``theme``)."""
    return [d for d in da.dims if d not in CORE_DIMS and d != SWEEP_DIM]


def is_sweep(ds: xr.Dataset | xr.DataArray) -> bool:
    """True when ``ds`` has a ``point`` dimension (the file holds a parameter sweep)."""
    return SWEEP_DIM in ds.dims


def sweep_method(ds: xr.Dataset | xr.DataArray) -> str:
    """Sampling design of the sweep (``grid``, ``lhs``, ``sobol``, ``morris``), or ``""``."""
    return str(ds.attrs.get("sweep_method", "")) if is_sweep(ds) else ""


def _sweep_coordinate_names(ds: xr.Dataset | xr.DataArray) -> list[str]:
    names = str(ds.attrs.get("sweep_parameters", "")).split()
    if names:
        return names
    # Fallback (e.g. a DataArray, without the global attributes): 1-d variables on
    # `point` that carry a sweep_key attribute, in file order.
    variables = ds.variables if isinstance(ds, xr.Dataset) else ds.coords
    return [str(n) for n, v in variables.items() if v.dims == (SWEEP_DIM,) and "sweep_key" in v.attrs]


def sweep_parameters(ds: xr.Dataset | xr.DataArray) -> list[str]:
    """Coordinate names of the swept parameters, in design order (e.g. ``["model_x1"]``).

    The order is that of the ``sweep_parameters`` global attribute, which is
    the order ``sweep_factor`` refers to. Empty when the data are not a sweep.
    """
    if not is_sweep(ds):
        return []
    return [n for n in _sweep_coordinate_names(ds) if n in ds.coords]


def sweep_table(ds: xr.Dataset | xr.DataArray) -> pd.DataFrame:
    """The swept parameters: one row per coordinate name.

    Columns ``key`` (dotted config key, e.g. ``model.x1``), ``units``,
    ``min``, ``max`` (the declared range of ranged designs, else the smallest
    and largest value), ``scale`` (``linear`` or ``log``; ranged designs
    only, else empty), ``n_values`` (distinct values in the data).
    """
    rows = []
    for name in sweep_parameters(ds):
        a = ds[name].attrs
        rows.append(
            {
                "parameter": name,
                "key": str(a.get("sweep_key", name)),
                "units": str(a.get("units", "")),
                "min": float(a["sweep_min"]) if "sweep_min" in a else float(np.nanmin(ds[name].values)),
                "max": float(a["sweep_max"]) if "sweep_max" in a else float(np.nanmax(ds[name].values)),
                "scale": str(a.get("sweep_scale", "")),
                "n_values": _count_distinct(np.asarray(ds[name].values, dtype=float)),
            }
        )
    columns = ["parameter", "key", "units", "min", "max", "scale", "n_values"]
    return pd.DataFrame(rows, columns=columns).set_index("parameter")


def require_variable(ds: xr.Dataset, variable: str) -> xr.DataArray:
    """Return indicator ``variable`` or raise :class:`VariableNotFoundError`."""
    if variable not in ds.data_vars or variable not in indicators(ds):
        available = ", ".join(indicators(ds)) or "none"
        raise VariableNotFoundError(
            f"variable {variable!r} is not an indicator of this file; available: {available}"
        )
    return ds[variable]


def site_labels(ds: xr.Dataset | xr.DataArray) -> dict[str, str]:
    """Map site id to a display label (``site_name`` when present and non-empty)."""
    ids = [str(s) for s in ds["site"].values]
    if "site_name" not in ds.coords:
        return {s: s for s in ids}
    names = [str(n) for n in ds["site_name"].values]
    return {s: (n if n else s) for s, n in zip(ids, names)}


def read_parameters(source: str | os.PathLike[str] | xr.Dataset) -> pd.DataFrame:
    """Read the ``/parameters`` group of an atcsim file.

    Parameters
    ----------
    source
        A path, or a dataset returned by :func:`open` (its
        ``analysis_source`` attribute gives the path).

    Returns
    -------
    pandas.DataFrame
        One row per parameter (index ``name``) with columns ``value``,
        ``units``, ``description``, ``valid_min``, ``valid_max``, ``source``
        (missing attributes are empty strings or NaN). Empty if the file has
        no ``/parameters`` group.
    """
    if isinstance(source, xr.Dataset):
        if "analysis_source" not in source.attrs:
            raise ValueError("dataset has no 'analysis_source' attribute: pass the file path")
        source = source.attrs["analysis_source"]
    check_file(source)
    # Read once per file version: a report asks for them a dozen times (a
    # tenth of a second each for the territorial model's 160 parameters).
    key = _file_version(Path(source))
    if key not in _parameters_cache:
        _parameters_cache.clear()  # one file's at a time: the entries of older versions are never asked for
        _parameters_cache[key] = _read_parameters(source)
    return _parameters_cache[key].copy()


def _read_parameters(source: str | os.PathLike[str]) -> pd.DataFrame:
    rows = []
    try:
        with h5py.File(source, "r") as f:
            group = f.get("parameters")
            if isinstance(group, h5py.Group):
                for name, dset in group.items():
                    if not isinstance(dset, h5py.Dataset):
                        continue
                    attrs = {k: _plain(v) for k, v in dset.attrs.items()}
                    rows.append(
                        {
                            "name": name,
                            "value": _plain(dset[()]),
                            "units": str(attrs.get("units", "")),
                            "description": str(attrs.get("description", "")),
                            "valid_min": _number_or_nan(attrs.get("valid_min", np.nan)),
                            "valid_max": _number_or_nan(attrs.get("valid_max", np.nan)),
                            "source": str(attrs.get("source", "")),
                        }
                    )
    except Exception as exc:  # noqa: BLE001 - the file's content is untrusted input
        raise AtcsimFileError(f"{source}: malformed /parameters group: {_one_line(exc)}") from None
    columns = ["name", "value", "units", "description", "valid_min", "valid_max", "source"]
    return pd.DataFrame(rows, columns=columns).set_index("name")


def _number_or_nan(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _count_distinct(x: np.ndarray) -> int:
    """Distinct values, treating values within 1e-9 (relative) of each other as equal."""
    x = np.sort(x[np.isfinite(x)])
    if x.size == 0:
        return 0
    tol = 1e-9 * max(1.0, float(np.abs(x).max()))
    return int(1 + np.count_nonzero(np.diff(x) > tol))


def _plain(value: Any) -> Any:
    """Turn HDF5 attribute/dataset values into plain Python values."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        if value.shape == () or value.size == 1:
            return _plain(value.reshape(-1)[0]) if value.size else value
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def as_list(names: str | Sequence[str] | None) -> list[str] | None:
    """Normalise a name or sequence of names to a list (None stays None)."""
    if names is None:
        return None
    if isinstance(names, str):
        return [names]
    return [str(n) for n in names]
