"""Read a workbook with python-calamine in a child interpreter that cannot exceed its bounds.

The second wall behind the extent checks of :mod:`indicators.intake.safety`: whatever a file
makes the reader allocate, it allocates in a short-lived child process, never in a web worker.
:func:`read_cells` runs this very file as a script with the same interpreter (isolated mode:
no environment variables, no current directory on the path; it imports the standard library,
python-calamine and the intake's standard-library-only structure readers, not the app), passes the file's bytes on stdin, and gets the cells back on
stdout as JSON. The child first limits itself (``RLIMIT_AS`` for its memory, ``RLIMIT_CPU``, no
core dump, no file written), then reads. If it runs out of memory or time, or dies in any way,
the parent gets a :class:`Failure`, never an exception of the reader and never a dead worker.

JSON keeps strings, numbers (int and float apart), booleans and ``null``; dates, times and
durations travel as ``{"$": "date", "v": "2025-10-01"}``. What the reader loses of a cell's
kind, the child finds in the file itself (:mod:`indicators.intake.extent_cells`, standard
library only) and sends tagged too: an error cell as ``{"$": "error", "v": "#DIV/0!"}`` (an
:class:`~indicators.intake.extent_cells.ErrorCell` once decoded), a number formatted as a
percentage as ``{"$": "percent", "v": 0.815}`` (a
:class:`~indicators.intake.extent_cells.PercentCell`).
"""

from __future__ import annotations

# The child runs this module too: at the top only what it needs (no typing, no dataclasses;
# datetime only where a date is met)
import json
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_TAG = "$"
_MEMORY_EXIT = 3
_SIGNALS_OF_MEMORY = (-6, -9)  # SIGABRT (an allocation failed), SIGKILL (the OOM killer)
_SIGXCPU = -24


class Cells:
    """The worksheets read, each ``{"name", "visible", "first_row", "first_col", "rows"}``.
    ``may_hold_nul``: some text may hold a NUL character (false means none does)."""

    def __init__(self, sheets: list[dict[str, Any]], may_hold_nul: bool):
        self.sheets = sheets
        self.may_hold_nul = may_hold_nul


class Failure:
    """Why the child gave no cells: ``encrypted``, ``unreadable`` (the reader refused the
    file), ``memory``, ``timeout``, ``output`` (too much to hand back) or ``crashed``."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail

    def __repr__(self) -> str:
        return f"Failure({self.reason!r}, {self.detail!r})"


def read_cells(
    content: bytes, *, memory_mb: int, timeout: float, output_mb: int
) -> Cells | Failure:
    """The worksheets, read in a bounded child process; or the :class:`Failure` that stopped
    it.

    Raises :class:`OSError` only if no child process can be started at all."""
    import subprocess

    # -I: no environment, no current directory on the path; -S: no site (its .pth files cost
    # more than the rest of the start), so the reader's own directory is passed instead
    command = [
        sys.executable,
        "-I",
        "-S",
        os.path.abspath(__file__),
        _reader_path(),
        str(memory_mb),
        str(int(timeout) + 1),
        str(output_mb),
    ]
    try:
        done = subprocess.run(
            command,
            input=content,
            capture_output=True,
            timeout=timeout,
            check=False,
            env={"LC_ALL": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired:
        return Failure("timeout", f"more than {timeout} s")
    stderr = done.stderr.decode("utf-8", "replace").strip().splitlines()
    last_words = stderr[0][:300] if stderr else ""
    if done.returncode == _MEMORY_EXIT or done.returncode in _SIGNALS_OF_MEMORY:
        return Failure("memory", f"exit {done.returncode}: {last_words}")
    if done.returncode == _SIGXCPU:
        return Failure("timeout", "CPU time limit")
    if done.returncode != 0:
        return Failure("crashed", f"exit {done.returncode}: {last_words}")
    try:
        answer = json.loads(done.stdout, object_hook=_decode)
    except ValueError as exc:
        return Failure("crashed", f"unreadable answer: {exc}")
    if "failure" in answer:
        return Failure(str(answer["failure"]), str(answer.get("detail", "")))
    return Cells(answer["sheets"], b"\\u0000" in done.stdout)


def _reader_path() -> str:
    """The directory python-calamine is installed in (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("python_calamine")
    if spec is None or not spec.submodule_search_locations:
        raise OSError("python-calamine is not installed")
    return os.path.dirname(next(iter(spec.submodule_search_locations)))


def _decode(obj: dict[str, Any]) -> Any:
    tag = obj.get(_TAG)
    if tag is None:
        return obj
    import datetime as dt

    value = obj["v"]
    if tag == "error":
        from indicators.intake.extent_cells import ErrorCell

        return ErrorCell(value)
    if tag == "percent":
        from indicators.intake.extent_cells import PercentCell

        return PercentCell(value)
    if tag == "date":
        return dt.date.fromisoformat(value)
    if tag == "datetime":
        return dt.datetime.fromisoformat(value)
    if tag == "time":
        return dt.time.fromisoformat(value)
    if tag == "timedelta":
        return dt.timedelta(days=value[0], seconds=value[1], microseconds=value[2])
    raise ValueError(f"unknown cell tag {tag!r}")


def _encode(value: object) -> dict[str, Any]:
    import datetime as dt

    # datetime before date: a datetime is a date too
    if isinstance(value, dt.datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, dt.time):
        return {_TAG: "time", "v": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {_TAG: "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    raise TypeError(f"cell of type {type(value).__name__}")


# --- the child ------------------------------------------------------------------------------


def _limit_self(memory_mb: int, cpu_seconds: int) -> None:
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def _read(content: bytes) -> list[dict[str, Any]]:
    import io

    import python_calamine

    from indicators.intake.extent_cells import cell_kinds

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    kinds = cell_kinds(content)
    sheets: list[dict[str, Any]] = []
    for meta in workbook.sheets_metadata:
        if "WorkSheet" not in str(meta.typ):
            continue  # chart sheets and the like hold no cells
        sheet = workbook.get_sheet_by_name(meta.name)
        start = sheet.start or (0, 0)
        visible = str(meta.visible)
        sheets.append(
            {
                "name": meta.name,
                "visible": "Visible" in visible and "Hidden" not in visible,
                "first_row": start[0] + 1,
                "first_col": start[1],
                "rows": _with_kinds(
                    sheet.to_python(skip_empty_area=True), start, kinds.get(meta.name, {})
                ),
            }
        )
        del sheet
    return sheets


def _with_kinds(
    rows: list[list[Any]], start: tuple[int, int], kinds: dict[tuple[int, int], str]
) -> list[list[Any]]:
    """The cells whose kind the reader loses, tagged: an error cell (read as ``""``, or as
    its cached number) as ``{"$": "error"}``, a number formatted as a percentage as
    ``{"$": "percent"}``."""
    for (row, col), kind in kinds.items():
        i, j = row - start[0], col - start[1]
        if not (0 <= i < len(rows) and 0 <= j < len(rows[i])):
            continue
        value = rows[i][j]
        if kind != "%":
            rows[i][j] = {_TAG: "error", "v": kind}
        elif type(value) in (int, float):
            rows[i][j] = {_TAG: "percent", "v": value}
    return rows


def _answer(content: bytes, output_limit: int) -> bytes:
    import python_calamine

    try:
        sheets = _read(content)
    except python_calamine.PasswordError:
        return json.dumps({"failure": "encrypted"}).encode()
    except MemoryError:
        raise
    except BaseException as exc:  # the reader's errors, and its panics (BaseException)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        detail = f"{type(exc).__name__}: {exc}"[:300]
        return json.dumps({"failure": "unreadable", "detail": detail}).encode()
    payload = json.dumps(
        {"sheets": sheets}, default=_encode, separators=(",", ":"), ensure_ascii=False
    ).encode()
    if len(payload) > output_limit:
        detail = f"{len(payload)} bytes"
        return json.dumps({"failure": "output", "detail": detail}).encode()
    return payload


def main(argv: list[str]) -> int:
    """The child: ``argv`` is the reader's directory, the memory limit (MB), the CPU seconds
    and the output limit (MB); the file comes on stdin, the cells (or a failure) go to stdout."""
    sys.path.append(argv[1])
    # the repository root, for the standard-library-only cell kinds (no app module is imported)
    sys.path.append(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    memory_mb, cpu_seconds, output_mb = (int(arg) for arg in argv[2:5])
    _limit_self(memory_mb, cpu_seconds)
    try:
        content = sys.stdin.buffer.read()
        sys.stdout.buffer.write(_answer(content, output_mb * 1024 * 1024))
        sys.stdout.buffer.flush()
    except MemoryError:
        os._exit(_MEMORY_EXIT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
