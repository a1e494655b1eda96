"""Milestone decisions: a director's record that a milestone is postponed or dropped.

A technician may report a milestone as "Ajornat" (postponed) or "Desestimat" (dropped), but
that stage only takes effect once the management records the decision: the date, the reason
and the body that agreed it (e.g. "Comissió de direcció"). Until then the reported stage is a
*proposal*, shown as such. This module holds the decision as a plain value and the rules that
read a list of them; the storage keeps them (``indicators.storage.decisions``) and the status
engine receives them as a ``Sequence[MilestoneDecision]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from plan_model.periods import Period

POSTPONED_STAGE = "ajornat"  # the catalog's stage key for "Ajornat" (name_en "Postponed")
DROPPED_STAGE = "desestimat"  # the catalog's stage key for "Desestimat" (name_en "Dropped")
DECISION_STAGES: frozenset[str] = frozenset({POSTPONED_STAGE, DROPPED_STAGE})


@dataclass(frozen=True)
class MilestoneDecision:
    """A director's decision that a milestone is postponed or dropped from a quarter on.

    ``stage`` is the catalog's stage key (``"ajornat"`` or ``"desestimat"``), ``effective``
    the first quarter it applies to (``"2025-T3"``), ``body`` the body that agreed it and
    ``by`` the user who recorded it.
    """

    indicator: str
    stage: str
    effective: str
    decided_on: dt.date
    reason: str
    body: str
    by: str

    @property
    def effective_period(self) -> Period:
        """The first quarter the decision applies to, as a ``Period``."""
        return Period.parse(self.effective)


def normalise_stage(text: str) -> str | None:
    """The decision stage key for ``text`` ("Ajornat", "desestimat", "Postponed"...), or None."""
    folded = text.strip().lower()
    aliases = {
        POSTPONED_STAGE: POSTPONED_STAGE,
        "postponed": POSTPONED_STAGE,
        "aplazado": POSTPONED_STAGE,
        DROPPED_STAGE: DROPPED_STAGE,
        "dropped": DROPPED_STAGE,
        "desestimado": DROPPED_STAGE,
    }
    return aliases.get(folded)


def decision_in_force(
    decisions: Iterable[MilestoneDecision], indicator: str, quarter: Period | str
) -> MilestoneDecision | None:
    """The decision that applies to ``indicator`` at ``quarter``, or None.

    The one with the latest effective quarter not after ``quarter`` wins; on a tie, the one
    decided last. Revoked decisions are not passed in: the storage leaves them out.
    """
    at = Period.parse(quarter)
    best: MilestoneDecision | None = None
    for decision in decisions:
        if decision.indicator != indicator or decision.effective_period > at:
            continue
        if best is None or _later(decision, best):
            best = decision
    return best


def _later(a: MilestoneDecision, b: MilestoneDecision) -> bool:
    return (a.effective_period, a.decided_on) > (b.effective_period, b.decided_on)


def is_decided(
    decisions: Sequence[MilestoneDecision], indicator: str, stage: str, quarter: Period | str
) -> bool:
    """Whether a reported ``stage`` of ``indicator`` at ``quarter`` is backed by a decision.

    Stages other than Ajornat/Desestimat need no decision (always True). A reported
    Ajornat/Desestimat without a matching decision in force is a proposal (False).
    """
    key = normalise_stage(stage)
    if key is None:
        return True
    decision = decision_in_force(decisions, indicator, quarter)
    return decision is not None and decision.stage == key


@dataclass(frozen=True)
class Proposal:
    """A reported Ajornat/Desestimat that no decision backs yet: a proposal to the direction.

    ``since`` is the first quarter of the latest run of reports of that stage (the natural
    effective quarter of the decision), ``reported`` the quarter it was last reported in.
    """

    indicator: str
    stage: str
    since: str
    reported: str


def pending_proposal(
    decisions: Sequence[MilestoneDecision],
    indicator: str,
    reported: Iterable[tuple[str, str | None]],
    quarter: Period | str,
) -> Proposal | None:
    """The proposal of ``indicator`` at ``quarter``, or None.

    ``reported`` holds the milestone's reported ``(quarter, stage)`` pairs; the stage in force
    at ``quarter`` is the latest reported up to it. It is a proposal when that stage is
    Ajornat or Desestimat and no decision in force at ``quarter`` says so.
    """
    at = Period.parse(quarter)
    runs = sorted(
        (p, stage)
        for p, stage in ((Period.try_parse(q), s) for q, s in reported)
        if p is not None and p <= at and stage
    )
    if not runs:
        return None
    last_period, last_stage = runs[-1]
    key = normalise_stage(last_stage)
    if key is None or is_decided(decisions, indicator, key, at):
        return None
    since = last_period
    for p, stage in reversed(runs):
        if normalise_stage(stage) != key:
            break
        since = p
    return Proposal(indicator, key, str(since), str(last_period))
