"""User text in the spreadsheets we write: never a live formula (OWASP's CSV injection rule).

Comments, file names and sheet names come from uploads. Written as they are, a comment that
starts with ``=`` becomes a live formula in Excel or LibreOffice (``=HYPERLINK(...)`` included).

- In a CSV file, text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading apostrophe, as OWASP recommends; so does text that already starts with an
  apostrophe, so that :func:`csv_text_back` restores every text exactly (the export →
  ``seguiment reimport`` round trip is lossless).
- In an xlsx file, user text is written as a text cell (:func:`as_text_cell`): the
  spreadsheet shows it as typed and never evaluates it; the text itself is unchanged.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def csv_text(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet evaluates."""
    if text.startswith((*FORMULA_PREFIXES, ESCAPE)):
        return ESCAPE + text
    return text


def csv_text_back(cell: str) -> str:
    """The text that :func:`csv_text` wrote as ``cell``."""
    if cell.startswith(ESCAPE) and cell[1:].startswith((*FORMULA_PREFIXES, ESCAPE)):
        return cell[1:]
    return cell


def as_text_cell(cell: Any) -> None:
    """Make an openpyxl cell holding a string a text cell (openpyxl reads ``=...`` as a
    formula when the value is assigned)."""
    if isinstance(cell.value, str) and cell.data_type == "f":
        cell.data_type = "s"
