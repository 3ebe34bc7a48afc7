"""Checking a file in an isolated child process before this process reads it.

A damaged HDF5 file can crash the HDF5 library itself (a segmentation fault or
an abort in C code, which no Python ``except`` can catch) or send it into an
endless loop. :func:`check_isolated` therefore reads the file first in
child processes, the ways the package reads it (two children, side by side,
one for each item below; one child, both in turn, for a small file):

* with h5py: every attribute (following object references), every dataset's
  metadata and dimension scales, whose two-way links (``DIMENSION_LIST`` and
  ``REFERENCE_LIST``) must agree, and, within a byte budget, every dataset's
  data (which checks decompression and checksums);
* with h5netcdf as xarray opens it (dimensions, variables, attributes,
  encodings, and the data of string variables, which it decodes: numbers
  were read above through the same HDF5 read and filters), then with
  ``xarray.open_dataset`` itself.

A child is a ``fork`` of the calling process, so it reads the file in the
very state (memory layout included) the caller will read it in: a crash that
depends on that state shows in the child too. Where ``fork`` is unavailable,
this file is run as a script in a fresh interpreter instead
(``python3 _probe.py FILE BUDGET``; exit 0: readable, 3: an error, explained in
one line on stdout, 4: readable but not an atcsim file, killed by a signal:
the library crashed).
"""

from __future__ import annotations

import faulthandler
import os
import select
import signal
import subprocess
import sys
import time

if __name__ == "__main__":
    # As a script, its own folder comes first on sys.path: the package's
    # modules (stats, info, ...) must not shadow anything h5py imports.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]

# Data larger than this (uncompressed) are read chunk by chunk.
_SLAB_BYTES = 64 * 1024 * 1024
_ERROR_EXIT = 3
_NOT_ATCSIM_EXIT = 4


def one_line(exc: BaseException) -> str:
    text = " ".join((str(exc) or "").split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


NOT_ATCSIM = "not an atcsim file"  # the verdict for a readable HDF5 file without atcsim_schema


class NotAtcsim(Exception):
    """A readable HDF5 file without the atcsim_schema attribute: not damaged, not ours."""


# The two halves of the check, run side by side by check_isolated (in turn, by one child, for a small file).
DATA = "data"  # with h5py: attributes, metadata, dimension scales and data
READERS = "readers"  # the schema attribute, then h5netcdf and xarray as the package opens the file
#: Files smaller than this are checked by one child, not two: their data half
#: takes a few hundredths of a second, less than a second child costs (a fork
#: of this process and the pages it then copies). Measured on 2 Dec 2026 (AMD
#: host, a forked check of each file, four alternated runs): a 34 kB output
#: 0.22 s with one child against 0.31-0.32 s with two (and a fifth of the
#: system time); a real atc15 output of 2.9 MB 0.93-0.97 s against 0.89-0.94,
#: of 5.4 MB 0.96-1.05 against 0.88-0.94, of 50 MB 1.6-1.7 s against 1.1-1.3.
SPLIT_BYTES = 1 << 20


def check(path: str, budget: int, with_xarray: bool = True, part: str | None = None) -> None:
    """Read the file the ways the package does; raise whatever that raises.

    ``part``: only :data:`DATA` or only :data:`READERS` (the readers then read
    string variables within the whole budget: they are small); both, one after
    the other, by default.
    """
    left = budget
    if part != READERS:
        left = _check_h5py(path, budget)
    if part == DATA:
        return
    import h5py

    with h5py.File(path, "r") as f:
        if "atcsim_schema" not in f.attrs:
            raise NotAtcsim()
    _check_netcdf(path, left)
    if with_xarray:
        import xarray as xr

        xr.open_dataset(path, engine="h5netcdf").close()


def _check_h5py(path: str, budget: int) -> int:
    import h5py
    import numpy as np

    left = budget
    # One visit of the file reads every attribute and dataset and records
    # every object's path, by identity (file and object number); the
    # references met on the way are resolved after it, when every path is
    # known (the name of an object opened through a reference is a search of
    # the file by HDF5, a millisecond each, a third of this check on a
    # 60-variable file).
    paths: dict = {}
    dimension_lists: list[tuple[str, object]] = []  # (dataset, DIMENSION_LIST)
    reference_lists: list[tuple[str, object]] = []  # (scale, REFERENCE_LIST)
    other_references: list[object] = []  # any other attribute holding references

    def path_of(target) -> str:
        known = paths.get(target.id)
        return known if known is not None else (target.name or "an unnamed object")

    def resolve(f, value) -> list[str]:
        """Names of the objects ``value`` refers to (recursing into object arrays)."""
        if isinstance(value, h5py.Reference):
            return [path_of(f[value])] if value else []
        if isinstance(value, np.ndarray) and value.dtype == object:
            return [name for item in value.reshape(-1) for name in resolve(f, item)]
        return []

    def read_attrs(name: str, obj) -> None:
        for key in obj.attrs.keys():
            value = obj.attrs[key]
            if key == "DIMENSION_LIST":
                dimension_lists.append((name, value))
            elif key == "REFERENCE_LIST":
                reference_lists.append((name, value))
            elif isinstance(value, h5py.Reference) or (
                isinstance(value, np.ndarray) and value.dtype == object
            ):
                other_references.append(value)

    def read_data(dset) -> None:
        nonlocal left
        stored = dset.id.get_storage_size()
        if stored > left or dset.shape is None:
            return
        left -= stored
        if dset.size * max(dset.dtype.itemsize, 1) <= _SLAB_BYTES or dset.chunks is None:
            _ = dset[()]
            return
        for selection in dset.iter_chunks():
            _ = dset[selection]

    with h5py.File(path, "r") as f:
        paths[f["/"].id] = "/"
        read_attrs("/", f)

        def visit(name, obj):
            paths.setdefault(obj.id, "/" + name)
            read_attrs("/" + name, obj)
            if isinstance(obj, h5py.Dataset):
                _ = (obj.shape, obj.dtype, obj.chunks, obj.compression, obj.fletcher32)
                read_data(obj)
            return None

        f.visititems(visit)
        for value in other_references:
            resolve(f, value)
        dimensions = {
            name: [resolve(f, axis) for axis in np.asarray(value).reshape(-1)]
            for name, value in dimension_lists
        }
        references = {
            name: {(path_of(f[entry[0]]), int(entry[1])) for entry in value}
            for name, value in reference_lists
        }
    _check_dimension_scales(dimensions, references)
    return left


def _check_dimension_scales(
    dimension_lists: dict[str, list[list[str]]], reference_lists: dict[str, set[tuple[str, int]]]
) -> None:
    """A dataset's axis lists a scale exactly when the scale lists that (dataset, axis) back."""
    for dataset, axes in dimension_lists.items():
        for axis, scales in enumerate(axes):
            for scale in scales:
                if (dataset, axis) not in reference_lists.get(scale, set()):
                    raise ValueError(
                        f"inconsistent dimension scales: {dataset} axis {axis} names {scale}, "
                        f"which does not list it back"
                    )
    for scale, users in reference_lists.items():
        for dataset, axis in users:
            axes = dimension_lists.get(dataset, [])
            if axis >= len(axes) or scale not in axes[axis]:
                raise ValueError(
                    f"inconsistent dimension scales: {scale} lists {dataset} axis {axis}, "
                    "which does not name it"
                )


def _check_netcdf(path: str, budget: int) -> None:
    try:
        import h5netcdf
    except ImportError:  # xarray then cannot use this engine either
        return
    left = budget

    def walk(group) -> None:
        nonlocal left
        _ = dict(group.attrs)
        _ = {name: (dim.size, dim.isunlimited()) for name, dim in group.dimensions.items()}
        for var in group.variables.values():
            _ = (var.dimensions, var.shape, var.dtype, var.chunks, var.fletcher32, var.shuffle)
            _ = (var.compression, var.compression_opts, dict(var.attrs))
            _check_sizes(var)
            # Numbers were read by _check_h5py through the same HDF5 read and
            # filters (reading them again took as long again, a seventh of a
            # report); strings are read again, as h5netcdf decodes them.
            if getattr(var.dtype, "kind", "O") not in "OSU":
                continue
            stored = var._h5ds.id.get_storage_size()
            if stored <= left and var.shape is not None:
                left -= stored
                _ = var[...]
        for child in group.groups.values():
            walk(child)

    with h5netcdf.File(path, "r", decode_vlen_strings=True) as f:
        walk(f)


def _check_sizes(var) -> None:
    """Every axis of a variable has the size of its dimension (h5netcdf would pad a shorter one
    with fill values, and fails reading a longer one)."""
    stored = var._h5ds.shape
    if stored is None:
        return
    for dim, size, length in zip(var.dimensions, var.shape, stored):
        if size != length:
            raise ValueError(
                f"conflicting sizes for dimension {dim!r}: length {length} on "
                f"{var.name.split('/')[-1]!r} and length {size} on {dim!r}"
            )


def check_isolated(path: str, budget: int, cpu_limit: float) -> str:
    """'' when child processes read the file whole, else what went wrong (one line).

    Two children read it side by side (its :data:`DATA` through h5py, and
    through the :data:`READERS`); the verdict is the first failing one's in
    that order, as when one child read it all: the check takes as long as the
    longer half. A file smaller than :data:`SPLIT_BYTES` is read by one child,
    both halves in that order. Each child is stopped when it has used ``cpu_limit`` seconds
    of CPU (some damage makes the HDF5 library loop forever); CPU time, not
    elapsed time, so that a busy machine never turns a slow check into a
    "damaged" verdict.
    """
    if not hasattr(os, "fork"):
        return _check_in_script(path, budget, cpu_limit)
    try:
        small = os.stat(path).st_size < SPLIT_BYTES
    except OSError:
        small = True  # the check itself says what is wrong with the path
    children: list[tuple[int, int]] = []  # (pid, or 0 once reaped; its pipe's read end)
    try:
        for part in [None] if small else [DATA, READERS]:
            children.append(_fork_check(path, budget, part))
        for k, (pid, read_end) in enumerate(children):
            verdict = _verdict_of(pid, read_end, cpu_limit)
            children[k] = (0, read_end)
            if verdict:
                return verdict
        return ""
    finally:
        # A failing half makes the other's verdict moot, and an interruption
        # (Ctrl-C, SIGTERM) must not leave a check running.
        for pid, read_end in children:
            if pid > 0:
                _kill_child(pid)
            os.close(read_end)


def _fork_check(path: str, budget: int, part: str) -> tuple[int, int]:
    """Start ``check(path, budget, part=part)`` in a forked child: its pid and the pipe it reports in."""
    import warnings

    from h5py._objects import phil

    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    # With h5py's global lock held, no other thread of this process is inside
    # HDF5 when it forks: the child cannot inherit a lock held by a thread it
    # does not have.
    with phil:
        pid = os.fork()
    if pid == 0:  # the child: report in the pipe, never return
        os.close(read_end)
        faulthandler.disable()  # a crash here is the verdict, not something to dump
        quiet = os.open(os.devnull, os.O_WRONLY)  # nor what glibc says when it aborts
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        code, message = 0, b""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check(path, budget, part=part)
        except NotAtcsim:
            code = _NOT_ATCSIM_EXIT
        except BaseException as exc:  # noqa: BLE001 - every failure is the verdict
            code, message = _ERROR_EXIT, one_line(exc).encode("utf-8", "replace")
        finally:
            os.write(write_end, message)
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _verdict_of(pid: int, read_end: int, cpu_limit: float) -> str:
    """Wait for the child ``pid`` (started by :func:`_fork_check`), reap it and return its verdict.
    Raises what interrupts the wait, the child still running."""
    if not _wait_for_output(pid, read_end, cpu_limit):
        _kill_child(pid)
        return _timeout_message(cpu_limit)
    message = b""
    while chunk := os.read(read_end, 65536):
        message += chunk
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return _crash_message(os.WTERMSIG(status))
    return _verdict(os.WEXITSTATUS(status), message.decode("utf-8", "replace"), "")


def _kill_child(pid: int) -> None:
    """Stop and reap the child ``pid``."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):  # already reaped
        pass


def _cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by process ``pid`` (Linux /proc), or None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _wait_for_output(pid: int, fd: int, cpu_limit: float) -> bool:
    """Wait until ``fd`` is readable (the child wrote or exited): False if the child
    used ``cpu_limit`` CPU seconds first, or, where CPU time cannot be read (or the
    child is blocked, e.g. on a dead network file system), 20 times that long."""
    start = time.monotonic()
    while True:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            return True
        cpu = _cpu_seconds(pid)
        if cpu is not None and cpu > cpu_limit:
            return False
        if time.monotonic() - start > 20 * cpu_limit + 60:
            return False


def _check_in_script(path: str, budget: int, cpu_limit: float) -> str:
    command = [sys.executable, os.path.abspath(__file__), path, str(budget)]
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        return f"cannot start the file check ({one_line(exc)})"
    with proc:
        if not _wait_for_output(proc.pid, proc.stdout.fileno(), cpu_limit):
            proc.kill()
            proc.wait()
            return _timeout_message(cpu_limit)
        stdout, stderr = proc.communicate()
    if proc.returncode < 0:
        return _crash_message(-proc.returncode)
    return _verdict(proc.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))


def _timeout_message(cpu_limit: float) -> str:
    return (
        f"damaged HDF5 file: reading it did not finish within {cpu_limit:g} s of CPU time "
        "(the HDF5 library loops)"
    )


def _crash_message(signal_number: int) -> str:
    try:
        name = signal.Signals(signal_number).name
    except ValueError:
        name = f"signal {signal_number}"
    return f"damaged HDF5 file: the HDF5 library crashed reading it ({name})"


def _verdict(code: int, stdout: str, stderr: str) -> str:
    if code == 0:
        return ""
    if code == _NOT_ATCSIM_EXIT:
        return NOT_ATCSIM
    if code == _ERROR_EXIT:
        return f"damaged HDF5 file: {' '.join(stdout.split()) or 'unknown error'}"
    last = (stderr.strip().splitlines() or ["no message"])[-1]
    return f"cannot check the file (the check exited with status {code}: {last.strip()})"


def main(argv: list[str]) -> int:
    try:
        check(argv[1], int(argv[2]), with_xarray=False)  # importing xarray takes seconds
    except NotAtcsim:
        return _NOT_ATCSIM_EXIT
    except Exception as exc:  # noqa: BLE001 - every failure is reported, in one line
        print(one_line(exc), flush=True)
        return _ERROR_EXIT
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
