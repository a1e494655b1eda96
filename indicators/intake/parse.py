"""Find the data in a workbook: the sheet, its header row, its layout, its records.

What people really send: the header row anywhere in the first rows (under merged title rows),
headers in Catalan, Spanish or English regardless of case and accents, blank rows and trailing
notes, other sheets around the data sheet; long format (a period column) or wide format (one
column per quarter: ``2025-T1``, ``T1 2025``, ``1T 2025``, ``2025 Q1``...). The template's very
hidden ``_meta`` sheet gives the service and period it was made for.

Breakdowns (issue 14): a column per dimension (``ABSS``, ``Municipi``, ``Sexe``, ``Grup
d'edat``, in ca/es/en) gives each row's members, raw (checked against the plan by
validation); ``Numerador`` and ``Denominador`` give a ratio's two counts (long layout).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from indicators.intake.reader import Cell, Sheet, column_letter
from plan_model.periods import Period

NO_MEMBERS: Mapping[str, tuple[object, str]] = MappingProxyType({})  # a row without members
HEADER_SEARCH_ROWS = 30
META_SHEET = "_meta"

Role = Literal["indicator", "value", "period", "comment", "service"]

# folded header text → (role, priority); a higher priority wins when several columns match
_HEADERS: dict[str, tuple[Role, int]] = {}


def _add(role: Role, priority: int, *names: str) -> None:
    for name in names:
        _HEADERS[name] = (role, priority)


_add(
    "indicator",
    3,
    "codi",
    "code",
    "codigo",
    "cod",
    "codi indicador",
    "codi de l indicador",
    "codi de indicador",
    "codi de l'indicador",
    "codigo indicador",
    "codigo del indicador",
    "codigo de indicador",
    "indicator code",
    "code indicator",
    "id indicador",
    "id",
)
_add("indicator", 1, "indicador", "indicator", "indicadors", "indicadores", "indicators")
_add(
    "value",
    3,
    "valor",
    "value",
    "valor assolit",
    "valor real",
    "valor actual",
    "valor del trimestre",
    "valor trimestre",
    "valor trimestral",
    "valor obtingut",
    "valor obtenido",
    "valor alcanzado",
    "valor aconseguit",
    "resultat",
    "resultado",
    "dada",
    "dato",
    "actual value",
    "valor nou",
    "nou valor",
    "nuevo valor",
    "new value",
)
_add("value", 1, "estat", "estado", "status", "stage", "fase", "estat de la fita")
_add("period", 3, "periode", "periodo", "period", "trimestre", "quarter", "trim")
_add(
    "comment",
    3,
    "comentari",
    "comentaris",
    "comentario",
    "comentarios",
    "observacions",
    "observacio",
    "observaciones",
    "observacion",
    "comment",
    "comments",
    "notes",
    "nota",
    "notas",
    "note",
    "remarks",
)
_add(
    "service",
    3,
    "servei",
    "servicio",
    "service",
    "codi servei",
    "codi del servei",
    "codigo servicio",
    "codigo del servicio",
    "service code",
)
# folded header text → the plan dimension it names (members are checked by validation)
DIMENSION_HEADERS: dict[str, str] = {
    **dict.fromkeys(("abss", "area basica", "area basica de serveis socials"), "abss"),
    **dict.fromkeys(("municipi", "municipio", "municipality", "poblacio"), "municipality"),
    **dict.fromkeys(("sexe", "sexo", "sex", "genere", "genero", "gender"), "sex"),
    **dict.fromkeys(
        (
            "grup d edat",
            "grups d edat",
            "grupo de edad",
            "grupos de edad",
            "age group",
            "age groups",
            "franja d edat",
            "tramo de edad",
            "edat",
            "edad",
            "age",
        ),
        "age_group",
    ),
}
RATIO_HEADERS: dict[str, str] = {
    **dict.fromkeys(("numerador", "numerator"), "numerator"),
    **dict.fromkeys(("denominador", "denominator"), "denominator"),
}


def dimension_header(value: object) -> str | None:
    """The dimension a header cell names (``Sexe``, ``Grupo de edad`` → ``sex``,
    ``age_group``), or None."""
    return DIMENSION_HEADERS.get(fold(value)) if isinstance(value, str) else None


def ratio_header(value: object) -> str | None:
    """``numerator`` or ``denominator`` for a header naming a ratio's count, else None."""
    return RATIO_HEADERS.get(fold(value)) if isinstance(value, str) else None


_PREFIXES: tuple[tuple[str, Role], ...] = (
    ("comentari", "comment"),
    ("observaci", "comment"),
    ("comentario", "comment"),
    ("codi ", "indicator"),
    ("codigo ", "indicator"),
)

_CODE_LIKE = re.compile(r"^[A-Z]{0,4}\d+([.\-_/][A-Z0-9]+)+$")
_PERIOD_IN_TEXT = re.compile(
    r"(\d{4}\s*[-/_ ]?\s*[TQ]\s*[1-4](?!\d))"
    r"|((?<![A-Za-z0-9])[TQ]\s*[1-4]\s*[-/_ ]?\s*\d{4})"
    r"|((?<!\d)[1-4]\s*[TQ]\s*[-/_ ]?\s*\d{4})"
    r"|((?<!\d)[1-4]\s*(?:r|er|n|t|o|º|ª)?\s*trimestre\s*(?:de\s+|del\s+)?\d{4})",
    re.IGNORECASE,
)


_PARENTHESES = re.compile(r"\([^)]*\)")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WHITESPACE = re.compile(r"\s+")


def fold(value: object) -> str:
    """Lower case, no accents, no punctuation, single spaces: ``"Període "`` → ``"periode"``."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _PARENTHESES.sub(" ", text)  # "Valor (%)" → "valor"
    return _NON_ALNUM.sub(" ", text).strip()


def header_role(value: object) -> tuple[Role, int] | None:
    """The role a header cell names (indicator code, value, period, comment, service) and its
    priority (a higher one wins when two columns claim a role); None for any other text."""
    if not isinstance(value, str) or not value.strip():
        return None
    folded = fold(value)
    if folded in _HEADERS:
        return _HEADERS[folded]
    for prefix, role in _PREFIXES:
        if folded.startswith(prefix):
            return (role, 2)
    return None


def period_header(value: object) -> Period | None:
    """A header cell naming a quarter (wide format), e.g. ``2025-T1`` or ``Valor T1 2025``."""
    if not isinstance(value, str):
        return None
    period = Period.try_parse(value)
    if period is not None:
        return period
    match = _PERIOD_IN_TEXT.search(value)
    return Period.try_parse(match.group(0)) if match else None


def period_in_text(text: str) -> Period | None:
    """The first quarter a text names (``Dades 2025-T3``, ``T3 2025``), or None."""
    match = _PERIOD_IN_TEXT.search(text)
    return Period.try_parse(match.group(0)) if match else None


_CANONICAL_CODE = re.compile(r"^[A-Z]{0,4}\d+(?:[.\-_/][A-Z0-9]+)+$")


def normalise_code(value: object) -> str:
    """An indicator or service code as the plan writes it: upper case, no spaces, plain
    hyphens (``p1.01 – i1`` → ``P1.01-I1``)."""
    if isinstance(value, str) and _CANONICAL_CODE.match(value):
        return value  # already clean: the usual case
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper()
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    return _WHITESPACE.sub("", text)


def is_empty(value: object) -> bool:
    """Whether a cell holds nothing (None, or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(slots=True)
class Record:
    """One value found in the data sheet, still raw (not yet checked against the plan)."""

    row: int
    code: str
    code_column: str
    value: Cell
    value_column: str
    period: Period | None
    period_cell: Cell = None
    period_column: str | None = None
    comment: str | None = None
    service: str | None = None
    service_column: str | None = None
    # breakdowns: dimension → (the cell as written, its column letter); blank ones left out
    members: Mapping[str, tuple[Cell, str]] = field(default_factory=lambda: NO_MEMBERS)
    numerator: Cell = None  # a ratio's counts (long layout), with their column letters
    denominator: Cell = None
    numerator_column: str | None = None
    denominator_column: str | None = None


@dataclass
class Found:
    """The data sheet, as understood."""

    sheet: str
    header_row: int
    layout: Literal["long", "wide"]
    records: list[Record] = field(default_factory=list)
    empty_rows: list[tuple[int, str, str]] = field(default_factory=list)  # row, code, column
    title_period: Period | None = None
    has_period_column: bool = False
    dimension_columns: list[str] = field(default_factory=list)  # dimensions with a column


@dataclass
class Meta:
    """What the template's hidden ``_meta`` sheet says the file is for."""

    service: str | None = None
    period: str | None = None
    template_version: str | None = None


def read_meta(sheets: list[Sheet]) -> Meta:
    """The service, quarter and template version of the ``_meta`` sheet (empty without one)."""
    meta = Meta()
    for sheet in sheets:
        if sheet.name.strip().lower() != META_SHEET:
            continue
        for row in sheet.rows:
            if len(row) < 2 or is_empty(row[0]):
                continue
            key, val = str(row[0]).strip().lower(), row[1]
            text = None if is_empty(val) else str(val).strip()
            if key == "service":
                meta.service = text
            elif key == "period":
                meta.period = text
            elif key == "template_version":
                meta.template_version = text
    return meta


@dataclass
class _Header:
    index: int  # index in sheet.rows
    columns: dict[Role, int]  # role → column index within the row
    periods: list[tuple[int, Period]]  # wide format: column index, period
    score: int
    dimensions: dict[str, int] = field(default_factory=dict)  # dimension → column index
    counts: dict[str, int] = field(default_factory=dict)  # numerator/denominator → column


def _extra_columns(row: Sequence[Cell]) -> tuple[dict[str, int], dict[str, int]]:
    """The dimension and ratio-count columns of a header row (the first of each)."""
    dimensions: dict[str, int] = {}
    counts: dict[str, int] = {}
    for col, cell in enumerate(row):
        dimension = dimension_header(cell)
        if dimension is not None:
            dimensions.setdefault(dimension, col)
            continue
        count = ratio_header(cell)
        if count is not None:
            counts.setdefault(count, col)
    return dimensions, counts


def _find_header(sheet: Sheet) -> _Header | None:
    best: _Header | None = None
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        candidates: dict[Role, list[tuple[int, int]]] = {}
        periods: list[tuple[int, Period]] = []
        for col, cell in enumerate(row):
            role = header_role(cell)
            if role is not None:
                candidates.setdefault(role[0], []).append((role[1], col))
                continue
            period = period_header(cell)
            if period is not None:
                periods.append((col, period))
        if "indicator" not in candidates or ("value" not in candidates and not periods):
            continue
        columns: dict[Role, int] = {}
        for name, options in candidates.items():
            if name == "indicator" and len(options) > 1:
                columns[name] = _best_code_column(sheet, index, options)
            else:
                columns[name] = max(options, key=lambda o: (o[0], -o[1]))[1]
        if "value" in columns:
            periods = []  # long format: a value column wins over period-looking headers
        score = len(columns) + len(periods)
        if best is None or score > best.score:
            best = _Header(index, columns, periods, score, *_extra_columns(row))
        if best is not None and best.index == index:
            break  # the first matching row is the header
    return best


def _best_code_column(sheet: Sheet, header_index: int, options: list[tuple[int, int]]) -> int:
    """Of several code-ish columns ("Codi", "Indicador"), the one holding codes."""

    def score(option: tuple[int, int]) -> tuple[int, int, int]:
        priority, col = option
        hits = 0
        for row in sheet.rows[header_index + 1 : header_index + 60]:
            if col < len(row) and not is_empty(row[col]):
                hits += bool(_CODE_LIKE.match(normalise_code(row[col])))
        return (hits, priority, -col)

    return max(options, key=score)[1]


def _period_of_cell(cell: Cell) -> Period | None:
    if isinstance(cell, dt.datetime):
        return Period.containing(cell.date())
    if isinstance(cell, dt.date):
        return Period.containing(cell)
    return Period.try_parse(cell.strip()) if isinstance(cell, str) else None


def _title_period(sheet: Sheet, header_index: int) -> Period | None:
    for row in sheet.rows[:header_index]:
        for cell in row:
            if isinstance(cell, str) and cell.strip():
                period = period_in_text(cell)
                if period is not None:
                    return period
    return None


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where a header row puts each part of a record, as indices and spreadsheet letters."""

    wide: bool
    code: int
    code_letter: str
    values: list[tuple[int, Period | None, str]]  # column, its quarter (wide format), letter
    period: int | None  # long format only
    period_letter: str | None
    comment: int | None
    service: int | None
    service_letter: str | None
    dimensions: tuple[tuple[str, int, str], ...] = ()  # dimension, column, letter
    counts: tuple[tuple[str, int, str], ...] = ()  # numerator/denominator, column, letter


def _columns(sheet: Sheet, header: _Header) -> _Columns:
    cols = header.columns
    value_col = cols.get("value")
    wide = value_col is None
    period_col = None if wide else cols.get("period")
    service_col = cols.get("service")

    def letter(col: int) -> str:
        return column_letter(sheet.first_col + col)

    value_cols: list[tuple[int, Period | None]] = (
        list(header.periods) if value_col is None else [(value_col, None)]
    )
    return _Columns(
        wide=wide,
        code=cols["indicator"],
        code_letter=letter(cols["indicator"]),
        values=[(col, period, letter(col)) for col, period in value_cols],
        period=period_col,
        period_letter=None if period_col is None else letter(period_col),
        comment=cols.get("comment"),
        service=service_col,
        service_letter=None if service_col is None else letter(service_col),
        dimensions=tuple((d, c, letter(c)) for d, c in header.dimensions.items()),
        counts=() if wide else tuple((k, c, letter(c)) for k, c in header.counts.items()),
    )


def _cell_at(row: Sequence[Cell], col: int | None) -> Cell:
    return row[col] if col is not None and col < len(row) else None


def _row_values(row: Sequence[Cell], columns: _Columns) -> list[tuple[Period | None, str, Cell]]:
    """The non-empty value cells of a row: (the column's quarter, its letter, the value)."""
    values: list[tuple[Period | None, str, Cell]] = []
    width = len(row)
    for col, col_period, letter in columns.values:
        value = row[col] if col < width else None
        if value is None or value == "":
            continue
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        values.append((col_period, letter, value))
    return values


def _cached_period(cell: Cell, cache: dict[object, Period | None]) -> Period | None:
    try:
        return cache[cell]
    except KeyError:
        period = cache[cell] = _period_of_cell(cell)
        return period
    except TypeError:  # an unhashable cell
        return _period_of_cell(cell)


class _Extraction:
    """Turns the rows under a header into records (caching what repeats from row to row)."""

    def __init__(self, columns: _Columns, found: Found):
        self.columns = columns
        self.found = found
        self.codes: dict[object, str] = {}
        self.periods: dict[object, Period | None] = {}

    def add_row(self, row_number: int, row: Sequence[Cell]) -> None:
        columns = self.columns
        raw_code = row[columns.code] if columns.code < len(row) else None
        if (
            raw_code is None
            or raw_code == ""
            or (isinstance(raw_code, str) and not raw_code.strip())
        ):
            return  # blank row, or a note written in another column
        code = self.codes.get(raw_code)
        if code is None:
            code = self.codes[raw_code] = normalise_code(raw_code)
        values = _row_values(row, columns)
        if not values and columns.counts and _has_counts(row, columns):
            values = [(None, columns.values[0][2], None)]  # a ratio given by its counts
        if not values:
            if _CODE_LIKE.match(code):
                self.found.empty_rows.append((row_number, code, columns.code_letter))
            return  # else a trailing note ("Font: ...", "* dades provisionals")
        self._add_records(row_number, row, code, values)

    def _add_records(
        self,
        row_number: int,
        row: Sequence[Cell],
        code: str,
        values: list[tuple[Period | None, str, Cell]],
    ) -> None:
        columns = self.columns
        comment_cell = _cell_at(row, columns.comment)
        comment = None if is_empty(comment_cell) else str(comment_cell).strip()
        service_cell = _cell_at(row, columns.service)
        service = None if is_empty(service_cell) else normalise_code(service_cell)
        period_cell = _cell_at(row, columns.period)
        row_period = None if columns.period is None else _cached_period(period_cell, self.periods)
        wide = columns.wide
        members = _members(row, columns) if columns.dimensions else NO_MEMBERS
        counts = (
            {k: (_cell_at(row, c), letter) for k, c, letter in columns.counts}
            if columns.counts
            else None
        )
        for col_period, letter, value in values:
            record = Record(
                row_number,
                code,
                columns.code_letter,
                value,
                letter,
                col_period if wide else row_period,
                period_cell,
                columns.period_letter,
                comment,
                service,
                columns.service_letter,
                members,
            )
            if counts:
                record.numerator, record.numerator_column = counts.get("numerator", (None, None))
                record.denominator, record.denominator_column = counts.get(
                    "denominator", (None, None)
                )
            self.found.records.append(record)


def _members(row: Sequence[Cell], columns: _Columns) -> dict[str, tuple[Cell, str]]:
    """The row's non-blank dimension cells: dimension → (cell, column letter)."""
    found: dict[str, tuple[Cell, str]] = {}
    for dimension, col, letter in columns.dimensions:
        cell = _cell_at(row, col)
        if not is_empty(cell):
            found[dimension] = (cell.strip() if isinstance(cell, str) else cell, letter)
    return found


def _has_counts(row: Sequence[Cell], columns: _Columns) -> bool:
    """Whether the row gives a ratio's counts (any of them) though its value is blank."""
    return any(not is_empty(_cell_at(row, col)) for _k, col, _l in columns.counts)


def extract(sheet: Sheet, header: _Header) -> Found:
    """The records under ``header``, and the rows that name an indicator but hold no value."""
    found = Found(
        sheet=sheet.name,
        header_row=sheet.row_number(header.index),
        layout="long" if "value" in header.columns else "wide",
        title_period=_title_period(sheet, header.index),
        has_period_column="period" in header.columns,
        dimension_columns=list(header.dimensions),
    )
    extraction = _Extraction(_columns(sheet, header), found)
    first_row = sheet.first_row
    for offset, row in enumerate(sheet.rows[header.index + 1 :], start=header.index + 1):
        extraction.add_row(first_row + offset, row)
    return found


def find_data(sheets: list[Sheet]) -> Found | None:
    """The sheet with the data: the one whose header row matches and holds the most records.

    Visible sheets come first: a hidden sheet is used only when no visible one has data.
    """
    for visible in (True, False):
        best: Found | None = None
        for sheet in sheets:
            if sheet.visible is not visible or sheet.name.strip().lower() == META_SHEET:
                continue
            header = _find_header(sheet)
            if header is None:
                continue
            found = extract(sheet, header)
            if best is None or len(found.records) > len(best.records):
                best = found
        if best is not None:
            return best
    return None
