"""How a service's quarter stands in the two approval steps, as the pages say it.

The states are :mod:`accounts.approvals`' (read through the read model,
``DashboardData.reviews``); their wording lives here once, for ``/gestio`` (where the
direction accepts and locks) and ``/lliuraments`` (where everyone sees who approved what).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import html

from accounts import approvals as steps

HIDDEN: dict[str, Any] = {"aria-hidden": "true"}
REVIEW_LABELS: dict[str, str] = {  # English msgids of the review states
    steps.NOT_DELIVERED: "Not delivered",
    steps.PENDING_VALIDATION: "Pending validation by the head",
    steps.PENDING_ACCEPTANCE: "Validated by {head}: pending acceptance",
    steps.ACCEPTED: "Accepted by {user}",
    steps.CHANGED: "Changed since the acceptance ({count} values): to accept again",
}


def lock_sign(locked: bool) -> html.Span:
    """The lock sign: a CSS shape (no emoji: Debian's fonts show a box)."""
    return html.Span(className=f"lock-sign {'is-locked' if locked else 'is-open'}", **HIDDEN)


NO_HEAD_PENDING = "Pending acceptance by the direction (the service has no head)"


def review_text(review: steps.Review, t: Callable[..., str]) -> str:
    """What a service's review says: its state, who validated and accepted it."""
    if review.state == steps.PENDING_ACCEPTANCE and review.validated is None:
        return str(t(NO_HEAD_PENDING))
    return str(
        t(
            REVIEW_LABELS[review.state],
            head=review.validated.approved_by if review.validated else "",
            user=review.accepted.approved_by if review.accepted else "",
            count=len(review.changes),
        )
    )


def approval_lines(review: steps.Review, t: Callable[..., str]) -> list[str]:
    """The approval state of a delivered submission in short lines (none when nothing is
    delivered): who validated it and who accepted it, or which step it waits for."""
    if review.state == steps.NOT_DELIVERED:
        return []
    lines = []
    validated, accepted = review.validated, review.accepted
    if (
        review.state == steps.ACCEPTED
        and validated is not None
        and accepted is not None
        and validated.submission_id == accepted.submission_id
    ):
        lines.append(t("Validated by {head}", head=validated.approved_by))
    lines.append(review_text(review, t))
    return lines
