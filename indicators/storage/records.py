"""The records storage keeps: one accepted value of an uploaded file, as it is stored.

Intake builds them (validation) and storage writes them; the type lives here, in the lower
layer, so storage never depends on validation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParsedValue:
    """One accepted value (or an explicit clear); JSON: ``{"indicator","period","value",
    "comment","sheet","row","column","cleared"}``."""

    indicator: str
    period: str
    value: float | str | None  # a number, or a milestone stage key
    comment: str | None
    sheet: str
    row: int
    column: str | None = None
    cleared: bool = False  # the cell asked to clear the value in force (value is None)

    def to_json(self) -> dict[str, object]:
        """The value as the JSON object of an import result."""
        return {
            "indicator": self.indicator,
            "period": self.period,
            "value": self.value,
            "comment": self.comment,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cleared": self.cleared,
        }
