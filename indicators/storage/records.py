"""The records storage keeps: one accepted value of an uploaded file, as it is stored.

Intake builds them (validation) and storage writes them; the type lives here, in the lower
layer, so storage never depends on validation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParsedValue:
    """One accepted value (or an explicit clear); JSON: ``{"indicator","period","value",
    "comment","sheet","row","column","cleared","members"}`` (``members`` only for a
    breakdown member: its canonical key, ``plan_model.breakdowns.member_key``, and a ratio's
    ``numerator`` and ``denominator``)."""

    indicator: str
    period: str
    value: float | str | None  # a number, or a milestone stage key
    comment: str | None
    sheet: str
    row: int
    column: str | None = None
    cleared: bool = False  # the cell asked to clear the value in force (value is None)
    member_key: str = ""  # the breakdown members ("abss=VIC;sex=D"); "" the total
    numerator: float | None = None  # a ratio member's two counts
    denominator: float | None = None

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
            **self._members_json(),
        }

    def _members_json(self) -> dict[str, object]:
        """The member fields, only for a member (a total's JSON stays as it was)."""
        if not self.member_key:
            return {}
        return {
            "members": self.member_key,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }
