"""Cell values as people type them: Catalan numbers as text and milestone stages by name.

``1.234,5`` → 1234.5, ``12,5`` → 12.5, ``45 %`` → 45, ``1 234`` → 1234; stages by their name
in Catalan, Spanish or English (case and accents ignored), by key, or by the percentage of the
stage scale (``50 %`` → ``en_desenvolupament``).
"""

from __future__ import annotations

import math
import re

from indicators.intake.extent_cells import ErrorCell, PercentCell
from indicators.intake.parse import fold
from plan_model.models import Stage

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3}){2,}$")
_SIMPLE = re.compile(r"^-?\d{1,3}(?:[.,]\d{1,2})?$|^-?\d{5,}(?:[.,]\d+)?$|^-?\d+[,]\d+$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")


def parse_number(cell: object) -> float | None:
    """A number from a numeric cell or Catalan/Spanish/English text; None if it is not one."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        number = float(cell)
        return number if math.isfinite(number) else None
    if not isinstance(cell, str):
        return None
    if _SIMPLE.match(cell):  # the usual case: "12", "12,5", "-3.25"
        return float(cell.replace(",", "."))
    text = _SPACES.sub("", cell.strip())
    text = text.replace("\u2212", "-").replace("%", "").replace("€", "")
    if not text:
        return None
    sign = 1.0
    if text[0] in "+-":
        sign = -1.0 if text[0] == "-" else 1.0
        text = text[1:]
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):  # 1.234,5
            text = text.replace(".", "").replace(",", ".")
        else:  # 1,234.5
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", "") if _THOUSANDS_COMMA.match(text) else text.replace(",", ".")
    elif _THOUSANDS_DOT.match(text):  # 1.234 is a thousand in Catalan
        text = text.replace(".", "")
    if not _NUMBER.match(text):
        return None
    return sign * float(text)


CLEAR_MARKER_BY_LANG = {"ca": "esborrar", "es": "borrar", "en": "clear"}
CLEAR_MARKERS = frozenset(CLEAR_MARKER_BY_LANG.values())  # folded: case and accents ignored


def clear_marker(lang: str | None = "ca") -> str:
    """The word that clears a value, as the template in ``lang`` documents it."""
    return CLEAR_MARKER_BY_LANG.get(lang or "ca", CLEAR_MARKER_BY_LANG["ca"])


def is_clear_marker(cell: object) -> bool:
    """Whether a value cell asks to clear the value in force (``esborrar``, ``borrar``,
    ``clear``, in any case, with or without accents): a blank cell changes nothing."""
    return isinstance(cell, str) and len(cell) <= 20 and fold(cell) in CLEAR_MARKERS


# what Excel, LibreOffice and calamine write for a cell whose formula failed
ERROR_TEXTS = frozenset(
    {"#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA"}
    | {"#SPILL!", "#CALC!", "#N/D", "#¡DIV/0!", "#¿NOMBRE?", "#¡VALOR!", "#¡REF!", "#¡NUM!"}
    | {"#¡NULO!", "#NOM?", "#VALEUR!", "#DIV/0", "ERR:502", "ERR:504", "ERR:522", "ERR:532"}
)


def is_error_cell(cell: object) -> bool:
    """Whether a value cell shows a spreadsheet error (``#DIV/0!``, ``#N/A``, ``#REF!``...):
    an error cell of a workbook (the reader carries its kind), or its text in a CSV file."""
    if isinstance(cell, ErrorCell):
        return True
    return isinstance(cell, str) and len(cell) <= 16 and cell.strip().upper() in ERROR_TEXTS


def is_percent_cell(cell: object) -> bool:
    """Whether a value cell holds a number formatted as a percentage (0.815 shown as 81,5 %)."""
    return isinstance(cell, PercentCell)


def percent_of(fraction: float) -> float:
    """The percentage a %-formatted cell shows: 0.815 → 81.5 (without binary noise)."""
    return round(fraction * 100, 9)


class StageMatcher:
    """Recognises a milestone stage by name (ca/es/en), key or percentage."""

    def __init__(self, stages: list[Stage]):
        self.by_name: dict[str, str] = {}
        self.by_pct: dict[float, str] = {}
        for stage in stages:
            for name in (stage.key.replace("_", " "), stage.name, stage.name_es, stage.name_en):
                self.by_name.setdefault(fold(name), stage.key)
            if stage.pct is not None:
                self.by_pct.setdefault(float(stage.pct), stage.key)

    def match(self, cell: object) -> str | None:
        """The stage key a cell names (by name, key or percentage), or None."""
        if isinstance(cell, bool):
            return None
        if isinstance(cell, PercentCell):  # 0.5 shown as 50 %: the stage of 50 %
            return self.by_pct.get(percent_of(cell))
        if isinstance(cell, (int, float)):
            number = float(cell)
            if number in self.by_pct:
                return self.by_pct[number]
            if 0 < number <= 1 and round(number * 100, 6) in self.by_pct:
                return self.by_pct[round(number * 100, 6)]  # a cell formatted as percentage
            return None
        if not isinstance(cell, str):
            return None
        text = cell.strip()
        folded = fold(text)
        if folded in self.by_name:
            return self.by_name[folded]
        # "Finalitzat (100 %)", "En desenvolupament - 50%"
        name_part = fold(re.sub(r"[-–:]?\s*\d+([.,]\d+)?\s*%\s*$", "", text))
        if name_part in self.by_name:
            return self.by_name[name_part]
        if "%" in text or re.fullmatch(r"\d+([.,]\d+)?", text):
            pct = parse_number(text)
            if pct is not None and pct in self.by_pct:
                return self.by_pct[pct]
        return None
