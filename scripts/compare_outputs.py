#!/usr/bin/python3
"""Compare two atcsim output files dataset by dataset, NaN-aware and bit-exact.

    compare_outputs.py A.h5 B.h5 [--ignore-attr NAME ...]

Every dataset present in either file is compared: same shape, same dtype and
identical values (NaN equal to NaN; floats compared by their bit patterns, so
-0.0 differs from 0.0). Attributes of datasets are compared too, except the
global attributes that record when and how a file was made (created,
command_line, git_commit, atcsim_version) and any named with --ignore-attr;
the resolved config (config_toml) is compared without its output path.
Exit 0 when identical, 1 with one line per difference otherwise.
"""
import argparse
import sys

import h5py
import numpy as np

VOLATILE = {"created", "command_line", "git_commit", "atcsim_version"}


def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj) if isinstance(obj, h5py.Dataset) else None)
    return out


def same_values(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f":
        return np.array_equal(a.view(f"u{a.dtype.itemsize}"), b.view(f"u{b.dtype.itemsize}"))
    if a.dtype.kind == "O":
        return list(a.ravel()) == list(b.ravel())
    return np.array_equal(a, b)


def without_output_path(text):
    """The resolved config names the file it was written to; two snapshots differ there by design."""
    lines, section = [], ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip()
        if not (section == "[output]" and line.startswith("path = ")):
            lines.append(line)
    return "\n".join(lines)


def as_text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def attrs_equal(x, y, key=""):
    if key == "config_toml":
        return without_output_path(as_text(x)) == without_output_path(as_text(y))
    try:
        return same_values(np.asarray(x), np.asarray(y))
    except Exception:  # noqa: BLE001 - exotic attribute types: compare their text
        return str(x) == str(y)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--ignore-attr", action="append", default=[])
    args = ap.parse_args()
    ignore = VOLATILE | set(args.ignore_attr)
    problems = []
    with h5py.File(args.a, "r") as fa, h5py.File(args.b, "r") as fb:
        da, db = datasets(fa), datasets(fb)
        for name in sorted(set(da) | set(db)):
            if name not in da or name not in db:
                problems.append(f"{name}: only in {'A' if name in da else 'B'}")
                continue
            if not same_values(
                da[name][()] if da[name].shape != () else np.asarray(da[name][()]),
                db[name][()] if db[name].shape != () else np.asarray(db[name][()]),
            ):
                problems.append(f"{name}: values differ")
            for key in sorted(set(da[name].attrs) | set(db[name].attrs)):
                if key in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    continue
                if key not in da[name].attrs or key not in db[name].attrs:
                    problems.append(f"{name}@{key}: only in {'A' if key in da[name].attrs else 'B'}")
                elif not attrs_equal(da[name].attrs[key], db[name].attrs[key]):
                    problems.append(f"{name}@{key}: differs")
        for key in sorted(set(fa.attrs) | set(fb.attrs)):
            if key in ignore:
                continue
            if key not in fa.attrs or key not in fb.attrs:
                problems.append(f"/@{key}: only in {'A' if key in fa.attrs else 'B'}")
            elif not attrs_equal(fa.attrs[key], fb.attrs[key], key):
                problems.append(f"/@{key}: differs")
        print(f"{args.a} vs {args.b}: {len(da)} datasets, {len(problems)} differences")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
