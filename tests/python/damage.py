"""Damaged-file corpus for the analysis package's command line and ``atcsim.open``.

``make_corpus(base, folder)`` derives, from one good atcsim output file, files
damaged the ways files get damaged: not HDF5 at all, empty, a folder, special
files, truncated at many lengths, single and multiple bit flips (seeded, so
the corpus is the same on every run), zeroed blocks, well-formed HDF5
with missing variables, wrong types, wrong shapes or bad attributes, and well-formed netCDF-4
(consistent dimension scales) that breaks one rule of the layout (``layout_edits``).

``python3 damage.py CORPUS.json RESULTS.jsonl [--report N]`` runs every file of
a corpus through ``python3 -m atcsim info`` (in process, through
``atcsim.cli.main``), ``atcsim.open`` and, for the files ``info`` rejects plus
N of the others, ``report``, writing one JSON line per file as it goes. It is
run in a child process by ``test_damaged_files.py``: if the HDF5 library
crashes despite the package's guard, the child dies and the last line written
names the file.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import h5py
import numpy as np

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


@dataclass
class Damaged:
    name: str  # file name in the corpus folder
    path: str
    kind: str  # family of damage
    certain: bool  # True when the file cannot be a readable atcsim file (exit 2 required)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _edit(base: Path, folder: Path, name: str, edit) -> Path:
    """A copy of ``base`` changed through h5py by ``edit(file)``."""
    path = folder / name
    shutil.copyfile(base, path)
    with h5py.File(path, "r+") as f:
        edit(f)
    return path


def _replace(f: h5py.File, name: str, data) -> None:
    del f[name]
    f.create_dataset(name, data=data)


def dimension_names(dset: h5py.Dataset) -> list[str]:
    """The names of the dimension scales attached to each axis of ``dset`` (the last one of each)."""
    return [axis[len(axis) - 1].name.split("/")[-1] if len(axis) else "" for axis in dset.dims]


def replace_attached(f: h5py.File, name: str, data, dims: list[str]) -> None:
    """Replace dataset ``name`` by ``data`` with its axes attached to the scales ``dims``.

    Unlike :func:`_replace`, the scales stay consistent: the old dataset is detached from
    its scales first (else they keep references to a deleted object, a damaged file), so
    the result is a well-formed netCDF-4 file whose only fault is its layout.
    """
    old = f[name]
    for axis, scale_name in enumerate(dimension_names(old)):
        old.dims[axis].detach_scale(f[scale_name])
    del f[name]
    new = f.create_dataset(name, data=data)
    for axis, scale_name in enumerate(dims):
        new.dims[axis].attach_scale(f[scale_name])


def first_indicator(f: h5py.File) -> str:
    """The first indicator variable of an atcsim file, in name order."""
    return next(n for n in f if n not in _NON_INDICATORS and len(f[n].shape) >= 4)


def layout_edits(f: h5py.File) -> dict[str, object]:
    """name -> edit of a well-formed file that breaks one rule of its layout (docs/output_schema.md)
    and nothing else: every value stays readable, and the dimension scales stay consistent except in
    ``scale_lists_others``, whose only fault is a scale that lists axes which do not name it."""
    indicator = first_indicator(f)
    dims = dimension_names(f[indicator])
    shape = f[indicator].shape
    n_scenarios, n_replicates, n_sites = (len(f[d]) for d in ("scenario", "replicate", "site"))

    def swap(name, data, names):
        return lambda g: replace_attached(g, name, data, names)

    def time_not_a_scale(g):
        time = g["time"]
        for user in [g[n] for n in g if isinstance(g[n], h5py.Dataset) and n != "time"]:
            for axis, scale_name in enumerate(dimension_names(user)):
                if scale_name == "time":
                    user.dims[axis].detach_scale(time)
        for attr in ("CLASS", "NAME", "REFERENCE_LIST"):
            if attr in time.attrs:
                del time.attrs[attr]

    def scale_lists_others(g):
        # `scenario` lists the users of `site` as its own: the two-way links disagree.
        users = g["site"].attrs.get_id("REFERENCE_LIST")
        g["scenario"].attrs.create("REFERENCE_LIST", g["site"].attrs["REFERENCE_LIST"], dtype=users.dtype)

    return {
        "run_complete_extra_dim": swap(
            "run_complete",
            np.ones((n_scenarios, n_replicates, n_sites), np.int8),
            ["scenario", "replicate", "site"],
        ),
        "run_complete_text": swap(
            "run_complete", np.full((n_scenarios, n_replicates), b"yes"), ["scenario", "replicate"]
        ),
        "run_complete_sizes": swap(
            "run_complete", np.ones((n_scenarios, n_replicates + 1), np.int8), ["scenario", "replicate"]
        ),
        "run_complete_short": swap(
            "run_complete", np.ones((n_scenarios, n_replicates - 1), np.int8), ["scenario", "replicate"]
        ),
        "indicator_text": swap(indicator, np.full(shape, b"1.5"), dims),
        "site_name_2d": swap("site_name", np.full((n_sites, n_scenarios), b"x"), ["site", "scenario"]),
        "population_text": swap("population", np.full(n_sites, b"many"), ["site"]),
        "time_not_a_scale": time_not_a_scale,
        "scale_lists_others": scale_lists_others,
    }


def _structural_edits(f_names: list[str]) -> dict[str, object]:
    """name -> edit function; every one leaves a file that is not a usable atcsim output."""
    indicator = next(n for n in f_names if n not in _NON_INDICATORS)

    def delete(*names):
        def edit(f):
            for n in names:
                if n in f:
                    del f[n]

        return edit

    def set_attr(name, value):
        def edit(f):
            f.attrs[name] = value

        return edit

    def del_attr(name):
        def edit(f):
            del f.attrs[name]

        return edit

    def replace(name, data):
        return lambda f: _replace(f, name, data)

    def all_indicators(f):
        for n in list(f.keys()):
            if n not in _NON_INDICATORS:
                del f[n]

    def time_units(f):
        f["time"].attrs["units"] = "fortnights since the flood"

    return {
        "missing_time": delete("time"),
        "missing_scenario": delete("scenario"),
        "missing_replicate": delete("replicate"),
        "missing_site": delete("site"),
        "missing_all_indicators": all_indicators,
        "indicator_strings": replace(indicator, np.array([b"x", b"y"])),
        "indicator_scalar": replace(indicator, 1.5),
        "run_complete_strings": replace("run_complete", np.array([b"yes", b"no"])),
        "run_complete_3d": replace("run_complete", np.ones((2, 2, 2), dtype=np.int8)),
        "schema_text": set_attr("atcsim_schema", "one"),
        "schema_list": set_attr("atcsim_schema", np.array([1, 2])),
        "schema_future": set_attr("atcsim_schema", 99),
        "schema_missing": del_attr("atcsim_schema"),
        "population_strings": replace("population", np.array([b"many"] * 3)),
        "site_name_2d": replace("site_name", np.zeros((2, 2))),
        "time_units_garbage": time_units,
    }


# Edits after which the file is still a usable atcsim output (one indicator
# fewer; times left undecoded): the tools may accept them.
_STILL_USABLE = {"indicator_scalar"}

_NON_INDICATORS = {
    "scenario",
    "replicate",
    "site",
    "time",
    "theme",
    "point",
    "site_name",
    "site_code",
    "network",
    "population",
    "step",
    "run_complete",
    "parameters",
    "config",
    "sweep_role",
    "sweep_group",
    "sweep_factor",
}


def make_corpus(base: Path, folder: Path, seed: int = 15, flips: int = 40) -> list[Damaged]:
    """Write the damaged versions of ``base`` into ``folder``; return their descriptions."""
    folder.mkdir(parents=True, exist_ok=True)
    good = base.read_bytes()
    rng = random.Random(seed)
    out: list[Damaged] = []

    def add(path: Path, kind: str, certain: bool) -> None:
        out.append(Damaged(path.name, str(path), kind, certain))

    # Not an HDF5 file at all.
    add(_write(folder, "empty.h5", b""), "not-hdf5", True)
    add(_write(folder, "text.h5", b"this is not a result file\n"), "not-hdf5", True)
    add(_write(folder, "png.h5", b"\x89PNG\r\n\x1a\n" + bytes(200)), "not-hdf5", True)
    add(_write(folder, "random.h5", bytes(rng.getrandbits(8) for _ in range(4096))), "not-hdf5", True)
    add(_write(folder, "signature_only.h5", HDF5_SIGNATURE), "not-hdf5", True)
    add(_write(folder, "signature_then_zeros.h5", HDF5_SIGNATURE + bytes(4096)), "not-hdf5", True)
    directory = folder / "directory.h5"
    directory.mkdir(exist_ok=True)
    add(directory, "special", True)
    devnull = folder / "devnull.h5"
    if not devnull.is_symlink():
        devnull.symlink_to("/dev/null")
    add(devnull, "special", True)
    fifo = folder / "fifo.h5"
    if not fifo.exists():
        os.mkfifo(fifo)
    add(fifo, "special", True)
    with h5py.File(folder / "other_hdf5.h5", "w") as f:
        f["x"] = np.arange(3)
    add(folder / "other_hdf5.h5", "not-atcsim", True)

    # Truncated.
    for length in sorted(
        {8, 64, 512, 2048, len(good) // 4, len(good) // 2, 3 * len(good) // 4, len(good) - 1}
    ):
        add(_write(folder, f"truncated_{length}.h5", good[:length]), "truncated", True)

    # Bit flips: one bit each, half of them in the first 8 KiB (superblock,
    # object headers, B-trees), half anywhere; then sets of 8 flips.
    def flipped(positions: list[int]) -> bytes:
        data = bytearray(good)
        for pos in positions:
            data[pos // 8] ^= 1 << (pos % 8)
        return bytes(data)

    head_bits = min(len(good), 8192) * 8
    for k in range(flips):
        limit = head_bits if k % 2 == 0 else len(good) * 8
        pos = rng.randrange(limit)
        add(_write(folder, f"flip_{k:02d}_byte{pos // 8}.h5", flipped([pos])), "bit-flip", False)
    for k in range(flips // 6):
        positions = [rng.randrange(len(good) * 8) for _ in range(8)]
        add(_write(folder, f"flips8_{k:02d}.h5", flipped(positions)), "bit-flips", False)

    # Zeroed 512-byte blocks (a lost sector).
    for offset in (0, 512, 1024, 4096, len(good) // 2):
        data = bytearray(good)
        data[offset : offset + 512] = bytes(min(512, len(good) - offset))
        add(_write(folder, f"zeroed_{offset}.h5", bytes(data)), "zeroed", offset < 512)

    # Well-formed HDF5, wrong content.
    with h5py.File(base, "r") as f:
        names = list(f.keys())
        layout = layout_edits(f)
    for name, edit in _structural_edits(names).items():
        try:
            add(_edit(base, folder, f"{name}.h5", edit), "structure", name not in _STILL_USABLE)
        except (KeyError, ValueError):
            continue  # this base file lacks what the edit changes
    # Well-formed netCDF-4 (consistent dimension scales), one layout rule broken.
    for name, edit in layout.items():
        try:
            add(_edit(base, folder, f"layout_{name}.h5", edit), "layout", True)
        except (KeyError, ValueError):
            continue
    return out


# ---------------------------------------------------------------------------
# Driver (run in a child process by the test).


def _cli(argv: list[str]) -> tuple[int, str, str]:
    from atcsim import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException as exc:  # noqa: BLE001 - recorded as a failure by the test
            code = -1
            err.write(f"UNCAUGHT {type(exc).__name__}: {exc}\n")
    return code, out.getvalue(), err.getvalue()


def _open(path: str) -> tuple[str, str]:
    import warnings

    import atcsim

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = atcsim.open(path)
            ds.load()
            ds.close()
        return "ok", ""
    except atcsim.AtcsimError as exc:
        return "AtcsimError", str(exc)
    except (FileNotFoundError, IsADirectoryError) as exc:
        return "FileError", str(exc)
    except BaseException as exc:  # noqa: BLE001
        return f"UNCAUGHT {type(exc).__name__}", str(exc)


def run_corpus(corpus: list[Damaged], results: Path, report_sample: int, scratch: Path) -> None:
    import matplotlib

    from atcsim import dataset

    matplotlib.use("Agg")
    # Some damage sends the HDF5 library into an endless loop; the files are
    # tiny, so a few seconds tell (the default allows 30 s).
    dataset.PROBE_TIMEOUT = 3.0
    # cli.main is called directly, without the fork of guarded_main that
    # `python3 -m atcsim` adds: only the file check stands between a damaged file
    # and a crash of this process.
    reported_ok = 0
    with results.open("w") as log:
        for item in corpus:
            # Written before the file is touched: after a crash, the last line names it.
            log.write(json.dumps({"start": item.name}) + "\n")
            log.flush()
            info = _cli(["info", item.path])
            opened = _open(item.path)
            record = {**asdict(item), "info": info, "open": opened}
            if info[0] != 0 or reported_ok < report_sample:
                reported_ok += info[0] == 0
                html = scratch / (item.name + ".html")
                record["report"] = _cli(["report", item.path, "-o", str(html), "--n-boot", "20"])
            log.write(json.dumps(record) + "\n")
            log.flush()


def main(argv: list[str]) -> int:
    corpus = [Damaged(**d) for d in json.loads(Path(argv[1]).read_text())]
    report_sample = int(argv[argv.index("--report") + 1]) if "--report" in argv else 2
    results = Path(argv[2])
    run_corpus(corpus, results, report_sample, results.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
