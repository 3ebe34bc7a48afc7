"""Checking an output path before anything is read or computed.

``report``, ``export`` and ``calibrate`` write regular files only: an existing target that is
a directory, a FIFO, a device (``/dev/null``) or a socket is refused, as
``atcsim run -o`` refuses it (``sim/core/files.cpp``, whose wording this
follows), instead of being replaced by a regular file (``export`` renames
``OUTPUT.tmp`` over it) or blocking on a FIFO nobody reads. The folder must
exist (``export``) or be creatable (``report`` creates it), and be writable,
so that a bad ``-o`` fails in a second, not after the whole computation.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import AtcsimError

__all__ = ["check_output", "output_problem"]


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode):
        return "is a character device, not a regular file"
    if stat.S_ISBLK(mode):
        return "is a block device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def _problem(output: Path, suffix: str, create_folders: bool) -> str:
    """Why a regular file cannot be written at ``output`` (and ``output + suffix``); "" if it can."""
    if not str(output):
        return "empty file name"
    for candidate in (output, Path(str(output) + suffix)) if suffix else (output,):
        try:
            mode = os.stat(candidate).st_mode
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            break  # the folder check below names the part that is not a directory
        except OSError as exc:
            return f"'{candidate}' cannot be used: {exc.strerror}"
        if not stat.S_ISREG(mode):
            return f"it {_kind(mode)}" if candidate == output else f"'{candidate}' {_kind(mode)}"
    folder = output.parent
    nearest = folder
    while not nearest.exists():
        if nearest.is_symlink():  # a dangling link: never created through
            return f"'{nearest}' is a broken symbolic link"
        if not create_folders:
            return f"the folder {folder} does not exist"
        if nearest.parent == nearest:
            return f"the folder {folder} does not exist"
        nearest = nearest.parent
    if not nearest.is_dir():
        return f"'{nearest}' is not a directory"
    if not os.access(nearest, os.W_OK | os.X_OK):
        if nearest == folder:
            return f"the directory '{folder}' is not writable"
        return f"cannot create the folder '{folder}': '{nearest}' is not writable"
    return ""


def output_problem(
    output: str | os.PathLike[str],
    *,
    suffix: str = "",
    inputs: tuple[str | os.PathLike[str], ...] = (),
    create_folders: bool = False,
) -> str:
    """Why a regular file cannot be written at ``output``, e.g. ``it is a FIFO
    (named pipe), not a regular file``; "" if it can (see :func:`check_output`).

    For callers that name the output their own way (``calibrate`` names the
    config key that set it).
    """
    path = Path(output)
    why = _problem(path, suffix, create_folders)
    if why:
        return why
    for source in inputs:
        try:
            same = os.path.samefile(source, path)
        except OSError:
            continue
        if same:
            return "it is the input file; give another output name"
    return ""


def check_output(
    output: str | os.PathLike[str],
    *,
    option: str = "-o",
    suffix: str = "",
    inputs: tuple[str | os.PathLike[str], ...] = (),
    create_folders: bool = False,
) -> Path:
    """Raise :class:`AtcsimError` unless a regular file can be written at ``output``.

    ``suffix``: the file is first written as ``output + suffix`` (checked too).
    ``inputs``: files the output must not overwrite. ``create_folders``: missing
    folders will be created (the nearest existing one must be writable).
    The message reads ``-o PATH: cannot write 'PATH': it is a FIFO (named
    pipe), not a regular file``. Returns ``output`` as a :class:`Path`.
    """
    path = Path(output)
    why = output_problem(path, suffix=suffix, inputs=inputs, create_folders=create_folders)
    if why:
        raise AtcsimError(f"{option} {path}: cannot write '{path}': {why}")
    return path
