"""The browser form of ``/enviar`` as the importer reads a file (issue 17): one code path.

The form shows one row per indicator the service reports (the template's rows:
:func:`form_rows`, with the last value and the target); a person types a number as in
Catalan (``1.234,5``), picks a milestone's stage, or writes «esborrar», and a comment.

- :func:`form_entries` refuses what no form of the page sends (crafted callback values: an
  indicator the service does not report, one twice, a value that is not text, text beyond
  the limits) with a message in the person's language (:class:`FormRefused`);
- :func:`form_file` writes the entries as the cells the spreadsheet reader gives
  (:class:`~indicators.intake.reader.Sheet`: a data sheet under the template's headers and a
  ``_meta`` sheet), so ``import_file(..., sheets=...)`` runs the very same header search, row
  rules, stored-data checks, changes and storing as for a file: the same errors, and a blank
  field changes nothing, like a blank cell. The same cells as a CSV file are the submission's
  content (downloadable from the history, and importable again).

Breakdowns (issue 14): an indicator broken down by dimensions has one row per cell of its
breakdown the service reports (the template's rows), identified by :func:`row_id`
(``P2.01-I1@abss=VIC;sex=D``); the form's file writes each member in its dimension's column.
A ratio's member is typed as its two counts, ``90 / 100`` (numerator / denominator).

Pure: no database, no web.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from i18n import gettext, translator
from indicators.intake.issues import Issue, cell_text
from indicators.intake.members import member_label
from indicators.intake.parse import META_SHEET
from indicators.intake.reader import Sheet
from indicators.intake.template import _row_cells, _Rows, check_request, stage_names
from plan_model.breakdowns import ReportedRow, rows_reported_by
from plan_model.models import Plan

FORM_SOURCE = "formulari"  # the submission's ``source`` (String(16))
MAX_VALUE_LENGTH = 64  # what a value field takes: «1.234.567,25», a stage's name, «esborrar»
MAX_COMMENT_LENGTH = 2000
_HEADERS = ("Code", "Period", "Value", "Comment")  # the template's, as the reader finds them
_FORMULA_STARTS = ("=", "+", "@", "\t", "\r")  # a spreadsheet would run them (CSV only)

NOT_THE_FORM = "The form sent does not match the indicators of {service}: reload the page."
NOT_REPORTED = "The form names an indicator that {service} does not report («{code}"
NOT_REPORTED += "»): reload the page."
TWICE = "The form names the indicator «{code}» twice: reload the page."
NOT_TEXT = "The {field} of «{code}» is not text: reload the page."
TOO_LONG = "The {field} of «{code}» is too long: at most {limit} characters."


class FormRefused(ValueError):
    """A form's values that no form of the page sends: refused before anything is checked."""

    def __init__(self, msgid: str, **params: object):
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params

    def message(self, lang: str | None = "ca") -> str:
        """The refusal in ``lang``."""
        params = dict(self.params)
        if "field" in params:
            params["field"] = gettext(str(params["field"]), lang)
        return gettext(self.msgid, lang, **params)


@dataclass(frozen=True, slots=True)
class FormEntry:
    """One row of the form as typed: an indicator's value and comment (``""``: left blank)."""

    code: str
    value: str
    comment: str


@dataclass(frozen=True, slots=True)
class FormRow:
    """What the form shows of one indicator (or member): the template's row (last value,
    target). ``code`` identifies the row (:func:`row_id`); ``indicator`` is its indicator."""

    code: str
    name: str
    unit: str
    last: float | str | None  # the last value stored before the quarter (a stage's name)
    target: float | str | None  # the year's target, or a milestone's planned quarter
    milestone: bool
    indicator: str = ""
    members: str = ""  # the members in words («ABSS Vic, Dona»); "" for a total
    ratio: bool = False  # typed as «numerator / denominator»


MEMBER_SEPARATOR = "@"


def row_id(indicator: str, member_key: str = "") -> str:
    """The form's identity of a row: the indicator code, and ``@`` its member key."""
    return f"{indicator}{MEMBER_SEPARATOR}{member_key}" if member_key else indicator


def form_row_ids(plan: Plan, service: str) -> list[str]:
    """The ids of every row of ``service``'s form, in order (what its fields may name)."""
    return [row_id(r.indicator.code, r.key) for r in rows_reported_by(plan, service)]


def form_rows(
    plan: Plan, service: str, period: str, last_values: Mapping[str, float | str | None], lang: str
) -> list[FormRow]:
    """The form's rows for ``service`` in ``period``: the template's rows, in its order
    (:class:`~indicators.intake.template.TemplateError` for a service or quarter it refuses)."""
    request = check_request(plan, service, period, lang)
    reported = rows_reported_by(plan, request.service)
    data = _Rows(reported, [], last_values, {}, {})
    rows = []
    for row in reported:
        indicator = row.indicator
        cells = _row_cells(plan, request, row, data, lang, request.period.year)
        rows.append(
            FormRow(
                code=row_id(indicator.code, row.key),
                name=indicator.name,
                unit=str(cells["unit"] or ""),
                last=cells["last"],
                target=cells["target"],
                milestone=indicator.is_milestone,
                indicator=indicator.code,
                members=member_label(plan, row.cell),
                ratio=bool(row.cell) and indicator.ratio is not None,
            )
        )
    return rows


def _shown(code: object) -> str:
    return cell_text(code) or "–"


def _text(code: str, field_msgid: str, value: object, limit: int) -> str:
    """A field's text (None: blank); a refusal for anything else, or beyond ``limit``."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FormRefused(NOT_TEXT, field=field_msgid, code=code)
    if len(value) > limit:
        raise FormRefused(TOO_LONG, field=field_msgid, code=code, limit=limit)
    return value


def form_entries(
    values: Sequence[tuple[object, object]],
    comments: Sequence[tuple[object, object]],
    *,
    service: str,
    codes: Sequence[str],
) -> list[FormEntry]:
    """The entries of a form of ``service`` from its fields as sent, ``(indicator code,
    text)`` each: its value fields and its comment fields, in the same order. Whatever the
    page's form cannot send is a :class:`FormRefused`."""
    known = set(codes)
    if len(values) != len(comments) or len(values) > len(known):
        raise FormRefused(NOT_THE_FORM, service=service)
    entries: list[FormEntry] = []
    seen: set[str] = set()
    for (code, value), (comment_code, comment) in zip(values, comments, strict=True):
        if not isinstance(code, str) or code not in known:
            raise FormRefused(NOT_REPORTED, service=service, code=_shown(code))
        if comment_code != code:
            raise FormRefused(NOT_THE_FORM, service=service)
        if code in seen:
            raise FormRefused(TWICE, code=code)
        seen.add(code)
        entries.append(
            FormEntry(
                code,
                _text(code, "value", value, MAX_VALUE_LENGTH),
                _text(code, "comment", comment, MAX_COMMENT_LENGTH),
            )
        )
    return entries


def entries_from_json(raw: object, *, service: str, codes: Sequence[str]) -> list[FormEntry]:
    """The entries of a saved draft or a checked form kept in the page
    (``[{"code", "value", "comment"}, …]``), refused like the form's fields."""
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise FormRefused(NOT_THE_FORM, service=service)
    return form_entries(
        [(item.get("code"), item.get("value")) for item in raw],
        [(item.get("code"), item.get("comment")) for item in raw],
        service=service,
        codes=codes,
    )


def entries_json(entries: Sequence[FormEntry]) -> list[dict[str, str]]:
    """The entries as the page keeps them (the inverse of :func:`entries_from_json`)."""
    return [{"code": e.code, "value": e.value, "comment": e.comment} for e in entries]


@dataclass(frozen=True)
class FormFile:
    """The form's entries as the importer takes them: the cells as read, the same cells as
    the submission's file, and which indicator each row of the data sheet is."""

    sheets: list[Sheet]
    filename: str
    content: bytes
    indicator_rows: dict[int, str] = field(default_factory=dict)

    @property
    def data_sheet(self) -> str:
        """The name of the data sheet (where the issues of the rows are)."""
        return self.sheets[0].name

    def indicator_of(self, issue: Issue) -> str | None:
        """The indicator an issue of a row is about (None: an issue of the whole form)."""
        if issue.sheet != self.data_sheet or issue.row is None:
            return None
        return self.indicator_rows.get(issue.row)


def _without_nul(text: str) -> str:
    return text.replace("\x00", "")


def form_file(
    plan: Plan, service: str, period: str, entries: Sequence[FormEntry], lang: str = "ca"
) -> FormFile:
    """The form's entries as a file of ``service`` for ``period``: one row per indicator of
    the service (a row without entry, or left blank, is a blank cell), a milestone's stage
    key written as its name; NUL characters removed (and said, like the reader does)."""
    t = translator(lang)
    names = dict(zip([s.key for s in plan.stages], stage_names(plan, lang), strict=True))
    given = {entry.code: entry for entry in entries}
    reported = rows_reported_by(plan, service)
    layout = _Layout.of(plan, reported)
    rows: list[list[object]] = [layout.header(t)]
    indicator_rows: dict[int, str] = {}
    nul = False
    for row in reported:
        indicator = row.indicator
        ident = row_id(indicator.code, row.key)
        entry = given.get(ident, FormEntry(ident, "", ""))
        value = names.get(entry.value, entry.value) if indicator.is_milestone else entry.value
        cells = [_without_nul(value), _without_nul(entry.comment)]
        nul = nul or cells != [value, entry.comment]
        rows.append(layout.cells(plan, row, period, cells))
        indicator_rows[len(rows)] = indicator.code  # the sheet's first row is 1
    data = Sheet(name=t("Form")[:31], rows=rows, nul_removed=nul)
    meta = Sheet(name=META_SHEET, rows=[["service", service], ["period", period]], visible=False)
    filename = f"{FORM_SOURCE}-{service}-{period}.csv"
    return FormFile([data, meta], filename, _csv(rows), indicator_rows)


@dataclass(frozen=True)
class _Layout:
    """The columns of the form's data sheet: the template's (code, period, value, comment)
    and, when the rows have members, a column per dimension and a ratio's two counts."""

    dimensions: list[tuple[str, str]]  # code, the plan's name (the header)
    counts: bool

    @classmethod
    def of(cls, plan: Plan, rows: Sequence[ReportedRow]) -> _Layout:
        used = {d for row in rows for d in row.cell}
        dims = [(d.code, d.name) for d in plan.dimensions if d.code in used]
        return cls(dims, any(row.cell and row.indicator.ratio is not None for row in rows))

    def header(self, t: Callable[..., str]) -> list[object]:
        code, period, value, comment = (t(h) for h in _HEADERS)
        counts = [t("Numerator"), t("Denominator")] if self.counts else []
        return [code, period, *(name for _c, name in self.dimensions), *counts, value, comment]

    def cells(self, plan: Plan, row: ReportedRow, period: str, typed: list[str]) -> list[object]:
        members = [_member_name(plan, d, row.cell.get(d)) for d, _n in self.dimensions]
        value, comment = typed
        counts: list[object] = []
        if self.counts:
            counts = ["", ""]
            if row.cell and row.indicator.ratio is not None and RATIO_SEPARATOR in value:
                numerator, _sep, denominator = value.partition(RATIO_SEPARATOR)
                counts, value = [numerator.strip(), denominator.strip()], ""
        return [row.indicator.code, period, *members, *counts, value, comment]


RATIO_SEPARATOR = "/"


def _member_name(plan: Plan, dimension: str, code: str | None) -> str:
    if code is None:
        return ""
    member = plan.dimension_by_code[dimension].member_by_code.get(code)
    return member.name if member is not None else code


def _csv(rows: list[list[object]]) -> bytes:
    """The data sheet as a CSV file (UTF-8 with BOM, ``;``) that the importer reads again; a
    text a spreadsheet would run as a formula starts with an apostrophe there."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [f"'{c}" if isinstance(c, str) and c.startswith(_FORMULA_STARTS) else c for c in row]
        )
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
