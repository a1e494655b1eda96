"""Store an accepted import: one transaction, bulk inserts, nothing ever deleted.

Within one transaction: take the (service, period) lock (PostgreSQL advisory lock; on SQLite
``BEGIN IMMEDIATE`` already serialises writers), detect the same bytes already current
(``duplicate``: a no-op), supersede the current submission, insert the new one and its values in
bulk, bump the data generation and write the audit event. Any error rolls everything back.

Superseding a submission marks the file as replaced; it does not take its values out of force:
the values in force are chosen per key (:func:`indicators.storage.queries.in_force`), so a key
the new file leaves blank keeps its earlier value, and only an explicit clear removes one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from indicators.storage.locks import refused_periods
from indicators.storage.queries import MEMBERS_ONLY, TOTALS_ONLY, in_force
from indicators.storage.records import ParsedValue
from indicators.storage.schema import (
    AuditEvent,
    DataGeneration,
    Submission,
    SubmissionStatus,
    Value,
)

DUPLICATE = "duplicate"
LOCKED = "locked"


@dataclass(frozen=True)
class Stored:
    """How storing an import ended (``ok``, ``duplicate``, ``locked``) and what it replaced."""

    status: str  # "ok" | "duplicate" | "locked"
    submission_id: int | None
    superseded_id: int | None


def sha256(content: bytes) -> str:
    """The hex SHA-256 of a file's bytes, by which a duplicate upload is recognised."""
    return hashlib.sha256(content).hexdigest()


def stored_values(
    engine: Engine, service: str, indicators: Sequence[str], periods: Sequence[str]
) -> dict[tuple[str, str], float]:
    """The numeric totals in force of these indicators in these quarters (one query)."""
    if not indicators or not periods:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(Value.indicator, Value.period, Value.value, Submission.uploaded_at)
            .join(Submission, Submission.id == Value.submission_id)
            .where(
                in_force(members=TOTALS_ONLY),
                Value.service == service,
                Value.indicator.in_(sorted(set(indicators))),
                Value.period.in_(sorted(set(periods))),
                Value.value.is_not(None),
            )
            .order_by(Submission.uploaded_at, Submission.id)
        )
        return {(r.indicator, r.period): float(r.value) for r in rows}


@dataclass(frozen=True)
class InForce:
    """A value in force: the number (or stage key) and the submission that holds it."""

    value: float | str | None
    submission_id: int


def values_in_force(
    engine: Engine, service: str, periods: Sequence[str]
) -> dict[tuple[str, str], InForce]:
    """The totals in force of ``service`` in these quarters, by (indicator, quarter)."""
    if not periods:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Value.indicator, Value.period, Value.value, Value.stage, Value.submission_id
            ).where(
                in_force(members=TOTALS_ONLY),
                Value.service == service,
                Value.period.in_(sorted(set(periods))),
            )
        )
        return {
            (r.indicator, r.period): InForce(
                float(r.value) if r.value is not None else r.stage, r.submission_id
            )
            for r in rows
        }


def member_values_in_force(
    engine: Engine, service: str, periods: Sequence[str]
) -> dict[tuple[str, str, str], InForce]:
    """The breakdown members in force of ``service`` in these quarters, by (indicator,
    quarter, member key)."""
    if not periods:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Value.indicator, Value.period, Value.member_key, Value.value, Value.submission_id
            ).where(
                in_force(members=MEMBERS_ONLY),
                Value.service == service,
                Value.period.in_(sorted(set(periods))),
            )
        )
        return {
            (r.indicator, r.period, r.member_key): InForce(
                float(r.value) if r.value is not None else None, r.submission_id
            )
            for r in rows
        }


def current_submission(engine: Engine, service: str, period: str) -> int | None:
    """The id of ``service``'s current submission for ``period`` (None when there is none)."""
    with engine.connect() as conn:
        return conn.execute(
            select(Submission.id).where(
                Submission.service == service,
                Submission.period == period,
                Submission.status == SubmissionStatus.CURRENT,
            )
        ).scalar()


def _lock(conn: Connection, service: str, period: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"seguiment-import|{service}|{period}"},
        )
    # SQLite: the transaction began with BEGIN IMMEDIATE (indicators.storage.engine): writers queue.


def bump_generation(conn: Connection) -> None:
    """Count one more change of stored values, so that every cache drops what it holds."""
    table = DataGeneration.__table__
    assert isinstance(table, Table)
    stmt: postgresql.Insert | sqlite.Insert
    if conn.dialect.name == "postgresql":
        stmt = postgresql.insert(table).values(id=1, generation=1)
    else:
        stmt = sqlite.insert(table).values(id=1, generation=1)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["id"], set_={"generation": table.c.generation + 1}
        )
    )


_VALUE_COLUMNS = (
    "submission_id",
    "indicator",
    "service",
    "period",
    "value",
    "stage",
    "comment",
    "sheet",
    "row",
    "column",
    "cleared",
    "member_key",
    "numerator",
    "denominator",
)


def _insert_values(
    conn: Connection, submission_id: int, service: str, values: Sequence[ParsedValue]
) -> None:
    """Insert every value with one driver-level executemany (no per-row ORM work)."""
    rows = [
        (
            submission_id,
            v.indicator,
            service,
            v.period,
            # a number (an int too: float's type annotation admits it), or a stage's key
            float(v.value)
            if isinstance(v.value, int | float) and not isinstance(v.value, bool)
            else None,
            v.value if isinstance(v.value, str) else None,
            v.comment,
            v.sheet[:128],
            v.row,
            v.column,
            v.cleared,
            v.member_key,
            v.numerator,
            v.denominator,
        )
        for v in values
    ]
    if conn.dialect.name == "postgresql":
        # COPY is PostgreSQL's bulk path (psycopg 3)
        raw = conn.connection.driver_connection
        columns = ", ".join(f'"{c}"' for c in _VALUE_COLUMNS)
        sql = f"COPY {Value.__tablename__} ({columns}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in _VALUE_COLUMNS)
    columns = ", ".join(f'"{c}"' for c in _VALUE_COLUMNS)
    conn.exec_driver_sql(f"INSERT INTO {Value.__tablename__} ({columns}) VALUES ({marks})", rows)


def _in_utc(uploaded_at: dt.datetime | None) -> dt.datetime:
    """``uploaded_at`` (now when ``None``) in UTC: SQLite keeps no time zone."""
    if uploaded_at is None:
        return dt.datetime.now(dt.UTC)
    if uploaded_at.tzinfo is None:
        return uploaded_at.replace(tzinfo=dt.UTC)
    return uploaded_at.astimezone(dt.UTC)


def _audit_import(
    conn: Connection, at: dt.datetime, user: str, target: str, details: dict[str, object]
) -> None:
    """Record one stored upload in the audit log."""
    conn.execute(
        insert(AuditEvent).values(
            at=at, username=user[:64], action="import", target=target, details=details
        )
    )


def store(
    engine: Engine,
    *,
    service: str,
    period: str,
    filename: str,
    content: bytes,
    user: str,
    source: str,
    values: Sequence[ParsedValue],
    warnings: list[dict[str, object]],
    uploaded_at: dt.datetime | None = None,
) -> Stored:
    """Store one upload of ``service`` at ``period`` as its current submission, with its values."""
    digest = sha256(content)
    with engine.begin() as conn:
        _lock(conn, service, period)
        # A director may have locked a quarter while the file was being validated: check
        # again inside the transaction, after taking the lock, so no upload slips through.
        wanted = sorted({v.period for v in values} | {period})
        if refused_periods(conn, wanted):
            return Stored(LOCKED, None, None)
        current = conn.execute(
            select(Submission.id, Submission.sha256).where(
                Submission.service == service,
                Submission.period == period,
                Submission.status == SubmissionStatus.CURRENT,
            )
        ).first()
        if current is not None and current.sha256 == digest:
            return Stored(DUPLICATE, current.id, None)
        now = _in_utc(uploaded_at)
        if current is not None:
            conn.execute(
                update(Submission)
                .where(Submission.id == current.id)
                .values(status=SubmissionStatus.SUPERSEDED)
            )
        new_id = conn.execute(
            insert(Submission)
            .values(
                service=service,
                period=period,
                filename=filename[:255],
                content=content,
                sha256=digest,
                size_bytes=len(content),
                uploaded_by=user[:64],
                uploaded_at=now,
                source=source,
                status=SubmissionStatus.CURRENT,
                supersedes_id=current.id if current is not None else None,
                row_count=len(values),
                warnings=warnings or None,
            )
            .returning(Submission.id)
        ).scalar_one()
        if current is not None:
            conn.execute(
                update(Submission)
                .where(Submission.id == current.id)
                .values(superseded_by_id=new_id)
            )
        if values:
            _insert_values(conn, new_id, service, values)
        bump_generation(conn)
        details: dict[str, object] = {
            "submission_id": new_id,
            "superseded_id": current.id if current is not None else None,
            "filename": filename,
            "sha256": digest,
            "values": len(values),
            "source": source,
        }
        _audit_import(conn, now, user, f"{service} {period}", details)
        return Stored("ok", new_id, current.id if current is not None else None)


def current_generation(conn: Connection) -> int:
    """The number of stored-value changes so far (0 on an empty database)."""
    value = conn.execute(select(func.max(DataGeneration.generation))).scalar()
    return int(value or 0)
