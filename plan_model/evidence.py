"""Evidence: when a stored value needs a document or a link behind it (issue 17).

A milestone reported as "Finalitzat" (completed) or "Ajornat" (postponed) needs evidence: the
agreement, the protocol or the report that shows it (:func:`needs_evidence`). Any value may
carry attachments; only these stages require one. :func:`missing_evidence` lists the values
that need one and lack it, for the submission check and the objective page: one rule, one
home. Pure Python: the attachments themselves are stored by ``indicators.storage.evidence``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import NamedTuple

from plan_model.decisions import POSTPONED_STAGE

COMPLETED_STAGE = "finalitzat"  # the catalog's stage key for "Finalitzat" (name_en "Completed")
EVIDENCE_STAGES: frozenset[str] = frozenset({COMPLETED_STAGE, POSTPONED_STAGE})
# the warning of a value without its evidence (English msgid; ca: «Cal una evidència: acord,
# protocol o informe»)
EVIDENCE_NEEDED = "Evidence is needed: an agreement, a protocol or a report."


class EvidenceKey(NamedTuple):
    """The stored value an attachment belongs to: an indicator, a quarter, a service."""

    indicator: str
    period: str
    service: str


def needs_evidence(stage: str | None) -> bool:
    """Whether a milestone reported at ``stage`` (a stage key) needs a document or a link:
    completed or postponed."""
    return (stage or "").strip().lower() in EVIDENCE_STAGES


def missing_evidence(
    values: Iterable[tuple[EvidenceKey, str | None]], attached: Collection[EvidenceKey]
) -> list[EvidenceKey]:
    """The keys of ``values`` (each a key and its stage) whose stage needs evidence and that
    are not among ``attached`` (the keys with an attachment in force), in the order given,
    each once."""
    have = set(attached)
    missing: list[EvidenceKey] = []
    for key, stage in values:
        if needs_evidence(stage) and key not in have and key not in missing:
            missing.append(key)
    return missing
