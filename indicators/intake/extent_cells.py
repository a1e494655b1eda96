"""What a cell holds where the reader cannot say it: spreadsheet errors and percentages.

python-calamine reads an error cell (``#DIV/0!``, ``#N/A``...) as an empty string (an ``.ods``
error cell as its cached number, often 0), and a number shown as ``81,5 %`` as the fraction
``0.815``. With the rule that a blank changes nothing, an error would keep the earlier value
without a word, and the fraction would be stored as the figure. So the reading child
(:mod:`indicators.intake.sandbox`) also walks the file's own structure, with the same streaming
parsers as the extent checks (:mod:`indicators.intake.extent`,
:mod:`indicators.intake.xls_extent`), and finds each cell's kind:

- ``.xlsx``: ``<c t="e">`` (its ``<v>`` is the error text); a number whose style (``s``, an index
  into ``cellXfs`` of ``xl/styles.xml``) has a percentage number format (built-in 9 or 10, or a
  format code with ``%`` outside quotes);
- ``.ods``: ``value-type="error"`` (LibreOffice's ``calcext``; the text is the error) and
  ``office:value-type="percentage"``;
- ``.xls``: ``BOOLERR`` with its error flag, ``FORMULA`` with an error result, and a number
  (``NUMBER``, ``RK``, ``MULRK``, a numeric ``FORMULA``) whose XF has a percentage ``FORMAT``.

Only the standard library is imported (the child is lean). Positions are 0-based
``(row, column)`` from A1, as the reader's ``start`` gives them.
"""

from __future__ import annotations

import re
import struct
import zipfile

from indicators.intake.extent import (
    CHUNK,
    Budget,
    Limits,
    XlsxPart,
    _attribute,
    _local,
    _repeats,
    _sheet_part,
    parse_part,
)
from indicators.intake.xls_extent import _Compound, _records_until_eof, _u16

PERCENT = "%"  # the kind of a number formatted as a percentage; any other kind is an error text
MAX_MARKS = 1_000_000  # cells of one file marked: beyond, the child runs out of memory cleanly
_ERROR_TEXT_CHARS = 32
_PERCENT_BUILTINS = frozenset((9, 10))  # 0% and 0.00%
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_UNBOUNDED = Limits(
    cells=1 << 62, rows=1 << 62, columns=1 << 62, sheets=1 << 30, bytes=1 << 62, seconds=1e9
)
_XLS_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

SheetKinds = dict[tuple[int, int], str]
Kinds = dict[str, SheetKinds]  # sheet name -> position -> PERCENT or the error text


class ErrorCell(str):
    """A cell that shows a spreadsheet error instead of a value; the text is the error."""

    __slots__ = ()


class PercentCell(float):
    """A number in a cell formatted as a percentage: ``0.815``, shown as ``81,5 %``."""

    __slots__ = ()


def is_percent_format(code: str) -> bool:
    """Whether a number format code shows a percentage (a ``%`` outside quotes)."""
    return "%" in _QUOTED.sub("", code)


def cell_kinds(content: bytes) -> Kinds:
    """The error and percentage cells of each sheet of an ``.xlsx``, ``.ods`` or ``.xls``."""
    if content.startswith(_OLE_MAGIC):
        return _xls_kinds(content)
    if not content.startswith(b"PK"):
        return {}
    import io

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        if "content.xml" in names and "xl/workbook.xml" not in names:
            return _ods_kinds(archive, Budget(_UNBOUNDED))
        if "xl/workbook.xml" in names:
            return _xlsx_kinds(archive, names, Budget(_UNBOUNDED))
    return {}


class _Marks:
    """Every position marked in one file, counted against :data:`MAX_MARKS`."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, kinds: SheetKinds, at: tuple[int, int], kind: str) -> None:
        self.count += 1
        if self.count > MAX_MARKS:
            raise MemoryError("too many cells to mark")
        kinds[at] = kind


# --- .xlsx ------------------------------------------------------------------------------------


def _xlsx_kinds(archive: zipfile.ZipFile, names: set[str], budget: Budget) -> Kinds:
    percent = _xlsx_percent_styles(archive, budget) if "xl/styles.xml" in names else frozenset()
    marks = _Marks()
    kinds: Kinds = {}
    for name, part in _xlsx_sheets(archive, names, budget):
        if part in names and (percent or _has_error_cells(archive, part)):
            sheet = _XlsxSheet(percent, marks)
            parse_part(archive, archive.getinfo(part), budget, sheet.start, sheet.end, sheet.text)
            kinds[name] = sheet.kinds
    return kinds


def _xlsx_sheets(
    archive: zipfile.ZipFile, names: set[str], budget: Budget
) -> list[tuple[str, str]]:
    """(name, zip member) of each sheet the workbook lists."""
    sheets: list[tuple[str, str]] = []
    targets: dict[str, str] = {}

    def workbook(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet":
            ids = _attribute(attrs, "id")
            sheets.append((attrs.get("name", ""), ids[0] if ids else ""))

    def relations(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    parse_part(archive, archive.getinfo("xl/workbook.xml"), budget, workbook)
    if "xl/_rels/workbook.xml.rels" in names:
        parse_part(archive, archive.getinfo("xl/_rels/workbook.xml.rels"), budget, relations)
    return [(name, _sheet_part(targets.get(rid, ""))) for name, rid in sheets]


def _xlsx_percent_styles(archive: zipfile.ZipFile, budget: Budget) -> frozenset[str]:
    """The indexes (as written in ``s``) of the cell formats that show a percentage."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    inside = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            fmt_id = attrs.get("numFmtId", "")
            if fmt_id.isdigit():
                custom[int(fmt_id)] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            inside[0] = True
        elif local == "xf" and inside[0]:
            fmt_id = attrs.get("numFmtId", "0")
            formats.append(int(fmt_id) if fmt_id.isdigit() else 0)

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            inside[0] = False

    parse_part(archive, archive.getinfo("xl/styles.xml"), budget, start, end)
    return frozenset(
        str(index)
        for index, fmt_id in enumerate(formats)
        if fmt_id in _PERCENT_BUILTINS or is_percent_format(custom.get(fmt_id, ""))
    )


def _has_error_cells(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet's XML may hold an error cell (``t="e"``): a fast scan of its bytes."""
    tail = b""
    with archive.open(part) as fh:
        while chunk := fh.read(CHUNK):
            if _ERROR_TYPE.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


class _XlsxSheet(XlsxPart):
    """The extent handler of a sheet, marking its error cells and its percentage numbers."""

    def __init__(self, percent: frozenset[str], marks: _Marks):
        super().__init__(_UNBOUNDED)
        self.percent = percent
        self.marks = marks
        self.kinds: SheetKinds = {}
        self.error_at: tuple[int, int] | None = None
        self.percent_at: tuple[int, int] | None = None
        self.in_value = False
        self.chars: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        super().start(name, attrs)
        local = _local(name)
        if local == "c" and self.in_data:
            at = (self.row, self.col - 1)
            kind = attrs.get("t", "n")
            self.error_at = at if kind == "e" else None
            self.percent_at = at if kind == "n" and attrs.get("s") in self.percent else None
            self.chars = []
        elif local == "v":
            self.in_value = self.error_at is not None
            if self.percent_at is not None:  # a number, not an empty styled cell
                self.marks.add(self.kinds, self.percent_at, PERCENT)

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "v":
            self.in_value = False
        elif local == "c" and self.error_at is not None:
            text = "".join(self.chars).strip()[:_ERROR_TEXT_CHARS]
            self.marks.add(self.kinds, self.error_at, text or "#N/A")
            self.error_at = None

    def text(self, data: str) -> None:
        if self.in_value and sum(map(len, self.chars)) < _ERROR_TEXT_CHARS:
            self.chars.append(data)


# --- .ods -------------------------------------------------------------------------------------


class _OdsTable:
    def __init__(self, name: str):
        self.name = name
        self.row = 0
        self.row_repeats = 1
        self.col = 0


class _OdsKinds:
    """Start/end/text handlers for ``content.xml``: each table's error and percentage cells."""

    def __init__(self) -> None:
        self.marks = _Marks()
        self.kinds: Kinds = {}
        self.tables: list[_OdsTable] = []
        self.error: tuple[_OdsTable, int, int] | None = None  # the error cell being read
        self.chars: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        table = self.tables[-1] if self.tables else None
        if local in ("table-cell", "covered-table-cell") and table is not None:
            self._cell(table, attrs)
        elif local == "table-row" and table is not None:
            table.row_repeats = _repeats(attrs, "number-rows-repeated")
            table.col = 0
        elif local == "table":
            names = _attribute(attrs, "name")
            self.tables.append(_OdsTable(names[0] if names else ""))

    def _cell(self, table: _OdsTable, attrs: dict[str, str]) -> None:
        repeats = _repeats(attrs, "number-columns-repeated")
        types = _attribute(attrs, "value-type")
        if "error" in types:
            self.error, self.chars = (table, table.col, repeats), []
        elif "percentage" in types:
            self._mark(table, table.col, repeats, PERCENT)
        table.col += repeats

    def _mark(self, table: _OdsTable, col: int, repeats: int, kind: str) -> None:
        sheet = self.kinds.setdefault(table.name, {})
        for row in range(table.row, table.row + table.row_repeats):
            for column in range(col, col + repeats):
                self.marks.add(sheet, (row, column), kind)

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "table-cell" and self.error is not None:
            table, col, repeats = self.error
            text = "".join(self.chars).strip()[:_ERROR_TEXT_CHARS]
            self._mark(table, col, repeats, text or "#N/A")
            self.error = None
        elif local == "table-row" and self.tables:
            self.tables[-1].row += self.tables[-1].row_repeats
        elif local == "table" and self.tables:
            self.tables.pop()

    def text(self, data: str) -> None:
        if self.error is not None and sum(map(len, self.chars)) < _ERROR_TEXT_CHARS:
            self.chars.append(data)


def _ods_kinds(archive: zipfile.ZipFile, budget: Budget) -> Kinds:
    handler = _OdsKinds()
    parse_part(
        archive, archive.getinfo("content.xml"), budget, handler.start, handler.end, handler.text
    )
    return handler.kinds


# --- .xls -------------------------------------------------------------------------------------

_BOUNDSHEET, _FORMAT, _XF = 0x0085, 0x041E, 0x00E0
_NUMBER, _RK, _MULRK, _FORMULA, _BOOLERR = 0x0203, 0x027E, 0x00BD, 0x0006, 0x0205


def _xls_kinds(data: bytes) -> Kinds:
    stream = _Compound(data).workbook_stream()
    sheets, percent = _xls_globals(stream)
    marks = _Marks()
    return {name: _xls_sheet_kinds(stream, pos, percent, marks) for name, pos in sheets}


def _xls_string(stream: bytes, pos: int, chars: int) -> str:
    """A BIFF8 unicode string's characters at ``pos`` (its flags byte first)."""
    if stream[pos] & 1:
        return stream[pos + 1 : pos + 1 + 2 * chars].decode("utf-16-le", "replace")
    return stream[pos + 1 : pos + 1 + chars].decode("latin-1")


def _xls_globals(stream: bytes) -> tuple[list[tuple[str, int]], frozenset[int]]:
    """(name, substream offset) of each sheet, and the XF indexes that show a percentage."""
    sheets: list[tuple[str, int]] = []
    custom: dict[int, str] = {}
    xf_formats: list[int] = []
    for kind, body, length in _records_until_eof(stream, 0):
        if kind == _BOUNDSHEET and length >= 8:
            name = _xls_string(stream, body + 7, stream[body + 6])
            sheets.append((name, struct.unpack_from("<I", stream, body)[0]))
        elif kind == _FORMAT and length >= 5:
            custom[_u16(stream, body)] = _xls_string(stream, body + 4, _u16(stream, body + 2))
        elif kind == _XF and length >= 4:
            xf_formats.append(_u16(stream, body + 2))
    percent = frozenset(
        index
        for index, fmt in enumerate(xf_formats)
        if fmt in _PERCENT_BUILTINS or is_percent_format(custom.get(fmt, ""))
    )
    return sheets, percent


def _xls_sheet_kinds(stream: bytes, pos: int, percent: frozenset[int], marks: _Marks) -> SheetKinds:
    kinds: SheetKinds = {}
    for kind, body, length in _records_until_eof(stream, pos):
        if length < 8 or kind not in (_NUMBER, _RK, _MULRK, _FORMULA, _BOOLERR):
            continue
        at = (_u16(stream, body), _u16(stream, body + 2))
        if kind == _MULRK:
            for index in range((length - 6) // 6):
                if _u16(stream, body + 4 + 6 * index) in percent:
                    marks.add(kinds, (at[0], at[1] + index), PERCENT)
        elif kind == _BOOLERR:
            if stream[body + 7] == 1:
                marks.add(kinds, at, _XLS_ERRORS.get(stream[body + 6], "#N/A"))
        elif kind == _FORMULA and length >= 14 and stream[body + 12 : body + 14] == b"\xff\xff":
            if stream[body + 6] == 2:  # the cached result is an error
                marks.add(kinds, at, _XLS_ERRORS.get(stream[body + 8], "#N/A"))
        elif _u16(stream, body + 4) in percent:  # NUMBER, RK, a numeric FORMULA
            marks.add(kinds, at, PERCENT)
    return kinds
