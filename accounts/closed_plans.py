"""A closed plan stays closed (issue 18): the rule that its quarters cannot be reopened.

:func:`refuse_reopening_closed` is called by :func:`accounts.approvals.reopen_period` before a
quarter is reopened: once a director closed a plan (:func:`accounts.plan_states.close_plan`),
its quarters stay locked, so nothing can be delivered into it any more and its final
evaluation does not move. Kept apart from :mod:`accounts.plan_states` (which locks through
:mod:`accounts.approvals`) so that the two need not import each other.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accounts.errors import AccountError
from indicators.storage.plan_states import closed_plan_covering


def refuse_reopening_closed(session: Session, period: str) -> None:
    """Refuse reopening ``period`` when it is a quarter of a closed plan, naming the plan."""
    closed = closed_plan_covering(session, period)
    if closed is not None:
        raise AccountError(
            "The {period} belongs to the plan {plan}, which is closed (by {by}): "
            "the quarters of a closed plan cannot be reopened.",
            period=period,
            plan=closed.plan_id,
            by=closed.closed_by or "–",
        )
