"""What a file changes in the values in force, before it is stored (the check's changes list).

One function for the upload page and ``seguiment import --json``: per indicator and quarter,
the value in force and the new one, and whether the file sets it (``new``, ``changed``,
``same``), clears it (``cleared``: the cell said «esborrar») or leaves it blank (``kept``: a
blank cell changes nothing); and which submission the file replaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from indicators.storage.records import ParsedValue
from indicators.storage.store import (
    InForce,
    current_submission,
    member_values_in_force,
    values_in_force,
)

NEW, CHANGED, SAME, CLEARED, KEPT = "new", "changed", "same", "cleared", "kept"


@dataclass(frozen=True)
class Change:
    """One key of the file (or in force and left blank) and what storing would do to it."""

    indicator: str
    period: str
    kind: str  # new | changed | same | cleared | kept
    before: float | str | None  # the value in force (a number or a stage key)
    after: float | str | None  # what would be in force after storing
    before_submission: int | None  # the submission that holds the value in force
    members: str = ""  # a breakdown member's key (issue 14); "" the total

    def to_json(self) -> dict[str, object]:
        """The change as one object of the ``changes`` list of an import result."""
        return {
            "indicator": self.indicator,
            "period": self.period,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "before_submission": self.before_submission,
            **({"members": self.members} if self.members else {}),
        }


@dataclass(frozen=True)
class ChangeSet:
    """The changes of one file and the submission it replaces (None: the first one)."""

    replaces: int | None
    changes: list[Change] = field(default_factory=list)


def _change(value: ParsedValue, held: InForce | None) -> Change:
    before = held.value if held is not None else None
    source = held.submission_id if held is not None else None
    if value.cleared:
        kind = CLEARED
    elif held is None:
        kind = NEW
    else:
        kind = SAME if before == value.value else CHANGED
    after = None if value.cleared else value.value
    return Change(value.indicator, value.period, kind, before, after, source, value.member_key)


def compute_changes(
    engine: Engine, service: str, period: str, values: Sequence[ParsedValue]
) -> ChangeSet:
    """What storing ``values`` as ``service``'s file for ``period`` would change (two
    queries, nothing written): every key of the file, then the keys of ``period`` in force
    that the file leaves blank (kept), by indicator and quarter."""
    periods = sorted({v.period for v in values} | {period})
    held: dict[tuple[str, str, str], InForce] = {
        (indicator, quarter, ""): found
        for (indicator, quarter), found in values_in_force(engine, service, periods).items()
    }
    if any(v.member_key for v in values):
        held.update(member_values_in_force(engine, service, periods))
    changes = [_change(v, held.get((v.indicator, v.period, v.member_key))) for v in values]
    given = {(v.indicator, v.period, v.member_key) for v in values}
    for key, kept in held.items():
        if key[1] == period and key not in given:
            changes.append(
                Change(key[0], key[1], KEPT, kept.value, kept.value, kept.submission_id, key[2])
            )
    changes.sort(key=lambda c: (c.period, c.indicator, c.members))
    return ChangeSet(current_submission(engine, service, period), changes)
