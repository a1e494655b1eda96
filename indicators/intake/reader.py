"""Read a spreadsheet into plain grids of cells, keeping the row numbers people see.

Workbooks (.xlsx, .xlsm, .xls, .ods) are read with python-calamine (fast, and macros
never run: it only reads cell values). CSV files are decoded as UTF-8 (with or without BOM) or
Windows-1252, with ``;`` or ``,`` (or tab) as the delimiter, sniffed from the text.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from typing import Any

import python_calamine

from indicators.intake.safety import Format, UnsafeFile
from settings import Settings

Cell = Any  # str | float | int | bool | date | datetime | time | timedelta


@dataclass
class Sheet:
    """A sheet's used area: ``rows[i]`` is spreadsheet row ``first_row + i``; ``rows[i][j]`` is
    column ``first_col + j`` (0 = A)."""

    name: str
    rows: list[list[Cell]]
    first_row: int = 1
    first_col: int = 0
    visible: bool = True

    def row_number(self, index: int) -> int:
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
    if fmt == "csv":
        return [read_csv(filename, content, settings)]
    return read_workbook(content, settings)


def read_workbook(content: bytes, settings: Settings) -> list[Sheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except python_calamine.PasswordError:
        raise UnsafeFile(
            "encrypted",
            "The workbook is password-protected. Save it without a password and send it again.",
        ) from None
    if len(workbook.sheet_names) > settings.max_sheets:
        raise UnsafeFile(
            "too_many_sheets",
            "The workbook has too many sheets ({count}; the limit is {limit}).",
            {"count": len(workbook.sheet_names), "limit": settings.max_sheets},
        )
    sheets: list[Sheet] = []
    total_rows = 0
    for meta in workbook.sheets_metadata:
        if "WorkSheet" not in str(meta.typ):
            continue  # chart sheets and the like hold no cells
        sheet = workbook.get_sheet_by_name(meta.name)
        total_rows += sheet.total_height
        if total_rows > settings.max_rows:
            raise UnsafeFile(
                "too_many_rows",
                "The file has too many rows (the limit is {limit}).",
                {"limit": settings.max_rows},
            )
        if sheet.total_height * sheet.total_width > settings.max_cells:
            raise UnsafeFile(
                "too_many_cells",
                "A sheet spans too many cells (the limit is {limit}): remove what is far from "
                "the data.",
                {"limit": settings.max_cells},
            )
        start = sheet.start or (0, 0)
        rows = sheet.to_python(skip_empty_area=True)
        sheets.append(
            Sheet(
                name=meta.name,
                rows=rows,
                first_row=start[0] + 1,
                first_col=start[1],
                visible="Visible" in str(meta.visible) and "Hidden" not in str(meta.visible),
            )
        )
    return sheets


def decode_text(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
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
    text = decode_text(content)
    delimiter = sniff_delimiter(text)
    rows: list[list[Cell]] = []
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append([cell.strip() for cell in record])
        if len(rows) > settings.max_rows:
            raise UnsafeFile(
                "too_many_rows",
                "The file has too many rows (the limit is {limit}).",
                {"limit": settings.max_rows},
            )
    return Sheet(name=filename.rsplit("/", 1)[-1] or "CSV", rows=rows)
