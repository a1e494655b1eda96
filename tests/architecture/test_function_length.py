"""No function of the source packages is longer than 80 lines (a checked rule of CONTRIBUTING.md).

A function is measured with :mod:`ast` from its ``def`` line to its last line
(``end_lineno - lineno + 1``, decorators not counted, nested functions inside it included).
``KNOWN_LONG`` lists the few functions still over the limit, each with the length it may not
exceed: it only ever shrinks (an entry whose function got short fails too, so it is removed).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCES = (
    "plan_model",
    "indicators",
    "accounts",
    "web",
    "layouts",
    "cli",
    "i18n",
    "app.py",
    "settings.py",
    "wsgi.py",
)
MAX_LINES = 80

# "path::function": the most lines it may still have (split it, then delete its entry).
KNOWN_LONG: dict[str, int] = {}


def _source_files() -> list[Path]:
    files: list[Path] = []
    for name in SOURCES:
        path = REPO_ROOT / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
    return files


def function_lengths(source: str, relative: str) -> dict[str, int]:
    """Every function and method of ``source`` as ``"relative::name"`` with its line count."""
    lengths: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            key = f"{relative}::{node.name}"
            lengths[key] = max(lengths.get(key, 0), node.end_lineno - node.lineno + 1)
    return lengths


def _all_lengths() -> dict[str, int]:
    lengths: dict[str, int] = {}
    for path in _source_files():
        relative = path.relative_to(REPO_ROOT).as_posix()
        lengths.update(function_lengths(path.read_text(encoding="utf-8"), relative))
    return lengths


def test_no_function_is_longer_than_the_limit() -> None:
    too_long = {
        key: n
        for key, n in _all_lengths().items()
        if n > MAX_LINES and n > KNOWN_LONG.get(key, MAX_LINES)
    }
    assert not too_long, f"functions over {MAX_LINES} lines (split them): {too_long}"


def test_known_long_functions_are_still_long() -> None:
    lengths = _all_lengths()
    fixed = [key for key in KNOWN_LONG if lengths.get(key, 0) <= MAX_LINES]
    assert not fixed, f"now within {MAX_LINES} lines: delete from KNOWN_LONG: {fixed}"


@pytest.mark.parametrize(("body_lines", "too_long"), [(MAX_LINES - 1, False), (MAX_LINES, True)])
def test_the_measure_counts_from_def_to_the_last_line(body_lines: int, too_long: bool) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(body_lines))
    source = f"@decorator\ndef long_one() -> None:\n{body}\n\ndef short() -> None:\n    pass\n"
    lengths = function_lengths(source, "pkg/mod.py")
    assert lengths["pkg/mod.py::long_one"] == body_lines + 1
    assert lengths["pkg/mod.py::short"] == 2
    assert (lengths["pkg/mod.py::long_one"] > MAX_LINES) is too_long
