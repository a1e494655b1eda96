"""The records storage keeps: one accepted value of an uploaded file, as it is stored.

Intake builds them (validation) and storage writes them; the type lives here, in the lower
layer, so storage never depends on validation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParsedValue:
    """One accepted value; JSON: ``{"indicator","period","value","comment","sheet","row"}``."""

    indicator: str
    period: str
    value: float | str | None  # a number, or a milestone stage key
    comment: str | None
    sheet: str
    row: int
    column: str | None = None

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
        }
