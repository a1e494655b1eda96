"""Why an objective or indicator has no light: which service has not delivered which quarter.

A grey light alone («Sense dades») does not say what to do. :func:`grey_reasons` reads the
quarter's completeness (``plan_model.completeness``: on time, late, pending, not due) for the
services responsible for the grey indicators and says, one sentence per service, e.g. «el
servei SIAD no ha lliurat el 4t trimestre de 2025».
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from i18n import translator
from plan_model.periods import Period, period_label
from plan_model.status_types import IndicatorResult, Status

MESSAGES = {
    "pending": "The service {service} has not delivered the {quarter}.",
    "not_due": "The deadline of the service {service} for the {quarter} has not passed yet.",
    "delivered": "The service {service} delivered the {quarter} without a value for {codes}.",
    "not_expected": "Nothing is expected yet from {codes}.",
}


@dataclass(frozen=True)
class GreyReason:
    """One reason: the service (empty for "nothing expected yet"), its delivery state, the
    indicators it explains and the sentence."""

    service: str
    state: str  # pending | not_due | delivered | not_expected
    indicators: tuple[str, ...]
    text: str


def _states(completeness: pd.DataFrame, period: Period) -> dict[str, str]:
    if completeness.empty:
        return {}
    rows = completeness[completeness["period"].astype(str) == str(period)]
    return dict(zip(rows["service"].astype(str), rows["state"].astype(str), strict=True))


def grey_reasons(
    indicators: Sequence[IndicatorResult], completeness: pd.DataFrame, period: Period, lang: str
) -> list[GreyReason]:
    """The reasons of the grey ``indicators`` (results at ``period``) from the quarter's
    ``completeness``: one per service, in the order of the indicators."""
    t = translator(lang)
    states = _states(completeness, period)
    grouped: dict[tuple[str, str], list[str]] = {}
    for ind in indicators:
        if ind.status != Status.GREY or ind.excluded:
            continue
        if not ind.due:
            key = ("", "not_expected")
        else:
            state = states.get(ind.service, "pending")
            key = (ind.service, "delivered" if state in ("on_time", "late") else state)
        grouped.setdefault(key, []).append(ind.code)
    quarter = period_label(period, lang)
    return [
        GreyReason(
            service=service,
            state=state,
            indicators=tuple(codes),
            text=t(MESSAGES[state], service=service, quarter=quarter, codes=", ".join(codes)),
        )
        for (service, state), codes in grouped.items()
    ]
