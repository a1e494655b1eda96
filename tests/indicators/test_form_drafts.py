"""Drafts of the browser form (issue 17), on SQLite and PostgreSQL: one per service and quarter,
replaced by each save with who and when, read back as saved, dropped once sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from indicators.storage.drafts import DraftEntry, discard_draft, load_draft, save_draft
from indicators.storage.schema import FormDraft

AT = dt.datetime(2025, 7, 3, 8, 30, tzinfo=dt.UTC)
ROWS = [DraftEntry("P2.05-I1", "1.234,5", "hores"), DraftEntry("P3.04-I2", "iniciat", "")]


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(FormDraft)).scalar_one())


def test_a_saved_draft_is_read_back_with_who_and_when(engine: Engine) -> None:
    assert load_draft(engine, "SAD", "2025-T2") is None
    saved = save_draft(engine, "SAD", "2025-T2", ROWS, user="tec", at=AT)
    draft = load_draft(engine, "SAD", "2025-T2")
    assert draft == saved
    assert draft is not None
    assert draft.entries == tuple(ROWS)
    assert (draft.saved_by, draft.saved_at) == ("tec", AT)
    assert draft.saved_at.tzinfo is not None
    assert load_draft(engine, "SAD", "2025-T3") is None  # per quarter
    assert load_draft(engine, "SIS", "2025-T2") is None  # and per service


def test_a_new_save_replaces_the_draft(engine: Engine) -> None:
    save_draft(engine, "SAD", "2025-T2", ROWS, user="tec", at=AT)
    later = AT + dt.timedelta(hours=2)
    save_draft(engine, "SAD", "2025-T2", ROWS[:1], user="ana", at=later)
    save_draft(engine, "SAD", "2025-T3", ROWS, user="tec", at=AT)
    draft = load_draft(engine, "SAD", "2025-T2")
    assert draft is not None
    assert (draft.entries, draft.saved_by, draft.saved_at) == (tuple(ROWS[:1]), "ana", later)
    assert _count(engine) == 2


def test_a_sent_draft_is_dropped(engine: Engine) -> None:
    save_draft(engine, "SAD", "2025-T2", ROWS, user="tec", at=AT)
    assert discard_draft(engine, "SAD", "2025-T2") is True
    assert load_draft(engine, "SAD", "2025-T2") is None
    assert discard_draft(engine, "SAD", "2025-T2") is False


def test_long_names_and_unicode_are_kept(engine: Engine) -> None:
    rows = [DraftEntry("P2.05-I1", "", "Sessió «grupal» — àvies i néts")]
    save_draft(engine, "SAD", "2025-T2", rows, user="x" * 100, at=AT)
    draft = load_draft(engine, "SAD", "2025-T2")
    assert draft is not None
    assert draft.entries == tuple(rows) and draft.saved_by == "x" * 64


def test_rows_edited_by_hand_that_are_not_rows_are_skipped(engine: Engine) -> None:
    save_draft(engine, "SAD", "2025-T2", ROWS, user="tec", at=AT)
    with engine.begin() as conn:
        conn.execute(
            FormDraft.__table__.update().values(  # type: ignore[attr-defined]
                entries=[{"code": "P2.05-I1", "value": 3, "comment": ""}, "x", ROWS[1].to_json()]
            )
        )
    draft = load_draft(engine, "SAD", "2025-T2")
    assert draft is not None and draft.entries == (ROWS[1],)
