"""Damaged result files: `python3 -m atcsim info/report` and `atcsim.open` say what is
wrong in one line naming the file (exit 2), never a traceback, never a crash.

The corpus (tests/python/damage.py) is derived from a small synthetic file and,
when the atcsim binary is built, a real `atcsim run` output. It is run in ONE
child process, so that a crash of the HDF5 library (which no Python `except`
catches) fails the test naming the file instead of killing pytest.
"""

from __future__ import annotations

import faulthandler
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import atcsim
from atcsim import _probe, cli, dataset
from atcsim.testing import make_synthetic

from conftest import ROOT, subprocess_env
from damage import make_corpus

ATCSIM_BIN = os.environ.get("ATCSIM_BIN", str(ROOT / "build" / "release" / "atcsim"))


def _real_output(folder: Path) -> Path | None:
    """A small real `atcsim run` output, or None without the binary."""
    if not Path(ATCSIM_BIN).is_file():
        return None
    config = folder / "tiny.toml"
    config.write_text(
        '[experiment]\nname = "tiny"\nsteps = 6\nreplicates = 2\nseed = 3\n'
        '[model]\nname = "canonical/watts"\nn = 200\n'
        '[[scenario]]\nname = "a"\n[[scenario]]\nname = "b"\nmodel = { phi = 0.3 }\n'
    )
    out = folder / "tiny.h5"
    proc = subprocess.run(
        [ATCSIM_BIN, "run", str(config), "-o", str(out), "--quiet"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def corpus_results(tmp_path_factory):
    root = tmp_path_factory.mktemp("damage")
    bases = [make_synthetic(root / "synthetic.h5", replicates=3, sites=2, steps=6, seed=4)]
    real = _real_output(root)
    if real is not None:
        bases.append(real)
    corpus = []
    for base in bases:
        corpus += make_corpus(base, root / base.stem)
    listing = root / "corpus.json"
    listing.write_text(json.dumps([vars(d) for d in corpus]))
    results = root / "results.jsonl"
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("damage.py")), str(listing), str(results)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=900,
    )
    lines = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
    started = [r["start"] for r in lines if "start" in r]
    assert proc.returncode == 0, (
        f"the corpus driver died (status {proc.returncode}) on {started[-1] if started else '?'}: "
        f"{proc.stderr[-2000:]}"
    )
    records = [r for r in lines if "start" not in r]
    assert len(records) == len(corpus)
    return records


def _one_line_error(code: int, err: str, path: str, command: str) -> str:
    """'' if (code, err) is a proper outcome for a damaged file, else what is wrong with it."""
    if code == 0:
        return ""
    if code != 2:
        return f"exit {code}: {err.strip()}"
    if "Traceback" in err or err.count("\n") != 1:
        return f"not one line: {err!r}"
    if not err.startswith(f"atcsim {command}: error: ") or path not in err:
        return f"does not name the file: {err!r}"
    return ""


def _reads_differently(path: str, runs: int = 4) -> bool:
    """Whether `atcsim info` gives different exit codes on the same file from one run to the next:
    on some damaged files libhdf5 hands back bytes that change between processes (a string read
    through a damaged address), so that info and report, run one after the other, may disagree."""
    codes = {
        subprocess.run(
            [sys.executable, "-m", "atcsim", "info", path], capture_output=True, env=subprocess_env()
        ).returncode
        for _ in range(runs)
    }
    return len(codes) > 1


def test_every_damaged_file_gives_one_line_and_exit_2(corpus_results):
    problems = []
    unstable = []  # files libhdf5 reads differently from one process to the next
    for r in corpus_results:
        code, _out, err = r["info"]
        if r["certain"] and code != 2:
            problems.append(f"{r['name']}: info exit {code}, expected 2: {err.strip()}")
        problem = _one_line_error(code, err, r["path"], "info")
        if problem:
            problems.append(f"{r['name']}: info: {problem}")
        if "report" in r:
            rcode, _rout, rerr = r["report"]
            if code != 0 and rcode != 2:
                if _reads_differently(r["path"]):
                    unstable.append(r["name"])
                else:
                    problems.append(
                        f"{r['name']}: report exit {rcode} where info gave {code}: {rerr.strip()}"
                    )
            problem = _one_line_error(rcode, rerr, r["path"], "report")
            if problem:
                problems.append(f"{r['name']}: report: {problem}")
        outcome, message = r["open"]
        if outcome not in ("ok", "AtcsimError", "FileError"):
            problems.append(f"{r['name']}: atcsim.open raised {outcome}: {message}")
        elif outcome != "ok" and ("\n" in message or r["path"] not in message):
            problems.append(f"{r['name']}: atcsim.open message not one line naming the file: {message!r}")
        if r["certain"] and outcome == "ok":
            problems.append(f"{r['name']}: atcsim.open accepted a file that cannot be valid")
    # Each tool still gave one line or a result on them (checked above); only the
    # agreement between two processes cannot be asked of such files. They are rare.
    assert len(unstable) <= 2, f"too many files read differently from run to run: {unstable}"
    assert not problems, "\n".join(problems)


def test_the_corpus_covers_every_kind_of_damage(corpus_results):
    kinds = {r["kind"] for r in corpus_results}
    assert kinds >= {"not-hdf5", "special", "not-atcsim", "truncated", "bit-flip", "zeroed", "structure"}
    # Most single bit flips in the first 8 KiB (HDF5 metadata) or in compressed
    # data are detected; the test would pass vacuously if none were.
    flips = [r for r in corpus_results if r["kind"] == "bit-flip"]
    assert sum(r["info"][0] == 2 for r in flips) >= len(flips) // 4


def test_a_crash_of_the_hdf5_library_is_one_line(tmp_path, monkeypatch, capsys):
    # A stand-in for a file that crashes the HDF5 library: the check's child
    # process dies of SIGSEGV, and the parent must survive and say so.
    good = make_synthetic(tmp_path / "good.h5", replicates=2, sites=1, steps=3, seed=5)
    monkeypatch.setattr(_probe, "check", lambda *args, **kw: os.kill(os.getpid(), signal.SIGSEGV))
    monkeypatch.setattr(dataset, "_probe_cache", {})
    assert cli.main(["info", str(good)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"atcsim info: error: {good}: damaged HDF5 file: the HDF5 library crashed reading it (SIGSEGV)\n"
    )
    with pytest.raises(atcsim.AtcsimFileError, match="crashed reading it"):
        atcsim.open(good)


def test_the_check_runs_once_per_file_version(tmp_path, monkeypatch):
    good = make_synthetic(tmp_path / "good.h5", replicates=2, sites=1, steps=3, seed=6)
    calls = []
    real = dataset._run_probe
    monkeypatch.setattr(dataset, "_run_probe", lambda p: calls.append(p) or real(p))
    monkeypatch.setattr(dataset, "_probe_cache", {})
    atcsim.open(good).close()
    atcsim.open(good).close()
    assert len(calls) == 1
    os.utime(good, ns=(0, 0))  # another version of the file: checked again
    atcsim.open(good).close()
    assert len(calls) == 2


def _spin(*_args, **_kw):
    while True:
        pass


def test_a_check_that_loops_is_reported(tmp_path, monkeypatch):
    # Some damage sends the HDF5 library into an endless loop (e.g. a zeroed sector).
    good = make_synthetic(tmp_path / "good.h5", replicates=2, sites=1, steps=3, seed=7)
    monkeypatch.setattr(_probe, "check", _spin)
    monkeypatch.setattr(dataset, "PROBE_TIMEOUT", 0.5)
    monkeypatch.setattr(dataset, "_probe_cache", {})
    with pytest.raises(atcsim.AtcsimFileError, match="did not finish within 0.5 s of CPU time"):
        atcsim.open(good)


def test_a_slow_check_on_a_busy_machine_is_not_damage(tmp_path, monkeypatch):
    # The limit is CPU time: a check that waits (a starved process, a slow disk)
    # longer than the limit is not a loop. With a wall-clock limit, a loaded
    # machine reported dozens of intact files as damaged.
    good = make_synthetic(tmp_path / "good.h5", replicates=2, sites=1, steps=3, seed=9)
    monkeypatch.setattr(_probe, "check", lambda *args, **kw: time.sleep(1.5))
    monkeypatch.setattr(dataset, "PROBE_TIMEOUT", 0.5)
    monkeypatch.setattr(dataset, "_probe_cache", {})
    atcsim.open(good).close()


def test_the_two_halves_of_the_check_run_side_by_side_and_the_first_failure_is_the_verdict(
    tmp_path, monkeypatch
):
    good = make_synthetic(tmp_path / "good.h5", replicates=2, sites=1, steps=3, seed=10)

    def meet(path, budget, with_xarray=True, part=None):
        # Each half waits for the other to start: run one after the other, the first would fail.
        (tmp_path / f"{part}.started").touch()
        other = tmp_path / f"{_probe.READERS if part == _probe.DATA else _probe.DATA}.started"
        deadline = time.monotonic() + 20
        while not other.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{part} ran alone")
            time.sleep(0.01)

    monkeypatch.setattr(_probe, "check", meet)
    monkeypatch.setattr(_probe, "SPLIT_BYTES", good.stat().st_size)  # no longer small
    assert _probe.check_isolated(str(good), 1 << 20, 60.0) == ""

    def failing(parts):
        def check(path, budget, with_xarray=True, part=None):
            if part in parts:
                raise ValueError(f"{part} failed")

        return check

    # Both fail: the data half's verdict, as when one process read the file in that order.
    monkeypatch.setattr(_probe, "check", failing({_probe.DATA, _probe.READERS}))
    assert _probe.check_isolated(str(good), 1 << 20, 60.0) == "damaged HDF5 file: ValueError: data failed"
    monkeypatch.setattr(_probe, "check", failing({_probe.READERS}))
    assert _probe.check_isolated(str(good), 1 << 20, 60.0) == "damaged HDF5 file: ValueError: readers failed"


def test_a_small_file_is_checked_by_one_child_in_the_order_of_the_halves(tmp_path, monkeypatch):
    good = make_synthetic(tmp_path / "good.h5", replicates=2, sites=1, steps=3, seed=11)
    assert good.stat().st_size < _probe.SPLIT_BYTES
    parent = os.getpid()

    def record(path, budget, with_xarray=True, part=None):
        # The real check, each half in turn, recording the process that ran it.
        for half in [_probe.DATA, _probe.READERS] if part is None else [part]:
            with (tmp_path / "halves").open("a") as f:
                f.write(f"{os.getpid()} {half}\n")
            real_check(path, budget, with_xarray, half)

    real_check = _probe.check
    monkeypatch.setattr(_probe, "check", record)
    assert _probe.check_isolated(str(good), 1 << 20, 60.0) == ""
    runs = [line.split() for line in (tmp_path / "halves").read_text().splitlines()]
    assert [half for _pid, half in runs] == [_probe.DATA, _probe.READERS]
    assert len({pid for pid, _half in runs}) == 1 and runs[0][0] != str(parent)
    # A damaged small file: the verdict is still the data half's.
    damaged = tmp_path / "truncated.h5"
    damaged.write_bytes(good.read_bytes()[:2000])
    assert _probe.check_isolated(str(damaged), 1 << 20, 60.0).startswith("damaged HDF5 file: OSError: ")


def test_without_fork_the_check_runs_in_a_fresh_interpreter(tmp_path, monkeypatch):
    good = make_synthetic(tmp_path / "good.h5", replicates=2, sites=1, steps=3, seed=8)
    damaged = tmp_path / "truncated.h5"
    damaged.write_bytes(good.read_bytes()[:2000])
    monkeypatch.delattr(os, "fork")
    assert _probe.check_isolated(str(good), 1 << 20, 60.0) == ""
    assert _probe.check_isolated(str(damaged), 1 << 20, 60.0).startswith("damaged HDF5 file: OSError: ")


def test_a_crash_after_the_check_still_ends_in_one_line(monkeypatch, capsys):
    # `python3 -m atcsim` runs the command in a forked child: whatever crashes
    # the HDF5 library after the file check, the user gets one line and exit 2.
    def crash(argv):
        faulthandler.disable()  # pytest's would dump the child's stack
        os.kill(os.getpid(), signal.SIGSEGV)

    monkeypatch.setattr(cli, "main", crash)
    assert cli.guarded_main(["report", "out/x.h5", "-o", "r.html"]) == 2
    assert capsys.readouterr().err == (
        "atcsim report: error: out/x.h5: crashed (SIGSEGV) while reading the file: "
        "the HDF5 library fails on it, so the file is probably damaged\n"
    )
    monkeypatch.setattr(cli, "main", lambda argv: 7)
    assert cli.guarded_main(["info", "x.h5"]) == 7
