"""The content of a board session, as plain data: what the slides and the board pack show.

``indicators.reporting.board.build_board`` fills it from live data; ``layouts/pages/session.py`` renders
it as projector slides and ``indicators.reporting.pack`` as a PDF or PPTX. Keeping the content in one
structure is what makes the slides and the pack say the same thing. No Dash, no database here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# the most rows a slide table shows; the rest is summarised ("i 7 més")
SLIDE_ROWS = 5


@dataclass(frozen=True)
class StatusBadge:
    """A traffic light as text: never colour alone."""

    key: str  # green | amber | red | grey
    label: str  # e.g. "En bon camí"
    icon: str  # e.g. "✔"
    colour: str  # hex, from the plan's palette

    @property
    def text(self) -> str:
        return f"{self.icon} {self.label}"


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    status: StatusBadge | None = None


@dataclass(frozen=True)
class Cell:
    text: str
    status: StatusBadge | None = None
    number: bool = False  # right-aligned


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    widths: list[float] = field(default_factory=list)  # relative widths, one per column
    more: int = 0  # rows left out of a capped table
    more_text: str = ""  # e.g. "i 7 més"
    empty_text: str = ""  # what to say when there are no rows

    def capped(self, limit: int, more_text: str) -> Table:
        if len(self.rows) <= limit:
            return self
        return Table(
            self.columns,
            self.rows[:limit],
            self.widths,
            more=len(self.rows) - limit + self.more,
            more_text=more_text.format(count=len(self.rows) - limit + self.more),
            empty_text=self.empty_text,
        )


@dataclass(frozen=True)
class Card:
    """A lever at a glance."""

    title: str
    subtitle: str
    value: str
    status: StatusBadge
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    key: str  # a file-name-safe identifier, e.g. "lever-3"
    figure: dict[str, Any]  # a plotly figure dict, from the shared figure builders
    summary: str  # a text alternative (aria-label / alt text)


@dataclass
class Slide:
    kind: str  # title | glance | lever | risk | changes | submissions
    title: str
    kicker: str = ""  # a short line above the title
    subtitle: str = ""
    metrics: list[Metric] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    table: Table | None = None
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)  # short statements under the content
    # the objectives behind (red or amber), worst first, as (code, name): board mode names them
    behind: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Board:
    plan_name: str
    organisation: str
    period: str  # "2025-T4"
    period_label: str  # "4t trimestre de 2025"
    since: str | None
    lang: str
    date_text: str  # the date the content was produced, in the language
    slides: list[Slide]
    appendix: Table  # every objective: status, achievement, technicians' comments
    appendix_title: str = ""
    footer: str = ""
    continued: str = "(cont.)"  # added to the title of a table's next slide

    @property
    def charts(self) -> list[Chart]:
        return [s.chart for s in self.slides if s.chart is not None]
