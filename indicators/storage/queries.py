"""Stored data as pandas frames (never Dash): current values, history, provenance.

Values in force (:func:`in_force`): per value key (indicator, service, quarter, members),
across every submission, current or superseded, the latest submission that gives that key a value or an
explicit clear wins; a clear leaves the key without a value. A blank cell stores nothing, so it
changes nothing: the earlier value stays in force with its own provenance. ``as_of`` answers
"as it stood then": the same rule over the submissions uploaded by that moment.

Members (issue 14): a value's ``member_key`` names the breakdown members it is for
(``abss=VIC;sex=D``, :mod:`plan_model.breakdowns`); ``""`` is the total as reported. The
readers of totals (:func:`values_frame`, :func:`value_history`) read only ``""``; the members
are read by :func:`member_values_frame`. When plans are stored (issue 18) the key becomes
(plan, indicator, service, quarter, members): the plan id of the submission joins the
partition of :func:`in_force_ids`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, func, select

from indicators.storage.schema import DataGeneration, Submission, SubmissionStatus, Value

VALUE_COLUMNS = [
    "indicator",
    "service",
    "period",
    "year",
    "quarter",
    "value",
    "stage",
    "comment",
    "submission_id",
    "sheet",
    "row",
    "filename",
    "uploaded_by",
    "uploaded_at",
]
SUBMISSION_COLUMNS = [
    "id",
    "service",
    "period",
    "filename",
    "sha256",
    "size_bytes",
    "uploaded_by",
    "uploaded_at",
    "source",
    "status",
    "superseded_by_id",
    "supersedes_id",
    "row_count",
]


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC (a naive one is taken as UTC: SQLite gives times back without a
    time zone)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def utc_or_none(moment: dt.datetime | None) -> dt.datetime | None:
    """:func:`as_utc` of a time that may be missing (a column that may be NULL)."""
    return None if moment is None else as_utc(moment)


def _frame(engine: Engine, stmt: Select[Any] | Any, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    if "uploaded_at" in frame:
        frame["uploaded_at"] = pd.to_datetime(frame["uploaded_at"], utc=True)
    return frame


TOTALS_ONLY = False  # ``members=`` of the readers: only the totals as reported
MEMBERS_ONLY = True  # only the breakdown members


def in_force_ids(
    until: dt.datetime | None = None, *, members: bool | None = None
) -> Select[tuple[int]]:
    """The ids of the value rows in force (uploaded by ``until`` when given): per key
    (indicator, service, quarter, members) the row of the latest submission, unless it is a
    clear. ``members``: None every row, False the totals only, True the members only."""
    rank = (
        func.row_number()
        .over(
            partition_by=(Value.indicator, Value.service, Value.period, Value.member_key),
            order_by=(Submission.uploaded_at.desc(), Submission.id.desc()),
        )
        .label("rank")
    )
    ranked = select(Value.id.label("id"), Value.cleared.label("cleared"), rank).join(
        Submission, Submission.id == Value.submission_id
    )
    if until is not None:
        ranked = ranked.where(Submission.uploaded_at <= as_utc(until))
    if members is not None:
        ranked = ranked.where(Value.member_key != "" if members else Value.member_key == "")
    inner = ranked.subquery("ranked_values")
    return select(inner.c.id).where(inner.c.rank == 1, inner.c.cleared.is_(False))


def in_force(
    until: dt.datetime | None = None, *, members: bool | None = None
) -> ColumnElement[bool]:
    """The condition "this value row is in force" (now, or at ``until``), for a select on
    :class:`Value`: the one rule every reader of values in force uses (``members`` as in
    :func:`in_force_ids`)."""
    return Value.id.in_(in_force_ids(until, members=members))


def _value_select() -> Any:
    return select(
        Value.indicator,
        Value.service,
        Value.period,
        Value.value,
        Value.stage,
        Value.comment,
        Value.submission_id,
        Value.sheet,
        Value.row,
        Submission.filename,
        Submission.uploaded_by,
        Submission.uploaded_at,
        Submission.service.label("sub_service"),
        Submission.period.label("sub_period"),
        Submission.id.label("sub_id"),
    ).join(Submission, Submission.id == Value.submission_id)


def _finish_values(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        out = pd.DataFrame({c: pd.Series(dtype="object") for c in VALUE_COLUMNS})
        out["value"] = out["value"].astype(float)
        out["year"] = out["year"].astype(int)
        out["quarter"] = out["quarter"].astype(int)
        out["uploaded_at"] = pd.to_datetime(out["uploaded_at"], utc=True)
        return out
    frame["value"] = frame["value"].astype(float)
    split = frame["period"].str.split("-T", n=1, expand=True)
    frame["year"] = split[0].astype(int)
    frame["quarter"] = split[1].astype(int)
    return frame[VALUE_COLUMNS].reset_index(drop=True)


# the columns of ``_value_select()`` (the value, its provenance and its submission's key)
SELECTED_COLUMNS = [
    "indicator",
    "service",
    "period",
    "value",
    "stage",
    "comment",
    "submission_id",
    "sheet",
    "row",
    "filename",
    "uploaded_by",
    "uploaded_at",
    "sub_service",
    "sub_period",
    "sub_id",
]


def values_frame(engine: Engine, as_of: dt.datetime | None = None) -> pd.DataFrame:
    """The totals in force as reported (now, or as they stood at ``as_of``), one row per
    value; the breakdown members are in :func:`member_values_frame`."""
    stmt = _value_select().where(in_force(as_of, members=TOTALS_ONLY))
    frame = _frame(engine, stmt, SELECTED_COLUMNS)
    if frame.empty:
        return _finish_values(frame)
    frame = frame.sort_values(["indicator", "period", "service"], kind="stable")
    return _finish_values(frame)


def submissions_frame(engine: Engine, as_of: dt.datetime | None = None) -> pd.DataFrame:
    """Every submission, history included (only those uploaded by ``as_of`` when given)."""
    stmt = select(
        Submission.id,
        Submission.service,
        Submission.period,
        Submission.filename,
        Submission.sha256,
        Submission.size_bytes,
        Submission.uploaded_by,
        Submission.uploaded_at,
        Submission.source,
        Submission.status,
        Submission.superseded_by_id,
        Submission.supersedes_id,
        Submission.row_count,
    ).order_by(Submission.uploaded_at, Submission.id)
    if as_of is not None:
        stmt = stmt.where(Submission.uploaded_at <= as_utc(as_of))
    frame = _frame(engine, stmt, SUBMISSION_COLUMNS)
    if as_of is not None and not frame.empty:
        # status as it stood then: the latest of each (service, period) was current
        latest = frame.groupby(["service", "period"])["id"].transform("last")
        frame["status"] = (frame["id"] == latest).map(
            {True: SubmissionStatus.CURRENT, False: SubmissionStatus.SUPERSEDED}
        )
        frame["superseded_by_id"] = frame["superseded_by_id"].where(frame["id"] != latest, None)
    for column in ("superseded_by_id", "supersedes_id"):
        frame[column] = frame[column].astype("Int64")
    return frame


MEMBER_COLUMNS = [*VALUE_COLUMNS, "member_key", "numerator", "denominator"]


def member_values_frame(engine: Engine, as_of: dt.datetime | None = None) -> pd.DataFrame:
    """The breakdown members in force (now, or at ``as_of``): the columns of
    :func:`values_frame` and ``member_key``, ``numerator``, ``denominator``."""
    stmt = (
        _value_select()
        .add_columns(Value.member_key, Value.numerator, Value.denominator)
        .where(in_force(as_of, members=MEMBERS_ONLY))
    )
    columns = [*SELECTED_COLUMNS, "member_key", "numerator", "denominator"]
    frame = _frame(engine, stmt, columns)
    extra = frame[["member_key", "numerator", "denominator"]].copy()
    if not frame.empty:
        order = frame.sort_values(["indicator", "period", "member_key", "service"]).index
        frame, extra = frame.loc[order], extra.loc[order]
    out = _finish_values(frame)
    out["member_key"] = extra["member_key"].astype(str).to_numpy()
    for column in ("numerator", "denominator"):
        out[column] = pd.to_numeric(extra[column], errors="coerce").astype(float).to_numpy()
    return out[MEMBER_COLUMNS]


def value_history(
    engine: Engine, indicator: str, period: str, member_key: str = ""
) -> pd.DataFrame:
    """Every stored version of one indicator's value for one quarter (of its total, or of
    the members ``member_key``), oldest first."""
    stmt = (
        select(
            Value.indicator,
            Value.service,
            Value.period,
            Value.value,
            Value.stage,
            Value.comment,
            Value.submission_id,
            Value.sheet,
            Value.row,
            Value.column,
            Value.cleared,
            Submission.filename,
            Submission.uploaded_by,
            Submission.uploaded_at,
            Submission.source,
            Submission.status,
        )
        .join(Submission, Submission.id == Value.submission_id)
        .where(
            Value.indicator == indicator,
            Value.period == period,
            Value.member_key == member_key,
        )
        .order_by(Submission.uploaded_at, Submission.id)
    )
    columns = [
        "indicator",
        "service",
        "period",
        "value",
        "stage",
        "comment",
        "submission_id",
        "sheet",
        "row",
        "column",
        "cleared",
        "filename",
        "uploaded_by",
        "uploaded_at",
        "source",
        "status",
    ]
    frame = _frame(engine, stmt, columns)
    frame["value"] = frame["value"].astype(float)
    return frame


def data_generation(engine: Engine) -> int:
    """A counter bumped by every import: caches key on it."""
    with engine.connect() as conn:
        value = conn.execute(select(func.max(DataGeneration.generation))).scalar()
    return int(value or 0)


def submission_content(engine: Engine, submission_id: int) -> tuple[str, bytes]:
    """The original file of a submission: (file name, bytes). KeyError if there is none."""
    with engine.connect() as conn:
        row = conn.execute(
            select(Submission.filename, Submission.content).where(Submission.id == submission_id)
        ).first()
    if row is None:
        raise KeyError(submission_id)
    return row.filename, bytes(row.content)
