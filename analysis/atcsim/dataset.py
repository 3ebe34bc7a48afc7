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

from .errors import (
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
]

#: Schema version (``atcsim_schema`` global attribute) this package reads.
SUPPORTED_SCHEMA = 1
#: Dimensions every indicator has, in this order.
CORE_DIMS: tuple[str, ...] = ("scenario", "replicate", "site", "time")
_SITE_COORDS = ("site_name", "site_code", "network", "population")
_TIME_COORDS = ("step",)
_PARTIAL_SUFFIX = ".partial"


def check_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check that ``path`` is an atcsim output file this package can read.

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
        ``path`` is not an HDF5 file or has no ``atcsim_schema`` attribute.
    SchemaVersionError
        The file's schema version differs from :data:`SUPPORTED_SCHEMA`.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if not path.is_file():
        raise NotAtcsimFileError(f"{path}: not a file")
    if not os.access(path, os.R_OK):
        raise AtcsimFileError(f"{path}: permission denied (cannot read the file)")
    if not h5py.is_hdf5(path):
        raise NotAtcsimFileError(
            f"{path}: not an atcsim output file (not HDF5); expected a file written by `atcsim run`")
    with h5py.File(path, "r") as f:
        attrs = {k: _plain(v) for k, v in f.attrs.items()}
    if "atcsim_schema" not in attrs:
        raise NotAtcsimFileError(
            f"{path}: not an atcsim output file (no 'atcsim_schema' global attribute); "
            "expected a file written by `atcsim run`")
    try:
        schema = int(attrs["atcsim_schema"])
    except (TypeError, ValueError):
        raise SchemaVersionError(
            f"{path}: unreadable atcsim_schema attribute {attrs['atcsim_schema']!r}") from None
    if schema != SUPPORTED_SCHEMA:
        version = attrs.get("atcsim_version", "unknown version")
        hint = ("use the analysis package of the atcsim release that wrote it"
                if schema > SUPPORTED_SCHEMA else "re-run the experiment with a current atcsim")
        raise SchemaVersionError(
            f"{path}: written by atcsim {version} with output schema {schema}; this analysis "
            f"package reads schema {SUPPORTED_SCHEMA} only ({hint})")
    return attrs


def open_raw(path: str | os.PathLike[str]) -> xr.Dataset:
    """Open an atcsim file without touching incomplete runs.

    Like :func:`open` but keeps every run, complete or not, and emits no
    warning. Useful to inspect an interrupted experiment.
    """
    path = Path(path)
    check_file(path)
    ds = xr.open_dataset(path, engine="h5netcdf")
    missing = [d for d in CORE_DIMS if d not in ds.dims]
    if missing:
        ds.close()
        raise NotAtcsimFileError(
            f"{path}: atcsim_schema is set but dimension(s) {', '.join(missing)} are missing")
    coords = [c for c in (*_SITE_COORDS, *_TIME_COORDS, "run_complete") if c in ds.data_vars]
    ds = ds.set_coords(coords)
    ds.attrs["analysis_source"] = str(path)
    return ds


def open(path: str | os.PathLike[str], *, drop_incomplete: bool = True) -> xr.Dataset:  # noqa: A001
    """Open an atcsim output file as an :class:`xarray.Dataset`.

    Parameters
    ----------
    path
        Output of ``atcsim run`` (``OUT.h5``), or an interrupted one
        (``OUT.h5.partial``).
    drop_incomplete
        Drop every replicate that is not complete (``run_complete == 1``) in
        *every* scenario. Keeping a replicate only when all its scenarios are
        complete keeps scenarios paired (replicate r of each scenario shares
        its random numbers), which :func:`atcsim.compare` relies on.

    Returns
    -------
    xarray.Dataset
        Indicators with dimensions ``(scenario, replicate, site, time[, ...])``;
        ``time`` decoded to dates; ``site_name``, ``site_code``, ``network``,
        ``population``, ``step`` and ``run_complete`` as coordinates; units in
        each variable's ``attrs``. Analysis attributes added:
        ``analysis_source`` (path), ``analysis_runs_total``,
        ``analysis_incomplete_runs`` and ``analysis_dropped_replicates``.

    Raises
    ------
    FileNotFoundError, NotAtcsimFileError, SchemaVersionError
        See :func:`check_file`.

    Warns
    -----
    IncompleteRunsWarning
        When some runs are not complete (with how many, and which replicates
        were dropped) or the file is a ``.partial`` file.
    """
    path = Path(path)
    ds = open_raw(path)
    flags = _run_flags(ds)
    n_runs = flags.size
    n_incomplete = int((~flags).sum())
    keep = flags.all(axis=0) if flags.ndim == 2 else np.ones(ds.sizes["replicate"], bool)
    dropped = [int(r) for r in ds["replicate"].values[~keep]]
    message = _incomplete_message(path, n_runs, n_incomplete, dropped, int(keep.sum()),
                                  drop_incomplete, "run_complete" in ds.coords)
    if message:
        warnings.warn(message, IncompleteRunsWarning, stacklevel=2)
    if drop_incomplete and dropped:
        kept = np.flatnonzero(keep)
        # an empty index array trips xarray's lazy backend indexing: use an empty slice
        ds = ds.isel(replicate=kept if kept.size else slice(0, 0))
    ds.attrs["analysis_runs_total"] = n_runs
    ds.attrs["analysis_incomplete_runs"] = n_incomplete
    ds.attrs["analysis_dropped_replicates"] = np.asarray(
        dropped if drop_incomplete else [], dtype=np.int64)
    return ds


def _run_flags(ds: xr.Dataset) -> np.ndarray:
    """Boolean run-complete flags (scenario, replicate); all True if absent."""
    if "run_complete" not in ds.coords:
        return np.ones((ds.sizes["scenario"], ds.sizes["replicate"]), dtype=bool)
    rc = ds["run_complete"].transpose("scenario", "replicate")
    return np.asarray(rc.values) == 1


def _incomplete_message(path: Path, n_runs: int, n_incomplete: int, dropped: list[int],
                        n_kept: int, drop: bool, has_flags: bool) -> str:
    parts = []
    if not has_flags:
        parts.append(f"{path.name}: no run_complete flags in the file, so completeness of runs "
                     "cannot be checked")
    if path.name.endswith(_PARTIAL_SUFFIX):
        parts.append(f"{path.name} is a .partial file (the experiment did not finish)")
    if n_incomplete:
        what = (f"{n_incomplete} of {n_runs} runs (scenario x replicate) are not marked complete "
                "(run_complete == 0)")
        if drop:
            what += (f"; dropped {len(dropped)} replicate(s) {dropped} from every scenario, "
                     "because a replicate is kept only if it is complete in every scenario "
                     f"(so that paired comparisons stay valid); {n_kept} replicate(s) left")
            if n_kept == 0:
                what += ("; nothing left to analyse: open with drop_incomplete=False "
                         "to look at the completed runs")
        else:
            what += "; kept as NaN because drop_incomplete=False"
        parts.append(what)
    elif parts and has_flags:
        parts.append("every run is marked complete")
    return "; ".join(parts)


def indicators(ds: xr.Dataset) -> list[str]:
    """Names of the indicator variables (those with all of :data:`CORE_DIMS`)."""
    return [name for name, da in ds.data_vars.items() if set(CORE_DIMS) <= set(da.dims)]


def extra_dims(da: xr.DataArray) -> list[str]:
    """Dimensions of ``da`` beyond :data:`CORE_DIMS` (e.g. ``theme``)."""
    return [d for d in da.dims if d not in CORE_DIMS]


def require_variable(ds: xr.Dataset, variable: str) -> xr.DataArray:
    """Return indicator ``variable`` or raise :class:`VariableNotFoundError`."""
    if variable not in ds.data_vars or variable not in indicators(ds):
        available = ", ".join(indicators(ds)) or "none"
        raise VariableNotFoundError(
            f"variable {variable!r} is not an indicator of this file; available: {available}")
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
    rows = []
    with h5py.File(source, "r") as f:
        group = f.get("parameters")
        if isinstance(group, h5py.Group):
            for name, dset in group.items():
                if not isinstance(dset, h5py.Dataset):
                    continue
                attrs = {k: _plain(v) for k, v in dset.attrs.items()}
                rows.append({
                    "name": name,
                    "value": _plain(dset[()]),
                    "units": str(attrs.get("units", "")),
                    "description": str(attrs.get("description", "")),
                    "valid_min": attrs.get("valid_min", np.nan),
                    "valid_max": attrs.get("valid_max", np.nan),
                    "source": str(attrs.get("source", "")),
                })
    columns = ["name", "value", "units", "description", "valid_min", "valid_max", "source"]
    return pd.DataFrame(rows, columns=columns).set_index("name")


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
