"""TOML files whose errors point at a line: ``tomllib`` plus a key locator.

Python's :mod:`tomllib` parses TOML but forgets where each key was written.
:func:`load` parses a file with it and, in a second pass, scans the text for
the position of every key, table header and array element, so that a
validation error can name ``file:line:col`` like the engine does
(``sim/config/toml_reader.cpp``)::

    doc = load("targets.toml")
    doc.fail(("target", 2, "observed", "sd"), "expected a number > 0, got -1")
    # ConfigFileError: targets.toml:41:1: target[2].observed.sd: expected a number > 0, got -1

Key paths are tuples of table keys and array indices: ``("target", 2,
"observed", "sd")`` is the ``sd`` key of the ``observed`` table of the third
``[[target]]``. The scanner follows the TOML 1.0 grammar for what it needs
(comments, the four string kinds, dotted and quoted keys, headers, inline
tables, arrays spanning lines); it runs only on text tomllib has accepted, so
it never has to report a syntax error itself.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import AtcsimError

__all__ = [
    "ConfigFileError",
    "TomlDocument",
    "TableReader",
    "load",
    "loads",
    "key_text",
    "did_you_mean",
    "describe_value",
]

KeyPath = tuple[Any, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOMLLIB_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOMLLIB_EOF = re.compile(r"\s*\(at end of document\)\s*$")


class ConfigFileError(AtcsimError):
    """A TOML input file (calibration targets or config) is invalid.

    The message is one line: ``file:line:col: key: what was expected, what was
    found``. The command line maps it to exit code 2.
    """


def key_text(path: Iterable[Any]) -> str:
    """``("target", 2, "observed", "sd")`` -> ``target[2].observed.sd``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            if not _BARE_KEY.fullmatch(text):
                text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
            out += ("." if out else "") + text
    return out


@dataclass
class TomlDocument:
    """A parsed TOML file and the position (line, column; 1-based) of its keys."""

    path: Path
    data: dict[str, Any]
    key_positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    value_positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: KeyPath, *, value: bool = False) -> tuple[int, int]:
        """Line and column of ``path`` (of its value when ``value``), else of its
        nearest located ancestor, else (1, 1)."""
        path = tuple(path)
        if value and path in self.value_positions:
            return self.value_positions[path]
        while path:
            if path in self.key_positions:
                return self.key_positions[path]
            path = path[:-1]
        return (1, 1)

    def where(self, path: KeyPath, *, value: bool = False) -> str:
        """``file:line:col`` of ``path``."""
        line, col = self.position(path, value=value)
        return f"{self.path}:{line}:{col}"

    def error(self, path: KeyPath, message: str, *, value: bool = False) -> ConfigFileError:
        """The one-line error for ``path``: ``file:line:col: key: message``."""
        key = key_text(path)
        prefix = f"{self.where(path, value=value)}: " + (f"{key}: " if key else "")
        return ConfigFileError(prefix + " ".join(message.split()))

    def fail(self, path: KeyPath, message: str, *, value: bool = False) -> None:
        """Raise :meth:`error`."""
        raise self.error(path, message, value=value)


def load(path: str | Path) -> TomlDocument:
    """Parse a TOML file and locate its keys.

    Raises
    ------
    FileNotFoundError
        No such file.
    ConfigFileError
        The file is not valid UTF-8 TOML (the message gives tomllib's line
        and column).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigFileError(f"{path}:{line}:1: not valid UTF-8 text") from None
    return loads(text, path)


def loads(text: str, path: str | Path = "<string>") -> TomlDocument:
    """Like :func:`load`, for text; ``path`` is only used in messages."""
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _TOMLLIB_POSITION.search(message)
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            message = message[: m.start()]
        else:
            line = text.count("\n") + 1 if _TOMLLIB_EOF.search(message) else 1
            col = 1
            message = _TOMLLIB_EOF.sub("", message)
        raise ConfigFileError(f"{path}:{line}:{col}: invalid TOML: {message}") from None
    doc = TomlDocument(path=path, data=data)
    _Locator(text, doc).scan()
    return doc


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean "x"?)`` when a choice is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


class TableReader:
    """Typed access to one table of a document, failing with positions."""

    def __init__(self, doc: TomlDocument, path: KeyPath, table: Any, allowed: Sequence[str] | None) -> None:
        self.doc, self.path = doc, path
        if not isinstance(table, dict):
            doc.fail(path, f"expected a table, got {describe_value(table)}", value=True)
        self.table = table
        for key in table if allowed is not None else ():
            if key not in allowed:
                doc.fail(
                    path + (key,),
                    f"unknown key{did_you_mean(key, allowed)}; expected one of: {', '.join(allowed)}",
                )

    def has(self, key: str) -> bool:
        return key in self.table

    def fail(self, key: str | None, message: str, *, value: bool = True) -> None:
        self.doc.fail(self.path + ((key,) if key else ()), message, value=value)

    def string(self, key: str, *, required: bool = True, default: str = "", allow_empty: bool = False) -> str:
        if key not in self.table:
            if required:
                self.fail(None, f'missing key "{key}" (expected a string)', value=False)
            return default
        v = self.table[key]
        if not isinstance(v, str):
            self.fail(key, f"expected a string, got {describe_value(v)}")
        if not allow_empty and not v.strip():
            self.fail(key, "expected a non-empty string")
        return v

    def choice(self, key: str, choices: Sequence[str], *, default: str | None = None) -> str:
        v = self.string(key, required=default is None, default=default or "")
        if v not in choices:
            listed = ", ".join(f'"{c}"' for c in choices)
            self.fail(key, f'expected one of {listed}, got "{v}"{did_you_mean(v, choices)}')
        return v

    def number(
        self,
        key: str,
        *,
        required: bool = True,
        default: float | None = None,
        min: float | None = None,  # noqa: A002
        min_exclusive: bool = False,
        max: float | None = None,  # noqa: A002
        max_exclusive: bool = False,
    ) -> float | None:
        if key not in self.table:
            if required:
                self.fail(None, f'missing key "{key}" (expected a number)', value=False)
            return default
        return self.check_number(key, self.table[key], (key,), min, min_exclusive, max, max_exclusive)

    def check_number(
        self,
        key: str,
        v: Any,
        subpath: KeyPath,
        min: float | None = None,  # noqa: A002
        min_exclusive: bool = False,
        max: float | None = None,  # noqa: A002
        max_exclusive: bool = False,
    ) -> float:
        where = self.path + subpath
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.doc.fail(where, f"expected a number, got {describe_value(v)}", value=True)
        v = float(v)
        if not math.isfinite(v):
            self.doc.fail(where, f"expected a finite number, got {v}", value=True)
        bounds = []
        if min is not None:
            bounds.append(f"{'>' if min_exclusive else '>='} {min:g}")
        if max is not None:
            bounds.append(f"{'<' if max_exclusive else '<='} {max:g}")
        bad = (min is not None and (v < min or (min_exclusive and v == min))) or (
            max is not None and (v > max or (max_exclusive and v == max))
        )
        if bad:
            self.doc.fail(where, f"expected a number {' and '.join(bounds)}, got {v:g}", value=True)
        return v

    def integer(
        self,
        key: str,
        *,
        required: bool = True,
        default: int | None = None,
        min: int | None = None,  # noqa: A002
    ) -> int | None:
        if key not in self.table:
            if required:
                self.fail(None, f'missing key "{key}" (expected an integer)', value=False)
            return default
        v = self.table[key]
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(key, f"expected an integer, got {describe_value(v)}")
        if min is not None and v < min:
            self.fail(key, f"expected an integer >= {min}, got {v}")
        return v

    def string_list(self, key: str) -> list[str]:
        if key not in self.table:
            return []
        v = self.table[key]
        if not isinstance(v, list):
            self.fail(key, f"expected an array of strings, got {describe_value(v)}")
        for i, item in enumerate(v):
            if not isinstance(item, str):
                self.doc.fail(
                    self.path + (key, i), f"expected a string, got {describe_value(item)}", value=True
                )
        return list(v)

    def table_at(
        self, key: str, allowed: Sequence[str] | None, *, required: bool = True
    ) -> "TableReader | None":
        if key not in self.table:
            if required:
                self.fail(None, f'missing table "{key}"', value=False)
            return None
        return TableReader(self.doc, self.path + (key,), self.table[key], allowed)


def describe_value(v: Any) -> str:
    """What a TOML value is, for messages: ``a string ("x")``, ``a number (3)``, ..."""
    if isinstance(v, bool):
        return f"a boolean ({str(v).lower()})"
    if isinstance(v, (int, float)):
        return f"a number ({v})"
    if isinstance(v, str):
        return f'a string ("{v}")'
    if isinstance(v, dict):
        return "a table"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, (_dt.date, _dt.datetime, _dt.time)):
        return f"a date/time ({v})"
    return type(v).__name__


class _Locator:
    """Single pass over accepted TOML text recording key and value positions."""

    def __init__(self, text: str, doc: TomlDocument) -> None:
        self.text = text
        self.n = len(text)
        self.i = 0
        self.doc = doc
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        # last index of each array of tables, keyed by its concrete path
        self.aot_last: dict[KeyPath, int] = {}

    # ---------------------------------------------------------------- helpers
    def pos(self, i: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, i) - 1
        return (line + 1, i - self.line_starts[line] + 1)

    def note_key(self, path: KeyPath, i: int) -> None:
        self.doc.key_positions.setdefault(path, self.pos(i))

    def note_value(self, path: KeyPath, i: int) -> None:
        self.doc.value_positions.setdefault(path, self.pos(i))

    def peek(self, s: str) -> bool:
        return self.text.startswith(s, self.i)

    def skip_ws(self, newlines: bool = False) -> None:
        """Skip blanks (and newlines and comments when ``newlines``)."""
        while self.i < self.n:
            c = self.text[self.i]
            if c in " \t":
                self.i += 1
            elif newlines and c in "\r\n":
                self.i += 1
            elif newlines and c == "#":
                self.skip_comment()
            else:
                break

    def skip_comment(self) -> None:
        end = self.text.find("\n", self.i)
        self.i = self.n if end < 0 else end

    # ---------------------------------------------------------------- grammar
    def scan(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_ws(newlines=True)
            if self.i >= self.n:
                return
            start = self.i
            if self.peek("[["):
                self.i += 2
                self.skip_ws()
                keys = self.key()
                self.skip_ws()
                self.i += 2  # ]]
                table = self.resolve(keys[:-1]) + (keys[-1],)
                index = self.aot_last.get(table, -1) + 1
                self.aot_last[table] = index
                self.note_key(table, start)
                table = table + (index,)
                self.note_key(table, start)
            elif self.peek("["):
                self.i += 1
                self.skip_ws()
                keys = self.key()
                self.skip_ws()
                self.i += 1  # ]
                table = self.resolve(keys)
                for depth in range(1, len(table) + 1):
                    self.note_key(table[:depth], start)
            else:
                self.keyval(table)

    def resolve(self, keys: list[str]) -> KeyPath:
        """Concrete path of a header's dotted key: arrays of tables address their last element."""
        path: KeyPath = ()
        for k in keys:
            path = path + (k,)
            if path in self.aot_last:
                path = path + (self.aot_last[path],)
        return path

    def key(self) -> list[str]:
        keys = [self.simple_key()]
        while True:
            save = self.i
            self.skip_ws()
            if self.peek("."):
                self.i += 1
                self.skip_ws()
                keys.append(self.simple_key())
            else:
                self.i = save
                return keys

    def simple_key(self) -> str:
        start = self.i
        if self.peek('"') or self.peek("'"):
            self.string()
            return tomllib.loads("k = " + self.text[start : self.i])["k"]
        m = _BARE_KEY.match(self.text, self.i)
        self.i = m.end() if m else self.i + 1
        return self.text[start : self.i]

    def keyval(self, table: KeyPath) -> None:
        start = self.i
        keys = self.key()
        path = table + tuple(keys)
        for depth in range(len(table) + 1, len(path) + 1):
            self.note_key(path[:depth], start)
        self.skip_ws()
        self.i += 1  # =
        self.skip_ws()
        self.value(path)

    def value(self, path: KeyPath) -> None:
        self.note_value(path, self.i)
        if self.peek("{"):
            self.i += 1
            while True:
                self.skip_ws()
                if self.peek("}"):
                    self.i += 1
                    return
                if self.peek(","):
                    self.i += 1
                    continue
                self.keyval(path)
        elif self.peek("["):
            self.i += 1
            index = 0
            while True:
                self.skip_ws(newlines=True)
                if self.peek("]"):
                    self.i += 1
                    return
                if self.peek(","):
                    self.i += 1
                    continue
                self.note_key(path + (index,), self.i)
                self.value(path + (index,))
                index += 1
        elif self.peek('"') or self.peek("'"):
            self.string()
        else:  # number, bool, date-time: up to a delimiter
            while self.i < self.n and self.text[self.i] not in ",]}#\r\n":
                self.i += 1

    def string(self) -> None:
        for quote, escapes in (('"""', True), ("'''", False), ('"', True), ("'", False)):
            if self.peek(quote):
                break
        self.i += len(quote)
        while self.i < self.n:
            if escapes and self.text[self.i] == "\\":
                self.i += 2
            elif self.peek(quote):
                self.i += len(quote)
                if len(quote) == 3:  # up to two quotes may close a multi-line string's content
                    while self.i < self.n and self.text[self.i] == quote[0]:
                        self.i += 1
                return
            else:
                self.i += 1
