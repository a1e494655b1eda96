"""Quarters (trimestres) of the plan: parsing, formatting and arithmetic.

A period is always written ``2025-T3`` in output. Parsing accepts the ways people write
quarters in spreadsheets: ``2025-T3``, ``T3 2025``, ``3T 2025``, ``2025 Q3``, ``Q3-2025``,
``3r trimestre 2025``...
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Self
from zoneinfo import ZoneInfo

from i18n import normalise_language, translator

# COSS works in Madrid time: deadlines close at the end of their day there (CET/CEST)
LOCAL_TIME = ZoneInfo("Europe/Madrid")

_PATTERNS = [
    # 2025-T3, 2025 T3, 2025T3, 2025-Q3, 2025/3T
    re.compile(r"^(?P<year>\d{4})\s*[-/_ ]?\s*(?:[tq]\s*(?P<q1>[1-4])|(?P<q2>[1-4])\s*[tq])$"),
    # T3 2025, Q3-2025, 3T 2025, 3T2025
    re.compile(r"^(?:[tq]\s*(?P<q1>[1-4])|(?P<q2>[1-4])\s*[tq])\s*[-/_ ]?\s*(?P<year>\d{4})$"),
    # 3r trimestre 2025, 1er trimestre 2025, 2n trim. 2025, 4o trimestre 2025
    re.compile(
        r"^(?P<q1>[1-4])\s*(?:r|er|n|t|o|º|ª|st|nd|rd|th)?\s*(?:trimestre|trim\.?|quarter)"
        r"\s*(?:de\s+|del\s+|of\s+)?(?P<year>\d{4})$"
    ),
    # 2025 3r trimestre
    re.compile(
        r"^(?P<year>\d{4})\s*[-/ ]?\s*(?P<q1>[1-4])\s*(?:r|er|n|t|o|º|ª|st|nd|rd|th)?\s*"
        r"(?:trimestre|trim\.?|quarter)$"
    ),
]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().lower()


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> tuple[int, int] | None:
    """(year, quarter) of a period text, or None when it is not one."""
    folded = _fold(text)
    for pattern in _PATTERNS:
        m = pattern.match(folded)
        if m:
            groups = m.groupdict()
            q = groups.get("q1") or groups.get("q2")
            return int(groups["year"]), int(q or 0)
    return None


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A calendar quarter: ``Period(2025, 3)`` is ``2025-T3``."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        """Refuse a quarter outside 1-4 or a year outside 1900-2200."""
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1-4, not {self.quarter}")
        if not 1900 <= self.year <= 2200:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text: object) -> Self:
        """Parse a period written in any accepted form; raise ValueError otherwise."""
        if isinstance(text, Period):
            return cls(text.year, text.quarter)
        if not isinstance(text, str):
            raise ValueError(f"not a period: {text!r}")
        parts = _parse_text(text)  # memoised: an import parses the same few texts many times
        if parts is None:
            raise ValueError(f"not a period: {text!r}")
        return cls(*parts)

    @classmethod
    def try_parse(cls, text: object) -> Self | None:
        """Like :meth:`parse`, but None for a text that is not a period."""
        try:
            return cls.parse(text)
        except ValueError:
            return None

    @classmethod
    def from_index(cls, index: int) -> Self:
        """The quarter whose running :attr:`index` is ``index``."""
        return cls(index // 4, index % 4 + 1)

    @classmethod
    def containing(cls, day: dt.date) -> Self:
        """The quarter that ``day`` falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def index(self) -> int:
        """A running number: consecutive quarters differ by one."""
        return self.year * 4 + self.quarter - 1

    @property
    def start(self) -> dt.date:
        """The quarter's first day (1 January, 1 April, 1 July or 1 October)."""
        return dt.date(self.year, 3 * (self.quarter - 1) + 1, 1)

    @property
    def end(self) -> dt.date:
        """The quarter's last day (31 March, 30 June, 30 September or 31 December)."""
        nxt = self.next()
        return nxt.start - dt.timedelta(days=1)

    def next(self, n: int = 1) -> Period:
        """The quarter ``n`` quarters later (2025-T4 is followed by 2026-T1)."""
        return Period.from_index(self.index + n)

    def prev(self, n: int = 1) -> Period:
        """The quarter ``n`` quarters earlier (2025-T1 is preceded by 2024-T4)."""
        return Period.from_index(self.index - n)

    def deadline(self, days_after_end: int) -> dt.date:
        """The last day of the quarter's submission: ``days_after_end`` natural (calendar)
        days after the quarter's last day, weekends and holidays included; the day closes at
        midnight in Europe/Madrid (:meth:`deadline_end`)."""
        return self.end + dt.timedelta(days=days_after_end)

    def deadline_end(self, days_after_end: int) -> dt.datetime:
        """The moment the submission closes: the end of the :meth:`deadline` day in
        Europe/Madrid (23:59:59.999999 local time, CET or CEST), time-zone aware."""
        return dt.datetime.combine(self.deadline(days_after_end), dt.time.max, tzinfo=LOCAL_TIME)

    def __str__(self) -> str:
        """``2025-T3``."""
        return f"{self.year}-T{self.quarter}"

    def __repr__(self) -> str:
        """``Period(2025, 3)``."""
        return f"Period({self.year}, {self.quarter})"


_ORDINALS = {
    "ca": {1: "1r", 2: "2n", 3: "3r", 4: "4t"},
    "es": {1: "1.er", 2: "2.º", 3: "3.er", 4: "4.º"},
    "en": {1: "1st", 2: "2nd", 3: "3rd", 4: "4th"},
}


def period_label(period: Period, lang: str | None) -> str:
    """A quarter as running text reads it: ``4t trimestre de 2025`` (ca), ``4.º trimestre de
    2025`` (es), ``4th quarter of 2025`` (en). Codes (``2025-T4``) stay for fields, files and
    URLs; a sentence names the quarter with this label."""
    code = normalise_language(lang)
    return translator(code)(
        "{ordinal} quarter of {year}", ordinal=_ORDINALS[code][period.quarter], year=period.year
    )


def text_label(text: object, lang: str | None) -> str:
    """:func:`period_label` of a quarter written as text; text that is not a quarter as it is."""
    period = Period.try_parse(text)
    return period_label(period, lang) if period is not None else str(text)


# the parameters of a message that name a quarter: a sentence reads them as «3r trimestre de 2025»
QUARTER_PARAMS = frozenset({"period", "current", "first", "last", "prev", "file_period", "chosen"})


def label_quarters(params: dict[str, object], lang: str | None) -> dict[str, object]:
    """A message's ``params`` with each quarter (:data:`QUARTER_PARAMS`) as :func:`text_label`."""
    return {
        key: text_label(value, lang) if key in QUARTER_PARAMS else value
        for key, value in params.items()
    }


def local_today(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Europe/Madrid (``now``: an aware moment, or naive UTC; default now):
    the day to compare with a :meth:`Period.deadline`."""
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL_TIME).date()


def period_range(first: Period, last: Period) -> list[Period]:
    """Every quarter from ``first`` to ``last``, both included."""
    return [Period.from_index(i) for i in range(first.index, last.index + 1)]
