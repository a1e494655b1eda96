"""Errors and warnings found in an uploaded file, each pointing at sheet, row and column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Self, SupportsIndex

from i18n import gettext
from plan_model.periods import label_quarters


@dataclass(frozen=True)
class Issue:
    """One error or warning; JSON: ``{"code","sheet","row","column","value","message"}``."""

    code: str  # stable machine code, e.g. "unknown_indicator", "not_a_number"
    sheet: str | None
    row: int | None  # as the spreadsheet shows it (1-based)
    column: str | None  # spreadsheet letter, e.g. "E"
    value: str | None
    message: str  # in the requested language

    def to_json(self) -> dict[str, Any]:
        """The issue as a JSON object (the CLI's ``--json``, the web check's answer)."""
        return asdict(self)

    def location(self, lang: str = "ca") -> str:
        """``Full «Dades», fila 7, columna E`` (empty when the issue is about the whole file)."""
        parts: list[str] = []
        if self.sheet:
            parts.append(gettext("Sheet «{sheet}»", lang, sheet=self.sheet))
        if self.row is not None:
            parts.append(gettext("row {row}", lang, row=self.row))
        if self.column:
            parts.append(gettext("column {column}", lang, column=self.column))
        return ", ".join(parts)

    def describe(self, lang: str = "ca") -> str:
        """The message after its location: ``Full «Dades», fila 7, columna E: ...``."""
        where = self.location(lang)
        return f"{where}: {self.message}" if where else self.message


MAX_ISSUES = 200  # of one kind (errors, warnings) kept for one file


class IssueList(list[Issue]):
    """The errors (or warnings) of one file: the first ``limit`` are kept, all are counted.

    A junk file can produce an error per cell (tens of thousands: megabytes of response that
    nobody reads); the person needs the first ones and the total. ``total`` counts every issue
    added, ``omitted`` those not kept."""

    def __init__(self, issues: Iterable[Issue] = (), *, limit: int = MAX_ISSUES):
        super().__init__()
        self.limit = limit
        self.total = 0
        self.extend(issues)

    @property
    def omitted(self) -> int:
        """How many issues were counted but not kept (beyond ``limit``)."""
        return self.total - len(self)

    def append(self, issue: Issue) -> None:
        """Count ``issue``; keep it while fewer than ``limit`` are kept."""
        self.total += 1
        if len(self) < self.limit:
            super().append(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        """Count every issue of ``issues``, keeping the first ones up to ``limit``."""
        for issue in issues:
            self.append(issue)

    def __iadd__(self, issues: Iterable[Issue]) -> Self:  # type: ignore[override,misc]
        self.extend(issues)
        return self

    def insert(self, index: SupportsIndex, issue: Issue) -> None:
        """Count ``issue`` and keep it at ``index``; the last kept one goes if over ``limit``."""
        self.total += 1
        super().insert(index, issue)
        if len(self) > self.limit:
            super().pop()


def cell_text(value: object) -> str | None:
    """A cell as short text for reports (None for an empty cell)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


# Issue code → message (an English msgid, translated in i18n/locales/*/LC_MESSAGES/import.po):
# the one place where the intake's messages are written. The placeholders are filled from the
# parameters each rule gives; ``{value}``, ``{sheet}``, ``{row}`` and ``{column}`` always exist.
MESSAGES: dict[str, str] = {
    # the file as a whole
    "unreadable": (
        "The file cannot be read: it is damaged or is not a spreadsheet. Open it with "
        "Excel or LibreOffice, save it as .xlsx and send it again."
    ),
    "no_service": (
        "The file does not say which service it is for: use the template, or give the "
        "service (--service)."
    ),
    "unknown_service": "The service «{service}» is not in the plan.{hint}",
    "service_not_allowed": "You cannot submit data for the service «{service}».",
    "no_period": (
        "The file does not say which quarter it is for: add a period column, use the "
        "template, or give the quarter (--period 2025-T3)."
    ),
    "no_header": (
        "No sheet has a header row with an indicator code column (Codi) and a value column "
        "(Valor) or one column per quarter (2025-T1...)."
    ),
    "no_values": "The sheet «{sheet}» has no values.",
    # one row of the data sheet
    "bad_period": "«{value}» is not a quarter (write it as 2025-T3).",
    "unknown_indicator": "The indicator «{code}» does not exist.{hint}",
    "wrong_service": "The indicator «{code}» belongs to the service {owner}, not to {service}.",
    "service_mismatch": (
        "This row is for the service «{row_service}», but the file is for {service}."
    ),
    "future_period": "The {period} has not started yet (we are in {current}).",
    "period_outside_plan": "The {period} is outside the plan ({first} to {last}).",
    "duplicate_row": (
        "The indicator «{code}» appears twice for {period} (also in row {first_row})."
    ),
    "unknown_stage": "«{value}» is not a stage of the scale ({stages}), nor its percentage.",
    "not_a_number": "«{value}» is not a number.",
    "out_of_bounds": "The value {value} of «{code}» is outside its limits ({limits}).",
    "not_a_whole_number": (
        "«{code}» counts {unit} in whole numbers: {value} is not a whole number."
    ),
    "percent_as_fraction": (
        "«{code}» is a percentage and the cell holds {fraction}: if it means {percent} %, "
        "write {percent}."
    ),
    "percent_cell": (
        "The cell is formatted as a percentage: {fraction} has been read as {percent} %."
    ),
    "percent_cell_unit": (
        "The cell is formatted as a percentage (it shows {percent} %), but «{code}» is "
        "measured in {unit}: write the figure in a cell without the percentage format."
    ),
    "empty_value": (
        "The row of «{code}» has no value: the value in force (if any) is kept. To clear it, "
        "write «esborrar»."
    ),
    "nul_removed": (
        "The file holds invisible NUL characters (in a cell, a sheet name or the file name): "
        "they have been removed."
    ),
    "error_cell": (
        "The cell shows the spreadsheet error «{value}», not a figure: correct the formula or "
        "write the value."
    ),
    "value_cleared": "The value of «{code}» for {period} will be cleared (the cell says «{value}»).",
    "period_mismatch": (
        "The rows of the file are for the {file_period}, but the quarter chosen is the "
        "{chosen}: choose the {file_period}, or correct the file's quarter."
    ),
    # breakdowns (issue 14): the translations are in breakdowns.po
    "duplicate_member_row": (
        "The indicator «{code}» appears twice for {period} and {members} (also in row {first_row})."
    ),
    "unknown_member": "«{value}» is not a member of {dimension} ({members}).{hint}",
    "not_broken_down": (
        "«{code}» is not broken down by {dimension}: leave the cell «{value}» blank."
    ),
    "member_mismatch": "«{value}» does not belong to the other members of the row ({members}).",
    "member_not_reported": (
        "The service {service} does not report {members} of «{code}»: it is reported by {owners}."
    ),
    "breakdown_missing": (
        "«{code}» is broken down by {dimensions}, but the file gives only its total: it is "
        "kept as the total as reported, without its breakdown."
    ),
    "ratio_counts": (
        "«{code}» is a ratio: give its numerator ({numerator}) and its denominator "
        "({denominator}, more than 0) in the columns Numerador and Denominador."
    ),
    "ratio_value": (
        "The value {value} of «{code}» does not match its numerator and denominator: "
        "{computed} is kept."
    ),
    "total_mismatch": (
        "The total of «{code}» for {period} is {total}, but its members make {derived}: check them."
    ),
    # against the stored data
    "locked_period": (
        "The {period} is closed by the management: it does not accept new data "
        "until it is reopened."
    ),
    "suspicious_jump": (
        "«{code}» goes from {before} in {prev} to {now}: a change of {change}. Please check it."
    ),
}


class IssueMaker:
    """Builds issues with messages in one language."""

    def __init__(self, lang: str = "ca"):
        self.lang = lang

    def __call__(
        self,
        issue_code: str,
        msgid: str | None = None,
        /,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        **params: object,
    ) -> Issue:
        """The issue ``issue_code`` at a place of the file.

        Its message is ``MESSAGES[issue_code]`` unless a ``msgid`` of its own is given.
        """
        text = cell_text(value)
        params.setdefault("value", text or "")
        params.setdefault("sheet", sheet or "")
        params.setdefault("row", row if row is not None else "")
        params.setdefault("column", column or "")
        return Issue(
            code=issue_code,
            sheet=sheet,
            row=row,
            column=column,
            value=text,
            message=gettext(
                msgid or MESSAGES[issue_code], self.lang, **label_quarters(params, self.lang)
            ),
        )

    def plain(self, issue_code: str, msgid: str, params: dict[str, object]) -> Issue:
        """An issue about the whole file (no sheet, row or column) with its own message."""
        message = gettext(msgid, self.lang, **label_quarters(params, self.lang))
        return Issue(issue_code, None, None, None, None, message)
