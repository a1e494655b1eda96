"""Evidence attachments as stored: the ``evidence_attachments`` table, read and written.

An attachment is a document (its bytes in the database, so every worker sees it and the
backups take it) or a web link, attached to a stored value: an indicator, a quarter and the
service that reported it (issue 17). Rows are never deleted: removing one marks it (who,
when) and replacing one marks it superseded by the new row, so the history stays. The ones
in force are neither. A locked quarter never moves: :func:`add_attachment` and
:func:`remove_attachment` refuse one, through the one lock rule
(:func:`indicators.storage.locks.refused_periods`). What a file is and whether a link is a
web address is checked before (``indicators.intake.evidence_check``); who may attach is
checked by :mod:`accounts.evidence`, which calls these functions inside its transaction.

The readers take an ``Engine`` (a short session of their own) or a ``Session``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, defer

from indicators.storage import locks
from indicators.storage.analyses import clean_text
from indicators.storage.engine import reading
from indicators.storage.queries import utc_or_none
from indicators.storage.schema import DEFAULT_PLAN_ID, EvidenceAttachment
from plan_model.evidence import EvidenceKey
from plan_model.periods import Period

KIND_FILE = "file"
KIND_LINK = "link"
TITLE_LIMIT = 200  # the title column
NAME_LENGTH = 64  # the added_by and removed_by columns
# why a write is refused (EvidenceRefused.code)
REFUSED_LOCKED = "locked"
REFUSED_TITLE = "no_title"
REFUSED_TITLE_LONG = "title_too_long"
REFUSED_PERIOD = "bad_period"
REFUSED_UNKNOWN = "unknown"
REFUSED_GONE = "gone"
REFUSED_KIND = "bad_kind"


class EvidenceRefused(ValueError):
    """An attachment that cannot be stored or removed; ``code`` says why (``REFUSED_*``)."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}" if params else code)


@dataclass(frozen=True)
class EvidenceInfo:
    """One stored attachment, without its bytes."""

    id: int
    plan_id: str
    indicator: str
    period: str
    service: str
    kind: str  # file | link
    title: str
    filename: str | None
    content_type: str | None
    size: int | None
    sha256: str | None
    url: str | None
    added_by: str
    added_at: dt.datetime
    superseded_by_id: int | None
    removed_at: dt.datetime | None
    removed_by: str | None

    @property
    def key(self) -> EvidenceKey:
        """The stored value the attachment belongs to."""
        return EvidenceKey(self.indicator, self.period, self.service)

    @property
    def in_force(self) -> bool:
        """Neither removed nor replaced."""
        return self.removed_at is None and self.superseded_by_id is None


def _info(row: EvidenceAttachment) -> EvidenceInfo:
    added = utc_or_none(row.added_at)
    assert added is not None
    return EvidenceInfo(
        id=row.id,
        plan_id=row.plan_id,
        indicator=row.indicator,
        period=row.period,
        service=row.service,
        kind=row.kind,
        title=row.title,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size_bytes,
        sha256=row.sha256,
        url=row.url,
        added_by=row.added_by,
        added_at=added,
        superseded_by_id=row.superseded_by_id,
        removed_at=utc_or_none(row.removed_at),
        removed_by=row.removed_by,
    )


_WITHOUT_BYTES = defer(EvidenceAttachment.content, raiseload=True)


def attachments(
    db: Engine | Session,
    *,
    indicators: Collection[str] | None = None,
    period: str | None = None,
    plan_id: str = DEFAULT_PLAN_ID,
    history: bool = False,
) -> list[EvidenceInfo]:
    """The attachments in force (with ``history``, removed and replaced ones too), of
    ``indicators`` and ``period`` when given, oldest first, without their bytes."""
    stmt = select(EvidenceAttachment).where(EvidenceAttachment.plan_id == plan_id)
    if indicators is not None:
        stmt = stmt.where(EvidenceAttachment.indicator.in_(sorted(set(indicators))))
    if period is not None:
        stmt = stmt.where(EvidenceAttachment.period == period)
    if not history:
        stmt = stmt.where(
            EvidenceAttachment.removed_at.is_(None), EvidenceAttachment.superseded_by_id.is_(None)
        )
    stmt = stmt.options(_WITHOUT_BYTES).order_by(EvidenceAttachment.id)
    with reading(db) as session:
        return [_info(row) for row in session.scalars(stmt)]


def attached_keys(
    db: Engine | Session,
    *,
    indicators: Collection[str] | None = None,
    period: str | None = None,
    plan_id: str = DEFAULT_PLAN_ID,
) -> set[EvidenceKey]:
    """The stored values (indicator, quarter, service) with an attachment in force."""
    return {a.key for a in attachments(db, indicators=indicators, period=period, plan_id=plan_id)}


def attachment(db: Engine | Session, attachment_id: int) -> EvidenceInfo | None:
    """The attachment ``attachment_id`` (in force or not), without its bytes, or None."""
    with reading(db) as session:
        row = session.scalars(
            select(EvidenceAttachment)
            .where(EvidenceAttachment.id == attachment_id)
            .options(_WITHOUT_BYTES)
        ).first()
        return _info(row) if row is not None else None


def attachment_content(db: Engine | Session, attachment_id: int) -> bytes | None:
    """The stored bytes of a file attachment (None for a link or an unknown id)."""
    with reading(db) as session:
        return session.scalar(
            select(EvidenceAttachment.content).where(EvidenceAttachment.id == attachment_id)
        )


def checked_title(title: str | None) -> str:
    """The title as stored, or :class:`EvidenceRefused`: not empty, at most
    :data:`TITLE_LIMIT` characters, NUL characters removed."""
    text = clean_text(title)
    if not text:
        raise EvidenceRefused(REFUSED_TITLE)
    if len(text) > TITLE_LIMIT:
        raise EvidenceRefused(REFUSED_TITLE_LONG, limit=TITLE_LIMIT)
    return text


def _open_quarter(session: Session, period: str) -> str:
    quarter = Period.try_parse(period)
    if quarter is None:
        raise EvidenceRefused(REFUSED_PERIOD, period=period)
    if locks.refused_periods(session, [str(quarter)]):
        raise EvidenceRefused(REFUSED_LOCKED, period=str(quarter))
    return str(quarter)


@dataclass(frozen=True)
class NewAttachment:
    """What is attached: a file (name, sniffed type, bytes) or a link (its address)."""

    kind: str  # file | link
    title: str
    filename: str | None = None
    content_type: str | None = None
    content: bytes | None = None
    url: str | None = None


def _row(new: NewAttachment) -> EvidenceAttachment:
    if new.kind == KIND_FILE and new.content is not None and new.filename:
        return EvidenceAttachment(
            kind=KIND_FILE,
            filename=new.filename,
            content_type=new.content_type or "application/octet-stream",
            size_bytes=len(new.content),
            sha256=hashlib.sha256(new.content).hexdigest(),
            content=new.content,
        )
    if new.kind == KIND_LINK and new.url:
        return EvidenceAttachment(kind=KIND_LINK, url=new.url)
    raise EvidenceRefused(REFUSED_KIND, kind=new.kind)


def add_attachment(
    session: Session,
    key: EvidenceKey,
    new: NewAttachment,
    *,
    by: str,
    replaces: int | None = None,
    plan_id: str = DEFAULT_PLAN_ID,
    at: dt.datetime | None = None,
) -> EvidenceInfo:
    """Store an attachment of the value ``key`` in the session's transaction; with
    ``replaces``, the attachment in force it replaces (of the same value) is marked
    superseded. Refused (:class:`EvidenceRefused`) for a locked quarter, an empty or too
    long title, or a replaced attachment that is not in force for that value."""
    period = _open_quarter(session, key.period)
    title = checked_title(new.title)
    previous = None
    if replaces is not None:
        previous = session.get(EvidenceAttachment, replaces)
        if previous is None or not _info(previous).in_force or previous.plan_id != plan_id:
            raise EvidenceRefused(REFUSED_GONE, id=replaces)
        if _info(previous).key != EvidenceKey(key.indicator, period, key.service):
            raise EvidenceRefused(REFUSED_UNKNOWN, id=replaces)
    row = _row(new)
    row.plan_id = plan_id
    row.indicator, row.period, row.service = key.indicator, period, key.service
    row.title = title
    row.added_by = clean_text(by)[:NAME_LENGTH]
    row.added_at = at or dt.datetime.now(dt.UTC)
    session.add(row)
    session.flush()
    if previous is not None:
        previous.superseded_by_id = row.id
        session.flush()
    return _info(row)


def remove_attachment(
    session: Session,
    attachment_id: int,
    *,
    by: str,
    plan_id: str = DEFAULT_PLAN_ID,
    at: dt.datetime | None = None,
) -> EvidenceInfo:
    """Mark the attachment in force ``attachment_id`` removed (its row and bytes stay).
    Refused for an unknown or already removed or replaced one, and for a locked quarter."""
    row = session.get(EvidenceAttachment, attachment_id)
    if row is None or row.plan_id != plan_id:
        raise EvidenceRefused(REFUSED_UNKNOWN, id=attachment_id)
    if not _info(row).in_force:
        raise EvidenceRefused(REFUSED_GONE, id=attachment_id)
    _open_quarter(session, row.period)
    row.removed_at = at or dt.datetime.now(dt.UTC)
    row.removed_by = clean_text(by)[:NAME_LENGTH]
    session.flush()
    return _info(row)
