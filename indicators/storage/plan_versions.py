"""The versions of a plan as stored: the ``plan_versions`` table, read and written (issue 18).

Each row is an amendment (the amended plan and catalog YAML documents, with their sha256) or
an extension (the quarter it runs the plan until), numbered per plan from 1. Rows are only
added, never changed: the history of the plan. Who may record one, and the checks before,
live in :mod:`accounts.plan_versions`, which calls the writer here inside its transaction.

:func:`plan_for_quarter` is the one function every caller asks for the plan that governs a
quarter (the status of the pages, the command line, the board pack): it reads the versions
and applies the rule of :func:`plan_model.versions.plan_for_quarter`. The plans rebuilt from
the stored documents are kept in-process by fingerprint, so a page pays one small query.

The readers take an ``Engine`` (a short session of their own) or a ``Session`` (to read
inside the caller's transaction).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from indicators.storage.engine import reading
from indicators.storage.plan_states import EXTENDED
from indicators.storage.queries import as_utc
from indicators.storage.schema import PlanState, PlanVersionRow
from plan_model import versions as rule
from plan_model.models import Plan
from plan_model.periods import Period
from plan_model.versions import EXTENSION, PlanVersion, VersionKind

Db = Engine | Session

_PLANS: OrderedDict[tuple[str, str], Plan] = OrderedDict()  # (base fingerprint, sha) → plan
_PLANS_LOCK = threading.Lock()
_PLANS_KEPT = 32


def fingerprint(*documents: str) -> str:
    """The sha256 of ``documents`` (an amendment's plan and catalog YAML, in that order)."""
    digest = hashlib.sha256()
    for document in documents:
        digest.update(document.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _rebuilt(row: PlanVersionRow, base: Plan) -> Plan | None:
    """The amended plan of ``row`` (None for an extension), rebuilt once per process."""
    if row.plan_document is None or row.catalog_document is None:
        return None
    key = (f"{base.info.id}|{len(base.dimensions)}", row.sha256)
    with _PLANS_LOCK:
        found = _PLANS.get(key)
    if found is not None:
        return found
    plan = rule.plan_from_documents(row.plan_document, row.catalog_document, base)
    with _PLANS_LOCK:
        _PLANS[key] = plan
        while len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return plan


def _version(row: PlanVersionRow, base: Plan) -> PlanVersion:
    kind: VersionKind = "extension" if row.kind == EXTENSION else "amendment"
    return PlanVersion(
        number=row.version,
        kind=kind,
        effective=Period.parse(row.effective_period),
        reason=row.reason,
        recorded_at=as_utc(row.recorded_at),
        recorded_by=row.recorded_by,
        approved_by=row.approved_by,
        until=Period.parse(row.until_period) if row.until_period else None,
        plan=_rebuilt(row, base),
    )


def stored_versions(db: Db, base: Plan) -> list[PlanVersion]:
    """Every recorded version of plan ``base`` (the plan as approved), oldest first, with
    each amendment's plan rebuilt from its documents."""
    stmt = (
        select(PlanVersionRow)
        .where(PlanVersionRow.plan_id == base.info.id)
        .order_by(PlanVersionRow.version)
    )
    with reading(db) as session:
        return [_version(row, base) for row in session.scalars(stmt)]


def versions_stored_here(engine: Engine) -> bool:
    """Whether the database has the ``plan_versions`` table (a database not migrated yet has
    none: its plan has no versions)."""
    return inspect(engine).has_table(PlanVersionRow.__tablename__)


def plan_for_quarter(
    db: Db, base: Plan, period: Period | None = None, *, as_approved: bool = False
) -> Plan:
    """The plan that governs ``period`` (:func:`plan_model.versions.plan_for_quarter`): the
    version in force then; for no period the plan as it stands now (the widest span, for
    the quarters a service may report); ``as_approved``: the plan as approved."""
    return rule.plan_for_quarter(base, stored_versions(db, base), period, as_approved=as_approved)


def next_number(session: Session, plan_id: str) -> int:
    """The number the next version of plan ``plan_id`` takes (1 for the first)."""
    stmt = select(func.max(PlanVersionRow.version)).where(PlanVersionRow.plan_id == plan_id)
    return int(session.scalar(stmt) or 0) + 1


def add_version(
    session: Session,
    plan_id: str,
    *,
    kind: str,
    effective: str,
    reason: str,
    recorded_by: str,
    at: dt.datetime,
    approved_by: str | None = None,
    until: str | None = None,
    documents: tuple[str, str] | None = None,
) -> int:
    """Record a version of plan ``plan_id`` in the session's transaction: an amendment with
    its plan and catalog ``documents``, or an extension ``until`` a quarter. Returns its
    number."""
    number = next_number(session, plan_id)
    sha = fingerprint(*documents) if documents else fingerprint(f"{kind} {until}")
    session.add(
        PlanVersionRow(
            plan_id=plan_id,
            version=number,
            kind=kind,
            effective_period=effective,
            until_period=until,
            reason=reason,
            approved_by=approved_by,
            recorded_by=recorded_by,
            recorded_at=at,
            plan_document=documents[0] if documents else None,
            catalog_document=documents[1] if documents else None,
            sha256=sha,
        )
    )
    session.flush()
    return number


def mark_extended(
    session: Session, plan_id: str, *, first_period: str, last_period: str, at: dt.datetime
) -> None:
    """Record plan ``plan_id``'s state as ``extended``, now covering ``first_period`` to
    ``last_period``, in the session's transaction (a closed plan is refused before)."""
    row = session.get(PlanState, plan_id, with_for_update=True)
    if row is None:
        row = PlanState(plan_id=plan_id)
        session.add(row)
    row.state = EXTENDED
    row.first_period = first_period
    row.last_period = last_period
    row.changed_at = at
    session.flush()
