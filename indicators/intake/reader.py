"""Read a spreadsheet into plain grids of cells, keeping the row numbers people see.

Workbooks (.xlsx, .xlsm, .xls, .ods) are read with python-calamine (fast, and macros never
run: it only reads cell values) in a bounded child process (:mod:`indicators.intake.sandbox`):
whatever a file makes the reader allocate stays within ``READ_MEMORY_LIMIT_MB`` and
``READ_TIMEOUT_SECONDS``, and a file it cannot read is a named refusal
(:class:`~indicators.intake.safety.UnreadableFile`, logged as one line), never a traceback.
CSV files are read here (they are bounded by their size): decoded as UTF-8 (with or without
BOM) or Windows-1252, with ``;`` or ``,`` (or tab) as the delimiter, sniffed from the text.
NUL characters are removed from every text (PostgreSQL cannot store them, SQLite can: the
same file must store the same values on both).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from dataclasses import dataclass
from typing import Any

from indicators.intake import sandbox
from indicators.intake.extent import SheetExtent
from indicators.intake.safety import (
    ENCRYPTED_MSGID,
    UNREADABLE_MSGID,
    Format,
    ReadLimitExceeded,
    UnreadableFile,
    UnsafeFile,
    check_extents,
    too_slow,
)
from settings import Settings

Cell = Any  # str | float | int | bool | date | datetime | time | timedelta

log = logging.getLogger(__name__)


@dataclass
class Sheet:
    """A sheet's used area: ``rows[i]`` is spreadsheet row ``first_row + i``; ``rows[i][j]`` is
    column ``first_col + j`` (0 = A)."""

    name: str
    rows: list[list[Cell]]
    first_row: int = 1
    first_col: int = 0
    visible: bool = True
    nul_removed: bool = False  # NUL characters were removed from its name or cells

    def row_number(self, index: int) -> int:
        """The row number the spreadsheet shows for ``rows[index]``."""
        return self.first_row + index


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_sheets(filename: str, content: bytes, fmt: Format, settings: Settings) -> list[Sheet]:
    """The sheets of a file whose format the safety checks found (a CSV file is one sheet)."""
    if fmt == "csv":
        return [read_csv(filename, content, settings)]
    return read_workbook(content, settings, filename=filename)


def read_workbook(content: bytes, settings: Settings, *, filename: str = "") -> list[Sheet]:
    """The worksheets of a workbook, read in the bounded child, each cell with its kind (an
    error cell as an :class:`~indicators.intake.extent_cells.ErrorCell`, a %-formatted number
    as a :class:`~indicators.intake.extent_cells.PercentCell`); a named refusal
    (:class:`UnsafeFile`) when it cannot be read within the limits."""
    try:
        answer = sandbox.read_cells(
            content,
            memory_mb=settings.read_memory_limit_mb,
            timeout=settings.read_timeout_seconds,
            output_mb=settings.read_output_limit_mb,
        )
    except OSError as exc:  # no process can be started: the server's trouble, not the file's
        log.error("cannot start the spreadsheet reader for %s: %s", filename, exc)
        raise UnsafeFile(
            "reader_unavailable",
            "The file cannot be read right now (the server is busy): try again in a few minutes.",
        ) from None
    if isinstance(answer, sandbox.Failure):
        log.warning("file %s not read (%s): %s", filename, answer.reason, answer.detail)
        raise _refusal(answer, settings)
    sheets = [
        Sheet(
            name=_without_nul(raw["name"]),
            rows=raw["rows"],
            first_row=raw["first_row"],
            first_col=raw["first_col"],
            visible=raw["visible"],
            nul_removed="\x00" in raw["name"],
        )
        for raw in answer.sheets
    ]
    if answer.may_hold_nul:
        for sheet in sheets:
            sheet.nul_removed = _strip_nul(sheet.rows) or sheet.nul_removed
    # the limits, again, on what was read (the extent checks found at least as much)
    check_extents(
        [SheetExtent(len(s.rows), max(map(len, s.rows), default=0)) for s in sheets], settings
    )
    return sheets


def _refusal(failure: sandbox.Failure, settings: Settings) -> UnsafeFile:
    if failure.reason == "encrypted":
        return UnsafeFile("encrypted", ENCRYPTED_MSGID)
    if failure.reason == "timeout":
        return too_slow(settings)
    if failure.reason == "memory":
        return ReadLimitExceeded(
            "read_memory",
            "The file is too big to read safely: reading it would need more than {limit} MB "
            "of memory. It has been refused: remove what is far from the data (or split the "
            "file) and send it again.",
            {"limit": settings.read_memory_limit_mb},
        )
    if failure.reason == "output":
        return ReadLimitExceeded(
            "read_output",
            "The file holds too much once read (more than {limit} MB): it has been refused. "
            "Remove what is not needed (or split the file) and send it again.",
            {"limit": settings.read_output_limit_mb},
        )
    return UnreadableFile("unreadable", UNREADABLE_MSGID)


def _without_nul(text: str) -> str:
    return text.replace("\x00", "") if "\x00" in text else text


def _strip_nul(rows: list[list[Cell]]) -> bool:
    """Remove NUL characters from the text cells; whether there was any."""
    found = False
    for row in rows:
        for index, cell in enumerate(row):
            if type(cell) is str and "\x00" in cell:
                row[index] = cell.replace("\x00", "")
                found = True
    return found


def decode_text(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: the one found, outside quotes, on most of the first lines."""
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ";", -1
    for delimiter in (";", ",", "\t"):
        counts = [_count_outside_quotes(line, delimiter) for line in lines]
        # a good delimiter appears, and about as often on every line
        score = sum(1 for c in counts if c > 0) * 1000 + max(counts, default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count = 0
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def read_csv(filename: str, content: bytes, settings: Settings) -> Sheet:
    """The CSV file as one sheet (NUL characters removed, and noted)."""
    decoded = decode_text(content)
    text = _without_nul(decoded)
    delimiter = sniff_delimiter(text)
    rows: list[list[Cell]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([cell.strip() for cell in record])
            if len(rows) > settings.max_rows:
                check_extents([SheetExtent(len(rows), 1)], settings)
    except csv.Error as exc:  # e.g. a field longer than any cell (csv's field size limit)
        log.warning("file %s not read (csv): %s", filename, exc)
        raise UnreadableFile("unreadable", UNREADABLE_MSGID) from None
    name = _without_nul(filename.rsplit("/", 1)[-1]) or "CSV"
    return Sheet(name=name, rows=rows, nul_removed=len(text) != len(decoded))
