"""Evidence attachments (issue 17): who may attach and remove is checked inside the domain
functions; a locked quarter refuses both; every attach and removal is audited; removing
marks the row and keeps the bytes and the history (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from accounts import audit, users
from accounts import evidence as accounts_evidence
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from indicators.intake.evidence_intake import attach_file, attach_link
from indicators.intake.safety import UnsafeFile
from indicators.storage import evidence as stored
from indicators.storage import locks
from indicators.storage.engine import transaction
from indicators.storage.evidence import EvidenceInfo
from plan_model.evidence import EvidenceKey
from plan_model.models import Plan
from settings import Settings

KEY = EvidenceKey("P1.06-I2", "2025-T3", "SBAS-COSS")  # a milestone of SBAS-COSS
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _link(engine: Engine, plan: Plan, by: users.Acting, title: str = "Acord") -> EvidenceInfo:
    return attach_link(engine, plan, KEY, title=title, url="https://exemple.cat/acord", by=by)


def _pdf(engine: Engine, plan: Plan, by: users.Acting) -> EvidenceInfo:
    return attach_file(
        engine, plan, Settings(), KEY, title="Protocol", filename="protocol.pdf", content=PDF, by=by
    )


def _events(engine: Engine, action: str) -> list[dict[str, object]]:
    frame = audit.audit_frame(engine, action=[action]).iloc[::-1]  # oldest first
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


@pytest.mark.parametrize("role", ["tecnic", "responsable"])
def test_the_values_own_service_attaches_files_and_links(
    engine: Engine, plan: Plan, role: str
) -> None:
    users.create_user(engine, "own", "longenough", role, ["SBAS-COSS"])
    link = _link(engine, plan, "own")
    document = _pdf(engine, plan, "own")
    assert (link.kind, link.url, link.added_by) == ("link", "https://exemple.cat/acord", "own")
    assert (document.kind, document.content_type, document.size) == (
        "file",
        "application/pdf",
        len(PDF),
    )
    assert stored.attachment_content(engine, document.id) == PDF
    assert [a.id for a in stored.attachments(engine, indicators=[KEY.indicator])] == [
        link.id,
        document.id,
    ]
    assert stored.attached_keys(engine, period=KEY.period) == {KEY}
    events = _events(engine, accounts_evidence.ACTION_EVIDENCE_ATTACH)
    assert [e["username"] for e in events] == ["own", "own"]
    details = events[-1]["details"]
    assert isinstance(details, dict)
    assert details["attachment_id"] == document.id
    assert details["sha256"] == document.sha256 and details["service"] == "SBAS-COSS"


@pytest.mark.parametrize(
    ("role", "services"), [("tecnic", ["SIS"]), ("responsable", ["SIS"]), ("consulta", [])]
)
def test_anyone_else_is_refused_inside_the_domain_function(
    engine: Engine, plan: Plan, role: str, services: list[str]
) -> None:
    users.create_user(engine, "other", "longenough", role, services)
    with pytest.raises(PermissionDenied) as caught:
        _link(engine, plan, "other")
    assert "Només la direcció o un tècnic o responsable de SBAS-COSS" in caught.value.message()
    assert stored.attachments(engine) == []
    assert _events(engine, accounts_evidence.ACTION_EVIDENCE_ATTACH) == []


def test_a_director_and_the_operator_attach_for_any_service(engine: Engine, plan: Plan) -> None:
    users.create_user(engine, "dir", "longenough", "director")
    assert _link(engine, plan, "dir").added_by == "dir"
    operator = _link(engine, plan, Actor.operator("cron"))
    assert operator.added_by == "cron"
    [_first, last] = _events(engine, accounts_evidence.ACTION_EVIDENCE_ATTACH)
    assert isinstance(last["details"], dict) and last["details"]["operator"] is True


def test_a_locked_quarter_refuses_attaching_and_removing(engine: Engine, plan: Plan) -> None:
    users.create_user(engine, "own", "longenough", "tecnic", ["SBAS-COSS"])
    kept = _link(engine, plan, "own")
    with transaction(engine) as session:
        locks.set_lock(session, KEY.period, locked=True, by="dir")
    with pytest.raises(AccountError) as caught:
        _link(engine, plan, "own")
    assert "el 3r trimestre de 2025 està tancat" in caught.value.message()
    with pytest.raises(AccountError):
        _pdf(engine, plan, "own")
    with pytest.raises(AccountError):
        accounts_evidence.remove(engine, kept.id, by="own")
    assert [a.id for a in stored.attachments(engine)] == [kept.id]


def test_removing_marks_the_row_and_keeps_the_history(engine: Engine, plan: Plan) -> None:
    users.create_user(engine, "own", "longenough", "tecnic", ["SBAS-COSS"])
    users.create_user(engine, "other", "longenough", "tecnic", ["SIS"])
    document = _pdf(engine, plan, "own")
    with pytest.raises(PermissionDenied):
        accounts_evidence.remove(engine, document.id, by="other")
    removed = accounts_evidence.remove(engine, document.id, by="own")
    assert removed.removed_by == "own" and removed.removed_at is not None
    assert stored.attachments(engine) == []
    assert stored.attached_keys(engine) == set()
    [history] = stored.attachments(engine, history=True)
    assert history.id == document.id and not history.in_force
    assert stored.attachment_content(engine, document.id) == PDF  # nothing is destroyed
    [event] = _events(engine, accounts_evidence.ACTION_EVIDENCE_REMOVE)
    assert event["username"] == "own" and event["target"] == "P1.06-I2 2025-T3 SBAS-COSS"
    with pytest.raises(AccountError) as caught:
        accounts_evidence.remove(engine, document.id, by="own")
    assert "ja s'havia retirat" in caught.value.message()
    with pytest.raises(AccountError):
        accounts_evidence.remove(engine, 999_999, by="own")


def test_replacing_marks_the_earlier_attachment_superseded(engine: Engine, plan: Plan) -> None:
    users.create_user(engine, "own", "longenough", "tecnic", ["SBAS-COSS"])
    first = _link(engine, plan, "own", "Esborrany")
    new = stored.NewAttachment(kind="link", title="Acord final", url="https://exemple.cat/final")
    second = accounts_evidence.attach(engine, plan, KEY, new, by="own", replaces=first.id)
    assert [a.id for a in stored.attachments(engine)] == [second.id]
    old = stored.attachment(engine, first.id)
    assert old is not None and old.superseded_by_id == second.id
    with pytest.raises(AccountError):  # a replaced one cannot be replaced again
        accounts_evidence.attach(engine, plan, KEY, new, by="own", replaces=first.id)


def test_bad_titles_keys_and_files_are_refused(engine: Engine, plan: Plan) -> None:
    users.create_user(engine, "dir", "longenough", "director")
    with pytest.raises(AccountError) as caught:
        _link(engine, plan, "dir", title="  \x00 ")
    assert "necessita un títol" in caught.value.message()
    with pytest.raises(AccountError) as caught:
        _link(engine, plan, "dir", title="x" * 201)
    assert "com a màxim 200 caràcters" in caught.value.message()
    wrong = EvidenceKey("P9.99-I9", KEY.period, KEY.service)
    with pytest.raises(AccountError):
        attach_link(engine, plan, wrong, title="Acord", url="https://exemple.cat", by="dir")
    with pytest.raises(UnsafeFile):
        attach_link(engine, plan, KEY, title="Acord", url="javascript:alert(1)", by="dir")
    with pytest.raises(UnsafeFile):
        attach_file(
            engine, plan, Settings(), KEY, title="A", filename="a.pdf", content=b"<html>", by="dir"
        )
    assert stored.attachments(engine, history=True) == []
