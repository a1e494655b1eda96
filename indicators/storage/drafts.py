"""Drafts of the browser form (issue 17): what a service typed for a quarter, not yet sent.

One draft per service and quarter (``form_drafts``, unique), written in one statement that
inserts or replaces it on both backends (``ON CONFLICT DO UPDATE``), so two people saving at
the same time never make two drafts: the last save wins, and the draft says who saved it and
when. A draft is not data of the plan (no page reads it, the data generation is not bumped);
it is dropped when its values are sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from indicators.storage.queries import as_utc
from indicators.storage.schema import FormDraft

USER_LENGTH = 64  # the ``saved_by`` column


@dataclass(frozen=True, slots=True)
class DraftEntry:
    """One row of a draft: an indicator's value and comment as typed (``""``: left blank)."""

    code: str
    value: str
    comment: str

    def to_json(self) -> dict[str, str]:
        """The entry as stored in the draft's JSON list."""
        return {"code": self.code, "value": self.value, "comment": self.comment}


@dataclass(frozen=True, slots=True)
class Draft:
    """A saved draft: the service, the quarter, its rows, and who saved it last and when."""

    service: str
    period: str
    entries: tuple[DraftEntry, ...]
    saved_by: str
    saved_at: dt.datetime


def _entries(raw: Any) -> tuple[DraftEntry, ...]:
    """The rows of a stored draft (a row that is not one, e.g. edited by hand, is skipped)."""
    if not isinstance(raw, list):
        return ()
    rows = []
    for item in raw:
        if isinstance(item, dict) and all(
            isinstance(item.get(k), str) for k in ("code", "value", "comment")
        ):
            rows.append(DraftEntry(item["code"], item["value"], item["comment"]))
    return tuple(rows)


def save_draft(
    engine: Engine,
    service: str,
    period: str,
    entries: Sequence[DraftEntry],
    *,
    user: str,
    at: dt.datetime | None = None,
) -> Draft:
    """Save ``entries`` as ``service``'s draft for ``period``, replacing the one saved before."""
    moment = as_utc(at or dt.datetime.now(dt.UTC))
    saved_by = user[:USER_LENGTH]
    values: dict[str, object] = {
        "service": service,
        "period": period,
        "entries": [e.to_json() for e in entries],
        "saved_by": saved_by,
        "saved_at": moment,
    }
    table = FormDraft.__table__
    assert isinstance(table, Table)
    with engine.begin() as conn:
        stmt: postgresql.Insert | sqlite.Insert
        if conn.dialect.name == "postgresql":
            stmt = postgresql.insert(table).values(**values)
        else:
            stmt = sqlite.insert(table).values(**values)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["service", "period"],
                set_={k: values[k] for k in ("entries", "saved_by", "saved_at")},
            )
        )
    return Draft(service, period, tuple(entries), saved_by, moment)


def load_draft(engine: Engine, service: str, period: str) -> Draft | None:
    """``service``'s draft for ``period``, or None when none is saved."""
    with engine.connect() as conn:
        row = conn.execute(
            select(FormDraft.entries, FormDraft.saved_by, FormDraft.saved_at).where(
                FormDraft.service == service, FormDraft.period == period
            )
        ).first()
    if row is None:
        return None
    return Draft(service, period, _entries(row.entries), row.saved_by, as_utc(row.saved_at))


def discard_draft(engine: Engine, service: str, period: str) -> bool:
    """Drop ``service``'s draft for ``period`` (its values were sent); whether there was one."""
    with engine.begin() as conn:
        result = conn.execute(
            delete(FormDraft).where(FormDraft.service == service, FormDraft.period == period)
        )
    return bool(result.rowcount)
