"""The evidence of an objective's values as its page shows it (issue 17).

For every stored value of the objective's indicators up to the page's quarter: the
attachments in force (files and links) and whether the value needs evidence and has none
(:func:`plan_model.evidence.missing_evidence`: a milestone completed or postponed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from indicators.storage.evidence import EvidenceInfo, attachments
from plan_model.evidence import EvidenceKey, missing_evidence


@dataclass(frozen=True)
class ObjectiveEvidence:
    """An objective's attachments by stored value, and the values that lack evidence."""

    by_key: dict[EvidenceKey, list[EvidenceInfo]] = field(default_factory=dict)
    missing: tuple[EvidenceKey, ...] = ()

    def of(self, key: EvidenceKey) -> list[EvidenceInfo]:
        """The attachments in force of one stored value, oldest first."""
        return self.by_key.get(key, [])

    def needs(self, key: EvidenceKey) -> bool:
        """Whether the stored value needs evidence and has none."""
        return key in self.missing


def _keys_and_stages(
    values: Mapping[str, pd.DataFrame], until: str
) -> list[tuple[EvidenceKey, str | None]]:
    found: list[tuple[EvidenceKey, str | None]] = []
    for code, rows in values.items():
        if rows.empty:
            continue
        for period, service, stage in zip(
            rows["period"].astype(str), rows["service"].astype(str), rows["stage"], strict=True
        ):
            if period <= until:
                text = stage if isinstance(stage, str) else None
                found.append((EvidenceKey(code, period, service), text))
    return found


def objective_evidence(
    engine: Engine, values: Mapping[str, pd.DataFrame], until: str
) -> ObjectiveEvidence:
    """The evidence of ``values`` (an objective's values by indicator, with the columns
    period, service and stage) up to the quarter ``until``."""
    stored = attachments(engine, indicators=list(values))
    by_key: dict[EvidenceKey, list[EvidenceInfo]] = {}
    for item in stored:
        if item.period <= until:
            by_key.setdefault(item.key, []).append(item)
    missing = missing_evidence(_keys_and_stages(values, until), by_key)
    return ObjectiveEvidence(by_key=by_key, missing=tuple(missing))
