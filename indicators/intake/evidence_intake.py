"""Evidence in the intake (issue 17): attaching a checked file or link, and the submission
check's warning for a milestone completed or postponed without evidence.

:func:`attach_file` and :func:`attach_link` are the one way in for an attachment: the file
is checked by its content (:func:`~indicators.intake.evidence_check.check_evidence_file`) or
the link by its scheme (:func:`~indicators.intake.evidence_check.check_evidence_link`), then
attached through :func:`accounts.evidence.attach`, which checks who may and the lock, and
audits. :func:`evidence_warnings` warns, for each value of the file's quarter whose stage
needs evidence (:func:`plan_model.evidence.missing_evidence`) and has none attached yet,
«Cal una evidència: acord, protocol o informe». A warning only informs: the file is stored.
"""

from __future__ import annotations

from sqlalchemy import Engine

from accounts.evidence import attach
from accounts.users import Acting
from i18n import gettext
from indicators.intake.evidence_check import check_evidence_file, check_evidence_link
from indicators.intake.issues import Issue
from indicators.intake.validate import Checked
from indicators.storage.evidence import (
    KIND_FILE,
    KIND_LINK,
    EvidenceInfo,
    NewAttachment,
    attached_keys,
)
from plan_model.evidence import EvidenceKey, missing_evidence
from plan_model.models import Plan
from settings import Settings

EVIDENCE_REQUIRED = "evidence_required"  # the warning's code
WARNING = (
    "Evidence is needed: an agreement, a protocol or a report ({indicator}, {stage}). "
    "Attach it on the objective's page."
)


def attach_file(
    engine: Engine,
    plan: Plan,
    settings: Settings,
    key: EvidenceKey,
    *,
    title: str,
    filename: str,
    content: bytes,
    by: Acting,
    replaces: int | None = None,
) -> EvidenceInfo:
    """Check a file by its content and attach it to the stored value ``key``; refused with
    :class:`~indicators.intake.safety.UnsafeFile` (the file) or
    :class:`~accounts.errors.AccountError` (who, the lock, the title)."""
    checked = check_evidence_file(filename, content, settings)
    new = NewAttachment(
        kind=KIND_FILE,
        title=title,
        filename=checked.filename,
        content_type=checked.content_type,
        content=content,
    )
    return attach(engine, plan, key, new, by=by, replaces=replaces)


def attach_link(
    engine: Engine,
    plan: Plan,
    key: EvidenceKey,
    *,
    title: str,
    url: str,
    by: Acting,
    replaces: int | None = None,
) -> EvidenceInfo:
    """Check a link (a web address only) and attach it to the stored value ``key``; refused
    as :func:`attach_file` is."""
    new = NewAttachment(kind=KIND_LINK, title=title, url=check_evidence_link(url))
    return attach(engine, plan, key, new, by=by, replaces=replaces)


def _stage_name(plan: Plan, key: str, lang: str) -> str:
    stage = plan.stage_by_key.get(key)
    if stage is None:
        return key
    return {"es": stage.name_es, "en": stage.name_en}.get(lang, stage.name)


def evidence_warnings(engine: Engine, plan: Plan, checked: Checked, lang: str) -> list[Issue]:
    """A warning per value of the file's quarter reported at a stage that needs evidence
    (completed, postponed) without an attachment in force, at the value's cell."""
    if checked.service is None or checked.period is None:
        return []
    service = checked.service
    values = [
        v
        for v in checked.values
        if v.period == checked.period and isinstance(v.value, str) and not v.cleared
    ]
    if not values:
        return []
    keyed = {EvidenceKey(v.indicator, v.period, service): v for v in values}
    attached = attached_keys(
        engine, indicators={v.indicator for v in values}, period=checked.period
    )
    issues = []
    for key in missing_evidence(((k, str(v.value)) for k, v in keyed.items()), attached):
        value = keyed[key]
        stage = _stage_name(plan, str(value.value), lang)
        issues.append(
            Issue(
                code=EVIDENCE_REQUIRED,
                sheet=value.sheet,
                row=value.row,
                column=value.column,
                value=stage,
                message=gettext(WARNING, lang, indicator=key.indicator, stage=stage),
            )
        )
    return issues
