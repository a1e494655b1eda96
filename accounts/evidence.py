"""Attaching evidence to a stored value, and removing it: who may, and the audit trail.

A milestone reported "Finalitzat" or "Ajornat" needs a document or a link behind it (the
agreement, the protocol, the report: :mod:`plan_model.evidence`); any value may carry
attachments (issue 17). A director attaches to any service's value; a technician or a
service head (``responsable``) only to the values of the services assigned to them
(:func:`accounts.roles.takes_services`); a reader never. The domain functions
:func:`attach` and :func:`remove` check it themselves, refusing anyone else with
:class:`~accounts.errors.PermissionDenied` before touching anything. A locked quarter
refuses both (the storage's lock rule). Nothing is destroyed: removing marks the row.
Every attach and remove is in the audit log, in the same transaction, and bumps the data
generation so every page shows it at once.

What a file is (by its content) and whether a link is a web address is checked by
``indicators.intake.evidence_check`` (a layer above): callers pass what it found.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from accounts._clock import now
from accounts.analyses import _with_services as with_services
from accounts.audit import record
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import DIRECTOR, HEAD, TECHNICIAN, HasRole, HasServices, takes_services
from accounts.users import Acting, acting
from i18n import format_number
from indicators.storage import cache
from indicators.storage import evidence as stored
from indicators.storage.engine import transaction
from indicators.storage.evidence import EvidenceInfo, EvidenceRefused, NewAttachment
from indicators.storage.schema import DEFAULT_PLAN_ID
from plan_model.evidence import EvidenceKey
from plan_model.models import Plan
from plan_model.periods import Period

ACTION_EVIDENCE_ATTACH = "evidence_attach"  # audit log actions
ACTION_EVIDENCE_REMOVE = "evidence_remove"
VIEW_ROLES = frozenset({DIRECTOR, TECHNICIAN, HEAD})  # download the documents

REFUSALS: dict[str, str] = {  # storage's refusal codes, as English msgids
    stored.REFUSED_LOCKED: "A locked quarter never moves: {period} is locked, so its evidence "
    "cannot change. Reopen the quarter first.",
    stored.REFUSED_TITLE: "An attachment needs a title (e.g. «Acord de la comissió»).",
    stored.REFUSED_TITLE_LONG: "The title of an attachment has at most {limit} characters.",
    stored.REFUSED_PERIOD: "Not a quarter: {text} (write it as 2025-T3).",
    stored.REFUSED_UNKNOWN: "There is no such attachment for this value.",
    stored.REFUSED_GONE: "The attachment was already removed or replaced.",
    stored.REFUSED_KIND: "An attachment is a file or a link.",
}
UNKNOWN_INDICATOR = "{indicator} is not an indicator of the plan."
UNKNOWN_SERVICE = "{service} is not a service of the plan."


def can_attach(user: HasServices, service: str) -> bool:
    """Attaches evidence to (and removes it from) ``service``'s values: a director (or the
    command line's operator) any service's, a technician or head their own services'."""
    if getattr(user, "is_operator", False) or user.role == DIRECTOR:
        return True
    return takes_services(user.role) and service in user.services


def can_see_evidence(user: HasRole) -> bool:
    """Downloads the attached documents: the staff (a director, a technician, a head), not
    the read-only accounts of the board and guests."""
    return bool(getattr(user, "is_operator", False)) or user.role in VIEW_ROLES


def _refused(exc: EvidenceRefused) -> AccountError:
    params = dict(exc.params)
    if exc.code == stored.REFUSED_PERIOD:
        params["text"] = params.pop("period", "")
    if "limit" in params:
        params["limit"] = format_number(float(str(params["limit"])), "ca", decimals=0)
    return AccountError(REFUSALS[exc.code], **params)


def _checked_key(plan: Plan, key: EvidenceKey) -> EvidenceKey:
    indicator = key.indicator.strip().upper()
    if indicator not in plan.indicator_by_code:
        raise AccountError(UNKNOWN_INDICATOR, indicator=key.indicator)
    if key.service not in plan.service_by_code:
        raise AccountError(UNKNOWN_SERVICE, service=key.service)
    quarter = Period.try_parse(key.period)
    if quarter is None:
        raise AccountError(REFUSALS[stored.REFUSED_PERIOD], text=key.period)
    return EvidenceKey(indicator, str(quarter), key.service)


def _require_attacher(user: HasServices, name: str, service: str) -> None:
    if not can_attach(user, service):
        raise PermissionDenied(
            "Only a director or a technician or head of {service} can attach evidence to "
            "its values ({username} cannot).",
            service=service,
            username=name,
        )


def attach(
    engine: Engine,
    plan: Plan,
    key: EvidenceKey,
    new: NewAttachment,
    *,
    by: Acting,
    replaces: int | None = None,
    plan_id: str = DEFAULT_PLAN_ID,
) -> EvidenceInfo:
    """Attach a file or a link to the stored value ``key`` (with ``replaces``, in place of
    that attachment, marked superseded). Only a director or a technician or head of the
    value's service; refused (:class:`AccountError`) for an indicator or service not in
    ``plan``, a locked quarter or a missing title."""
    key = _checked_key(plan, key)
    with transaction(engine) as session:
        actor = with_services(session, acting(session, by))
        _require_attacher(actor, actor.name, key.service)
        try:
            info = stored.add_attachment(
                session, key, new, by=actor.name, replaces=replaces, plan_id=plan_id, at=now()
            )
        except EvidenceRefused as exc:
            raise _refused(exc) from exc
        cache.data_changed(session)
        details = {
            "service": info.service,
            "period": info.period,
            "indicator": info.indicator,
            "kind": info.kind,
            "title": info.title,
            "filename": info.filename,
            "content_type": info.content_type,
            "size": info.size,
            "sha256": info.sha256,
            "url": info.url,
            "replaces_id": replaces,
        }
        target = f"{info.indicator} {info.period} {info.service}"
        record(
            session,
            actor.name,
            ACTION_EVIDENCE_ATTACH,
            target,
            {"attachment_id": info.id, **details, **actor.audit_details()},
        )
        return info


def remove(
    engine: Engine, attachment_id: int, *, by: Acting, plan_id: str = DEFAULT_PLAN_ID
) -> EvidenceInfo:
    """Mark the attachment ``attachment_id`` removed (its row and bytes stay, for the
    history). The same people as :func:`attach`; refused for an unknown or already removed
    attachment and for a locked quarter."""
    with transaction(engine) as session:
        actor = with_services(session, acting(session, by))
        found = stored.attachment(session, attachment_id)
        if found is None or found.plan_id != plan_id:
            raise AccountError(REFUSALS[stored.REFUSED_UNKNOWN])
        _require_attacher(actor, actor.name, found.service)
        try:
            info = stored.remove_attachment(
                session, attachment_id, by=actor.name, plan_id=plan_id, at=now()
            )
        except EvidenceRefused as exc:
            raise _refused(exc) from exc
        cache.data_changed(session)
        record(
            session,
            actor.name,
            ACTION_EVIDENCE_REMOVE,
            f"{info.indicator} {info.period} {info.service}",
            {
                "attachment_id": info.id,
                "service": info.service,
                "period": info.period,
                "indicator": info.indicator,
                "title": info.title,
                **actor.audit_details(),
            },
        )
        return info
