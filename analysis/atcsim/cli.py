"""Command line: ``python3 -m atcsim report|info|export OUT.h5``, ``python3 -m atcsim calibrate CONFIG.toml``.

Exit codes follow the atcsim CLI contract: 0 success, 1 runtime failure
(e.g. the report cannot be written), 2 usage or input error (bad path, not an
atcsim file, unknown scenario), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import warnings
from typing import Sequence

from .errors import AtcsimError
from .bootstrap import DEFAULT_N_BOOT, DEFAULT_SEED

__all__ = ["main", "guarded_main"]


def _prog() -> str:
    """How the user called us: ``atcsim`` (the simulator's CLI forwards report/export) or the module."""
    return os.environ.get("ATCSIM_PROG") or "python3 -m atcsim"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_prog(), description="Analyse atcsim result files (HDF5 written by `atcsim run`)."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    report = sub.add_parser(
        "report",
        help="write a self-contained HTML report",
        description="Write ONE self-contained HTML file (embedded plots, no scripts, no "
        "network access) describing a result file: what was run, effects with "
        "confidence intervals, per-site plots, cost-effectiveness, caveats.",
    )
    report.add_argument("path", help="result file (OUT.h5 or OUT.h5.partial)")
    report.add_argument(
        "-o",
        "--output",
        help="HTML file to write (default: PATH.html; missing folders are created; an existing "
        "directory, FIFO or device is refused)",
    )
    report.add_argument(
        "--baseline",
        metavar="NAME",
        help="ad hoc contrast: baseline scenario (default: 'baseline' if present, else the first "
        "scenario); without --baseline and --treatment the file's named contrasts are reported",
    )
    report.add_argument(
        "--treatment",
        action="append",
        metavar="NAME",
        help="ad hoc contrast: scenario compared with the baseline (repeatable; default: every other "
        "scenario)",
    )
    when = report.add_mutually_exclusive_group()
    when.add_argument(
        "--at",
        metavar="DATE",
        help="measure effects at this date (YYYY-MM-DD) or model step (>= 0, counted from the start "
        "of the run; default: the end of the experiment, from the intervention timeline; else the end "
        "of the run)",
    )
    when.add_argument(
        "--window",
        nargs=2,
        metavar=("FROM", "TO"),
        help="measure effects as the mean over this window (dates or steps >= 0, inclusive)",
    )
    report.add_argument(
        "--lang",
        choices=("fr", "en"),
        help="language of the summary and the evaluator's sections (default: fr when the file's "
        "contrasts have French questions, else en)",
    )
    report.add_argument(
        "--pooling",
        choices=("population", "unweighted"),
        default="population",
        help="how sites are pooled: population-weighted (default) or unweighted",
    )
    report.add_argument(
        "--n-boot",
        type=int,
        default=DEFAULT_N_BOOT,
        metavar="N",
        help=f"bootstrap resamples, at least 1 (default {DEFAULT_N_BOOT})",
    )
    report.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="SEED",
        help=f"bootstrap seed, a non-negative integer (default {DEFAULT_SEED})",
    )

    info = sub.add_parser(
        "info",
        help="summarise what a result file holds",
        description="Print title, model, version, dimensions, scenarios, "
        "sites, variables, completed runs and parameters.",
    )
    info.add_argument("path", help="result file (OUT.h5 or OUT.h5.partial)")

    export = sub.add_parser(
        "export",
        help="write a CSV for spreadsheets and R (long table or per-run summary)",
        description="Write a CSV (gzip-compressed when OUTPUT ends in .gz): 'csv' is the long table "
        "(scenario, replicate, site, date, [theme...], variable, value), streamed in chunks; "
        "'behaviorspace' has one row per scenario x replicate x site run with its parameters and the "
        "final and mean value of each indicator, like NetLogo BehaviorSpace's table output.",
    )
    export.add_argument("path", help="result file (OUT.h5 or OUT.h5.partial)")
    export.add_argument(
        "-o",
        "--output",
        required=True,
        help="CSV file to write (OUTPUT.gz: gzip), in an existing folder; written as OUTPUT.tmp and "
        "renamed, so an existing directory, FIFO or device is refused",
    )
    export.add_argument("--format", choices=("csv", "behaviorspace"), default="csv", help="default: csv")
    export.add_argument(
        "--variable",
        action="append",
        metavar="NAME",
        help="indicator to export (repeatable; default: every indicator)",
    )
    export.add_argument(
        "--chunk-rows",
        type=int,
        default=None,
        metavar="N",
        help="csv: rows written per chunk (default 500000)",
    )

    cal = sub.add_parser(
        "calibrate",
        help="calibrate model parameters against targets (ABC-SMC, history matching)",
        description="Calibrate the parameters named in CONFIG.toml against the targets file it "
        "names, by ABC-SMC, history matching with Gaussian-process emulators, or both; write "
        "the posterior file (netCDF-4) and print credible intervals and the posterior "
        "predictive check. See docs/calibration.md.",
    )
    cal.add_argument("path", help="calibration config (TOML)")
    cal.add_argument(
        "-o",
        "--output",
        help="posterior file to write (overrides calibration.output; missing folders are created; an "
        "existing directory, FIFO or device, or an input file, is refused before anything runs)",
    )
    cal.add_argument(
        "--resume", action="store_true", help="continue an interrupted calibration from its work directory"
    )
    cal.add_argument("--quiet", action="store_true", help="no progress messages")
    cal.add_argument("--engine", metavar="PATH", help="atcsim binary (overrides simulator.engine)")
    cal.add_argument("--seed", type=int, metavar="SEED", help="override calibration.seed")
    cal.add_argument(
        "--targets",
        metavar="FILE",
        help="targets file (overrides calibration.targets; e.g. synthetic targets for a recovery test)",
    )
    cal.add_argument(
        "--keep-work",
        action="store_true",
        help="keep the work directory (cached simulations) after success, or after the engine rejected "
        "the config (otherwise what the refused run created is removed)",
    )
    return parser


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def _run_report(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from .report import write_report  # matplotlib is only imported when needed

    if args.n_boot < 1:
        raise AtcsimError(f"--n-boot: expected a positive number of bootstrap resamples, got {args.n_boot}")
    if args.seed < 0:
        raise AtcsimError(f"--seed: expected a non-negative integer, got {args.seed}")
    at = _time_arg("--at", args.at)
    window = tuple(_time_arg("--window", t) for t in args.window) if args.window else None
    command = _prog() + " " + " ".join(shlex.quote(a) for a in argv)
    output, notes = write_report(
        args.path,
        args.output,
        baseline=args.baseline,
        treatments=args.treatment,
        n_boot=args.n_boot,
        seed=args.seed,
        report_command=command,
        at=at,
        window=window,
        lang=args.lang,
        pooling=args.pooling,
    )
    for note in notes:
        print(f"atcsim report: warning: {_one_line(Exception(note))}", file=sys.stderr)
    print(f"atcsim report: wrote {output}")
    return 0


def _time_arg(option: str, text: str | None) -> str | int | None:
    """A date stays a string; a whole number is a model step, which cannot be negative.

    (``atcsim.compare(at=-1)`` counts from the end; on the command line a
    negative step is refused rather than silently read that way.)
    """
    if text is None:
        return None
    try:
        step = int(text)
    except ValueError:
        return text
    if step < 0:
        raise AtcsimError(
            f"{option}: expected a date (YYYY-MM-DD) or a model step >= 0, got {text} "
            "(steps count from the start of the run; negative steps are not valid)"
        )
    return step


def _run_info(args: argparse.Namespace) -> int:
    from .info import info_text

    print(info_text(args.path))
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from .export import DEFAULT_CHUNK_ROWS, export

    chunk_rows = DEFAULT_CHUNK_ROWS if args.chunk_rows is None else args.chunk_rows
    if chunk_rows < 1:
        raise AtcsimError(f"--chunk-rows: expected a positive integer, got {chunk_rows}")
    rows = export(args.path, args.output, args.format, variables=args.variable, chunk_rows=chunk_rows)
    print(f"atcsim export: wrote {args.output} ({rows} rows)")
    return 0


def _run_calibrate(args: argparse.Namespace) -> int:
    from .calibration.run import calibrate, summary_text

    if args.seed is not None and args.seed < 0:
        raise AtcsimError(f"--seed: expected a non-negative integer, got {args.seed}")
    run = calibrate(
        args.path,
        resume=args.resume,
        quiet=args.quiet,
        output=args.output,
        engine=args.engine,
        seed=args.seed,
        targets=args.targets,
        keep_work=args.keep_work,
    )
    print(summary_text(run))
    print(f"atcsim calibrate: wrote {run.output}")
    return 0


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: ``finally`` clauses run (no OUTPUT.tmp is left), exit 130."""


def _terminate(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough; a second must not interrupt the clean-up
    raise _Terminated()


def _signal_child(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:  # it has just exited
        pass


def guarded_main(argv: Sequence[str] | None = None) -> int:
    """``python3 -m atcsim``: :func:`main` in a forked child, so that even a crash of
    the HDF5 library on a damaged file (which no ``except`` catches) ends in one
    line and exit code 2, never a core dump. Files are also checked before they
    are read (:func:`atcsim.dataset.check_file`); this guards whatever comes after.
    SIGTERM (to this process or its group) stops the child like Ctrl-C, so that
    it cleans up (export's ``OUTPUT.tmp``) and exits 130.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not hasattr(os, "fork"):
        signal.signal(signal.SIGTERM, _terminate)
        return main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.signal(signal.SIGTERM, _terminate)
            code = main(argv)
        except SystemExit as exc:  # argparse: --help, usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except KeyboardInterrupt:  # before main's own handler (while parsing the arguments)
            code = 130
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    # A SIGTERM sent to this process alone (kill PID) is passed on, so that the
    # child stops the same way and cleans up (export's OUTPUT.tmp).
    signal.signal(signal.SIGTERM, lambda *_: _signal_child(pid))
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except KeyboardInterrupt:  # the child got the same SIGINT and says so
            continue
    if not os.WIFSIGNALED(status):
        return os.WEXITSTATUS(status)
    number = os.WTERMSIG(status)
    if number in (signal.SIGINT, signal.SIGTERM):
        return 130
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    command = argv[0] if argv else "?"
    paths = [a for a in argv[1:] if not a.startswith("-")]
    where = f"{paths[0]}: " if paths else ""
    print(
        f"atcsim {command}: error: {where}crashed ({name}) while reading the file: "
        "the HDF5 library fails on it, so the file is probably damaged",
        file=sys.stderr,
    )
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # reported through the report and its notes
            if args.command == "report":
                return _run_report(args, argv)
            if args.command == "calibrate":
                return _run_calibrate(args)
            if args.command == "export":
                return _run_export(args)
            return _run_info(args)
    except (AtcsimError, FileNotFoundError, IsADirectoryError) as exc:  # bad input
        print(f"atcsim {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError) as exc:  # e.g. the report cannot be written, the engine failed
        print(f"atcsim {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"atcsim {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - never a traceback: one line, exit 1
        print(
            f"atcsim {args.command}: internal error: {type(exc).__name__}: {_one_line(exc)} "
            "(please report this with the file)",
            file=sys.stderr,
        )
        return 1
