"""Publishing a quarter (issue 19): only a director, only a locked quarter, idempotent,
unpublishing kept in the history, reopening refused while published, every change audited
(SQLite and PostgreSQL)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from accounts import approvals, audit, publications, users
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from indicators.reporting.audit_text import ACTION_LABELS
from indicators.storage import cache, locks
from indicators.storage import publications as stored
from indicators.storage.engine import transaction
from indicators.storage.schema import PublishedQuarter

PERIOD = "2025-T2"
REPO = Path(__file__).resolve().parents[2]


def _locked(engine: Engine, period: str = PERIOD) -> None:
    assert approvals.lock_period(engine, period, by=Actor.operator("op"))


def _actions(engine: Engine) -> list[tuple[str, str, str, dict[str, object]]]:
    frame = audit.audit_frame(
        engine, action=[audit.ACTION_PUBLISH, audit.ACTION_UNPUBLISH], limit=None
    )
    rows = zip(frame["username"], frame["action"], frame["target"], frame["details"], strict=True)
    return list(reversed(list(rows)))  # oldest first


def test_a_quarter_that_is_not_locked_is_refused_with_the_reason(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    with pytest.raises(AccountError) as refused:
        publications.publish_period(engine, PERIOD, by="boss")
    assert "no està tancat" in refused.value.message("ca")
    assert "Primer cal tancar-lo" in refused.value.message("ca")
    assert "is not locked" in refused.value.message("en")
    assert publications.published_periods(engine) == {}
    assert _actions(engine) == []


def test_publish_is_idempotent_and_audited(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    _locked(engine)
    before = cache.current_generation(engine)
    info = publications.publish_period(engine, "2025t2", by="boss", reason="  Comissió  ")
    assert info is not None and info.period == PERIOD and info.published_by == "boss"
    assert info.in_force and info.published_at.tzinfo is not None
    assert cache.current_generation(engine) > before  # cached pages refresh
    assert publications.publish_period(engine, PERIOD, by="boss") is None  # nothing changes
    assert list(publications.published_periods(engine)) == [PERIOD]
    assert _actions(engine) == [
        ("boss", "period_publish", PERIOD, {"plan_id": "coss-2022-2025", "reason": "Comissió"})
    ]


def test_unpublish_keeps_the_history_of_what_was_public_when(engine: Engine) -> None:
    _locked(engine)
    _locked(engine, "2025-T1")
    operator = Actor.operator("maria")
    first = publications.publish_period(engine, PERIOD, by=operator)
    publications.publish_period(engine, "2025-T1", by=operator)
    assert first is not None
    withdrawn = publications.unpublish_period(engine, PERIOD, by=operator, reason="errada")
    assert withdrawn is not None and withdrawn.id == first.id and not withdrawn.in_force
    assert withdrawn.unpublished_by == "maria"
    assert publications.unpublish_period(engine, PERIOD, by=operator) is None  # not published
    assert list(publications.published_periods(engine)) == ["2025-T1"]
    again = publications.publish_period(engine, PERIOD, by=operator)
    assert again is not None and again.id != first.id  # a new row: the old one is kept
    history = stored.publication_history(engine)
    assert [(h.period, h.in_force) for h in history] == [
        (PERIOD, False),
        ("2025-T1", True),
        (PERIOD, True),
    ]
    assert withdrawn.unpublished_at is not None
    between = withdrawn.unpublished_at + (again.published_at - withdrawn.unpublished_at) / 2
    assert stored.published_at_moment(engine, between) == ["2025-T1"]
    assert stored.published_at_moment(engine, first.published_at) == [PERIOD]
    assert stored.published_at_moment(engine, dt.datetime.now(dt.UTC)) == ["2025-T1", PERIOD]
    actions = [(a[1], a[2], a[3]) for a in _actions(engine)]
    assert actions[2] == (
        "period_unpublish",
        PERIOD,
        {"plan_id": "coss-2022-2025", "reason": "errada", "operator": True, "rights": "director"},
    )
    assert [a[0] for a in actions] == ["period_publish"] * 2 + ["period_unpublish"] + [
        "period_publish"
    ]


def test_the_database_keeps_one_publication_in_force(engine: Engine) -> None:
    _locked(engine)
    publications.publish_period(engine, PERIOD, by=Actor.operator("op"))
    with pytest.raises(IntegrityError), transaction(engine) as session:
        session.add(PublishedQuarter(period=PERIOD, published_by="intrus"))


def test_a_publication_at_the_same_moment_changes_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _locked(engine)
    operator = Actor.operator("op")
    assert publications.publish_period(engine, PERIOD, by=operator) is not None
    # the other publication is not seen yet (a concurrent request): the database refuses it
    monkeypatch.setattr(stored, "publication_in_force", lambda *_args, **_kw: None)
    assert publications.publish_period(engine, PERIOD, by=operator) is None
    monkeypatch.undo()
    assert len(stored.publication_history(engine)) == 1
    assert len(_actions(engine)) == 1  # rolled back with its audit row


def test_a_published_quarter_cannot_be_reopened(engine: Engine) -> None:
    operator = Actor.operator("op")
    _locked(engine)
    publications.publish_period(engine, PERIOD, by=operator)
    with pytest.raises(AccountError) as refused:
        approvals.reopen_period(engine, PERIOD, by=operator, reason="correcció")
    assert "està publicat" in refused.value.message("ca")
    assert "Primer cal despublicar-lo" in refused.value.message("ca")
    assert locks.is_locked(engine, PERIOD)
    assert audit.audit_frame(engine, action=audit.ACTION_REOPEN).empty
    publications.unpublish_period(engine, PERIOD, by=operator)
    assert approvals.reopen_period(engine, PERIOD, by=operator)
    assert not locks.is_locked(engine, PERIOD)


@pytest.mark.parametrize("role", ["tecnic", "responsable", "consulta"])
def test_only_a_director_publishes(engine: Engine, role: str) -> None:
    users.create_user(engine, "someone", "longenough", role)
    _locked(engine)
    with pytest.raises(PermissionDenied) as refused:
        publications.publish_period(engine, PERIOD, by="someone")
    assert "Només la direcció pot publicar" in refused.value.message("ca")
    with pytest.raises(PermissionDenied):
        publications.publish_period(engine, PERIOD, by=Actor(name="someone", role=role))
    publications.publish_period(engine, PERIOD, by=Actor.operator("op"))
    with pytest.raises(PermissionDenied):
        publications.unpublish_period(engine, PERIOD, by="someone")
    assert list(publications.published_periods(engine)) == [PERIOD]
    assert [a[1] for a in _actions(engine)] == ["period_publish"]


def test_hostile_quarters_and_unknown_users_are_refused(engine: Engine) -> None:
    _locked(engine)
    for text in ("2025-T9", "'; DROP TABLE published_quarters; --", ""):
        with pytest.raises(AccountError) as refused:
            publications.publish_period(engine, text, by=Actor.operator("op"))
        assert "No és un trimestre" in refused.value.message("ca")
    with pytest.raises(PermissionDenied):
        publications.publish_period(engine, PERIOD, by="nobody")
    assert publications.published_periods(engine) == {}


SOURCES = ["accounts/publications.py", "cli/publish.py", "layouts/pages/management.py"]
KEYWORDS = {"_": None, "t": None, "AccountError": None, "PermissionDenied": None}


def _msgids() -> list[str]:
    from babel.messages.extract import extract_from_file

    page = ast.parse((REPO / "layouts/pages/management.py").read_text(encoding="utf-8"))
    states = next(  # the page's QUARTER_STATES (importing a page needs the app)
        node.value
        for node in page.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "QUARTER_STATES"
    )
    assert isinstance(states, ast.Dict)
    found = {str(ast.literal_eval(v)) for v in states.values}
    for source in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            "python", str(REPO / source), keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return sorted(found)


@pytest.mark.parametrize("lang", ["ca", "es"])
def test_every_message_of_publishing_is_translated(lang: str) -> None:
    from i18n import _catalog

    messages = _msgids()
    assert "Publish the quarter" in messages and len(messages) > 30
    catalog = _catalog(lang)
    assert [m for m in messages if not catalog.get(m)] == []
    for action in (audit.ACTION_PUBLISH, audit.ACTION_UNPUBLISH):
        assert catalog.get(ACTION_LABELS[action])
