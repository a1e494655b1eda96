"""Errors and warnings found in an uploaded file, each pointing at sheet, row and column."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from i18n import gettext


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
        where = self.location(lang)
        return f"{where}: {self.message}" if where else self.message


def cell_text(value: object) -> str | None:
    """A cell as short text for reports (None for an empty cell)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "..."


class IssueMaker:
    """Builds issues with messages in one language."""

    def __init__(self, lang: str = "ca"):
        self.lang = lang

    def __call__(
        self,
        issue_code: str,
        msgid: str,
        /,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        **params: object,
    ) -> Issue:
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
            message=gettext(msgid, self.lang, **params),
        )

    def plain(self, issue_code: str, msgid: str, params: dict[str, object]) -> Issue:
        """An issue about the whole file (no sheet, row or column)."""
        return Issue(issue_code, None, None, None, None, gettext(msgid, self.lang, **params))
