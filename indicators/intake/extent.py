"""How much a workbook will make the reader allocate, found by streaming its XML first.

python-calamine builds each sheet as one dense grid: rows x columns of its used area, whatever
the cells in between hold, and it reserves room for as many shared strings as the file
declares. This module reads the parts of an ``.xlsx`` or ``.ods`` package with expat, a real
streaming XML parser (either quoting, any whitespace, any namespace prefix: elements and
attributes are matched by their local name), fed from the zip member in small chunks under
one byte budget and one deadline, and computes what the reader would allocate:

- ``.xlsx``: every ``<c>`` after ``<sheetData>``, at its ``r`` position or, without one, at the
  position the reader gives it (the previous cell's column + 1; a ``<row>`` without ``r`` is
  the previous row + 1); the ``uniqueCount`` of the shared strings;
- ``.ods``: the rows and cells once ``number-rows-repeated`` / ``number-columns-repeated`` are
  expanded, up to the last row and column holding a value (empty rows and cells at the end,
  as LibreOffice writes them, are not allocated and do not count).

Both are measured from A1, so the extent found is never smaller than the reader's (which
starts at the first cell holding a value); it also counts an empty ``<c>``, and every
``table`` element. Document type declarations are refused (entities are never needed
by a spreadsheet), and so is an XML part that is not well-formed.
"""

from __future__ import annotations

import posixpath
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

CHUNK = 256 * 1024
MAX_TAG_BYTES = 1024 * 1024  # one start tag (its attributes): far above any real one
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_ROW_REF = re.compile(r"[1-9][0-9]{0,6}")
_COUNT = re.compile(r"[0-9]{1,10}")
_ODS_VALUES = frozenset(
    ("value-type", "value", "string-value", "date-value", "time-value", "boolean-value", "formula")
)
_ODS_CELLS = frozenset(("table-cell", "covered-table-cell"))


class ExtentRefused(Exception):
    """A limit is exceeded or the file does not add up. ``kind`` is one of ``rows``,
    ``columns``, ``cells`` (one sheet), ``book_cells`` (all sheets), ``sheets``, ``bytes``,
    ``time``, ``entities``, ``damaged``; ``count`` is what was found, when it is known."""

    def __init__(self, kind: str, count: int | None = None, detail: str = ""):
        super().__init__(kind, count, detail)
        self.kind = kind
        self.count = count
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    """How large a workbook the reader may be asked to allocate, and for how long it may read."""

    cells: int  # of one sheet's used area, and of all sheets together
    rows: int  # of all sheets together
    columns: int
    sheets: int
    bytes: int  # inflated XML, all parts together
    seconds: float

    def check_sheet(self, rows: int, columns: int, reserved: int = 0) -> None:
        """Refuse one sheet whose used area, reserved cells, columns or rows exceed the limits."""
        if max(rows * columns, reserved) > self.cells:
            raise ExtentRefused("cells", max(rows * columns, reserved))
        if columns > self.columns:
            raise ExtentRefused("columns", columns)
        if rows > self.rows:
            raise ExtentRefused("rows", rows)

    def check_book(self, extents: list[SheetExtent]) -> None:
        """Each sheet, then all of them together (the reader keeps every sheet it read)."""
        if len(extents) > self.sheets:
            raise ExtentRefused("sheets", len(extents))
        for extent in extents:
            self.check_sheet(extent.rows, extent.columns, extent.reserved)
        rows = sum(extent.rows for extent in extents)
        if rows > self.rows:
            raise ExtentRefused("rows", rows)
        cells = sum(extent.cells for extent in extents)
        if cells > self.cells:
            raise ExtentRefused("book_cells", cells)


@dataclass
class SheetExtent:
    """The used area the reader would allocate for one sheet, measured from A1."""

    rows: int = 0
    columns: int = 0
    reserved: int = 0  # cells the reader reserves before reading any (.xls DIMENSIONS)

    @property
    def cells(self) -> int:
        """Cells the reader allocates: the dense grid, or what it reserved if that is more."""
        return max(self.rows * self.columns, self.reserved)


class Budget:
    """Inflated bytes and time left for reading every part of one file."""

    def __init__(self, limits: Limits):
        self.left = limits.bytes
        self.deadline = time.monotonic() + limits.seconds

    def spend(self, size: int) -> None:
        """Take ``size`` inflated bytes from the budget; refuse when bytes or time run out."""
        self.left -= size
        if self.left < 0:
            raise ExtentRefused("bytes")
        if time.monotonic() > self.deadline:
            raise ExtentRefused("time")


def _refuse_doctype(*_args: object) -> None:
    raise ExtentRefused("entities")


def _tag_gap(chunk: bytes, gap: int) -> int:
    """Bytes of a start tag still open at the end of ``chunk`` (0 when none is open)."""
    opening = chunk.rfind(b"<")
    closing = chunk.rfind(b">")
    if opening > closing:
        return len(chunk) - opening
    if opening == closing == -1 and gap:
        return gap + len(chunk)
    return 0


def parse_part(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    budget: Budget,
    start: Callable[[str, dict[str, str]], None] | None = None,
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Parse one XML part in chunks, calling ``start`` / ``end`` for each element (and
    ``text`` for character data, when given)."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    gap = 0
    empty = True
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(CHUNK):
                budget.spend(len(chunk))
                gap = _tag_gap(chunk, gap)
                if gap > MAX_TAG_BYTES:
                    raise ExtentRefused("damaged", detail=f"{info.filename}: endless tag")
                parser.Parse(chunk, False)
                empty = False
            if not empty:  # LibreOffice writes some parts empty: nothing in them to read
                parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ExtentRefused("damaged", detail=f"{info.filename}: {exc}") from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ExtentRefused("damaged", detail=f"{info.filename}: {exc}") from None


def _local(name: str) -> str:
    return name if ":" not in name else name.rpartition(":")[2]


def _attribute(attrs: dict[str, str], local: str) -> list[str]:
    """Values of every attribute named ``local`` whatever its prefix."""
    return [value for key, value in attrs.items() if _local(key) == local]


def _count(value: str) -> int:
    if not _COUNT.fullmatch(value):
        raise ExtentRefused("damaged", detail=f"not a count: {value[:20]!r}")
    return int(value)


_COLUMNS: dict[str, int] = {}  # "A" -> 0, "AB" -> 27: at most 18,278 entries


def _column_index(letters: str) -> int:
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for char in letters:
            index = index * 26 + ord(char) - 64
        _COLUMNS[letters] = index = index - 1
    return index


# --- .xlsx ------------------------------------------------------------------------------------

_XLSX_NAMES = frozenset(("c", "row", "sheetData", "sst", "sheet", "Relationship"))


class XlsxPart:
    """The start-element handler for one part of an ``.xlsx`` package: the extent of its
    ``sheetData``, the ``<sheet>`` entries of a workbook, the relationships of a ``.rels``,
    and the declared number of shared strings."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.in_data = False
        self.row = 0  # the reader's current row (0-based) and column
        self.row_ref = ""  # the current row's r, as written
        self.next_row = 0
        self.col = 0
        self.rows = 0  # extent found: last row and column holding a <c>
        self.columns = 0
        self.sheet_ids: list[str] = []
        self.relations: dict[str, str] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Note what an element tells of the extent: a cell, a row, a sheet, a relationship."""
        local = name if ":" not in name else name.rpartition(":")[2]
        if local not in _XLSX_NAMES:
            return  # most elements: <v>, <is>, <t>... (this runs for every one)
        if local == "c":
            if self.in_data:
                self._cell(attrs.get("r"))
        elif local == "row":
            if self.in_data:
                self._row(attrs.get("r"))
        elif local == "sheetData":
            self.in_data = True
        elif local == "sst":
            for value in _attribute(attrs, "uniqueCount") + _attribute(attrs, "count"):
                if _count(value) > self.limits.cells:
                    raise ExtentRefused("damaged", detail=f"{value} shared strings declared")
        elif local == "sheet":
            self.sheet_ids.extend(_attribute(attrs, "id")[:1] or [""])
        else:
            self.relations[attrs.get("Id", "")] = attrs.get("Target", "")

    def _cell(self, ref: str | None) -> None:
        if ref is None:
            row, col = self.row, self.col
        else:
            # the usual case, "C12" in row 12: a column already seen, then the row's number
            known = _COLUMNS.get(ref[: -len(self.row_ref)]) if self.row_ref else None
            if known is not None and ref.endswith(self.row_ref):
                row, col = self.row, known
            else:
                match = _CELL_REF.fullmatch(ref)
                if match is None:
                    raise ExtentRefused("damaged", detail=f"cell reference {ref[:20]!r}")
                row, col = int(match[2]) - 1, _column_index(match[1])
        self.col = col + 1
        if row >= self.rows or col >= self.columns:
            self.rows = max(self.rows, row + 1)
            self.columns = max(self.columns, col + 1)
            self.limits.check_sheet(self.rows, self.columns)

    def _row(self, ref: str | None) -> None:
        # The reader moves to the next row when a row ends; here, when the next one starts.
        # A cell outside any row would sit one row lower for the reader: at most one row.
        if ref is None:
            self.row = self.next_row
            self.row_ref = ""
        elif _ROW_REF.fullmatch(ref):
            self.row = int(ref) - 1
            self.row_ref = ref
        else:
            raise ExtentRefused("damaged", detail=f"row number {ref[:20]!r}")
        self.next_row = self.row + 1
        self.col = 0


def _sheet_part(target: str) -> str:
    """The zip member a workbook relationship's target names (relative to ``xl/``)."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join("xl", target))


def xlsx_extents(
    archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], limits: Limits, budget: Budget
) -> list[SheetExtent]:
    """The extent of each sheet the workbook lists (a part listed twice counts twice)."""
    found: dict[str, SheetExtent] = {}
    workbook: XlsxPart | None = None
    relations: XlsxPart | None = None
    for info in parts:
        handler = XlsxPart(limits)
        parse_part(archive, info, budget, handler.start)
        if handler.in_data:
            found[info.filename] = SheetExtent(handler.rows, handler.columns)
        if info.filename == "xl/workbook.xml":
            workbook = handler
        elif info.filename == "xl/_rels/workbook.xml.rels":
            relations = handler
    targets = relations.relations if relations else {}
    names = {info.filename for info in archive.infolist()}
    listed: list[SheetExtent] = []
    largest = max(found.values(), key=lambda e: e.cells, default=SheetExtent())
    for sheet_id in workbook.sheet_ids if workbook else []:
        part = _sheet_part(targets.get(sheet_id, ""))
        # a target this reading cannot place: count the largest sheet of the package
        listed.append(found.get(part, SheetExtent() if part in names else largest))
    if sum(e.cells for e in found.values()) > sum(e.cells for e in listed):
        return list(found.values())  # sheets the workbook does not list: count every one
    return listed


# --- .ods -------------------------------------------------------------------------------------


@dataclass
class _Table:
    position: int = 0  # rows so far, repeats expanded
    last_end: int = 0  # just past the last row holding a value
    columns: int = 0
    in_row: bool = False
    row_repeats: int = 1
    cell_position: int = 0
    row_width: int = 0  # just past the last cell holding a value, in the current row


@dataclass
class OdsContent:
    """Start/end handlers for an ODS ``content.xml``: the extent of each table."""

    limits: Limits
    budget: Budget
    tables: list[_Table] = field(default_factory=list)
    extents: list[SheetExtent] = field(default_factory=list)  # the first (limit + 1) tables
    count: int = 0  # every table, nested ones too

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Open a table, a row or a cell, and charge the spaces a ``<text:s>`` stands for."""
        local = name if ":" not in name else name.rpartition(":")[2]
        table = self.tables[-1] if self.tables else None
        if local in _ODS_CELLS:
            if table is not None and table.in_row:
                self._cell(table, attrs)
        elif local == "table-row":
            if table is not None:
                table.in_row = True
                table.row_repeats = _repeats(attrs, "number-rows-repeated")
                table.cell_position = table.row_width = 0
        elif local == "table":
            self.tables.append(_Table())
            self.count += 1
        elif local == "s":  # text:s c="N": N spaces once read
            for value in _attribute(attrs, "c"):
                self.budget.spend(_count(value))

    def _cell(self, table: _Table, attrs: dict[str, str]) -> None:
        table.cell_position += _repeats(attrs, "number-columns-repeated")
        if any(_local(key) in _ODS_VALUES for key in attrs):
            table.row_width = table.cell_position
            if table.row_width > self.limits.columns:
                raise ExtentRefused("columns", table.row_width)

    def end(self, name: str) -> None:
        """Close a row (its extent counted, repeats included) or a table (its extent kept)."""
        local = name if ":" not in name else name.rpartition(":")[2]
        if local == "table-row" and self.tables:
            self._end_row(self.tables[-1])
        elif local == "table" and self.tables:
            table = self.tables.pop()
            if len(self.extents) <= self.limits.sheets:
                self.extents.append(SheetExtent(table.last_end, table.columns))

    def _end_row(self, table: _Table) -> None:
        if table.row_width:
            table.last_end = table.position + table.row_repeats
            table.columns = max(table.columns, table.row_width)
            self.limits.check_sheet(table.last_end, table.columns)
        table.position += table.row_repeats
        table.in_row = False


def _repeats(attrs: dict[str, Any], local: str) -> int:
    values = _attribute(attrs, local)
    return max((_count(value) for value in values), default=1)


def ods_extents(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: Budget
) -> list[SheetExtent]:
    """The extent of each table of an ODS ``content.xml``; refuse more tables than the limit."""
    content = OdsContent(limits, budget)
    parse_part(archive, info, budget, content.start, content.end)
    if content.count > limits.sheets:
        raise ExtentRefused("sheets", content.count)
    return content.extents
