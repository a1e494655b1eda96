"""The evidence download (``/descarrega/evidencia/<id>``, issue 17): an attachment with the
sniffed content type, ``nosniff`` and ``no-store``, for the staff only; the read-only
accounts are refused, an anonymous request is sent to log in, and an unknown, removed or
link attachment answers 404 (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash

from accounts import evidence as accounts_evidence
from indicators.intake.evidence_intake import attach_file, attach_link
from indicators.storage.engine import get_engine
from plan_model.evidence import EvidenceKey
from plan_model.models import Plan
from settings import Settings
from tests.web.test_downloads import assert_attachment

KEY = EvidenceKey("P1.06-I2", "2025-T3", "SIS")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"<script>alert(1)</script>"


def _png(db_url: str, plan: Plan) -> int:
    info = attach_file(
        get_engine(db_url),
        plan,
        Settings(),
        KEY,
        title="Foto de l'acta",
        filename="acta «signada».png",
        content=PNG,
        by="tec",
    )
    return info.id


def test_a_document_downloads_as_an_attachment_of_its_sniffed_type(
    web_app: dash.Dash, client_for: Callable[[str | None], Any], db_url: str, plan: Plan
) -> None:
    attachment_id = _png(db_url, plan)
    for who in ("tec", "boss"):
        response = client_for(who).get(f"/descarrega/evidencia/{attachment_id}")
        assert_attachment(response, "acta «signada».png")
        assert response.mimetype == "image/png"
        assert response.get_data() == PNG


def test_readers_and_anonymous_visitors_are_refused(
    web_app: dash.Dash, client_for: Callable[[str | None], Any], db_url: str, plan: Plan
) -> None:
    attachment_id = _png(db_url, plan)
    refused = client_for("guest").get(f"/descarrega/evidencia/{attachment_id}")
    assert refused.status_code == 403
    assert PNG not in refused.get_data()
    anonymous = client_for(None).get(f"/descarrega/evidencia/{attachment_id}")
    assert anonymous.status_code in (302, 401)
    assert PNG not in anonymous.get_data()


def test_unknown_removed_and_link_attachments_answer_404(
    web_app: dash.Dash, client_for: Callable[[str | None], Any], db_url: str, plan: Plan
) -> None:
    tec = client_for("tec")
    assert tec.get("/descarrega/evidencia/987654").status_code == 404
    assert tec.get("/descarrega/evidencia/abc").status_code == 404
    link = attach_link(
        get_engine(db_url), plan, KEY, title="Acord", url="https://exemple.cat/acord", by="tec"
    )
    assert tec.get(f"/descarrega/evidencia/{link.id}").status_code == 404
    attachment_id = _png(db_url, plan)
    accounts_evidence.remove(get_engine(db_url), attachment_id, by="tec")
    assert tec.get(f"/descarrega/evidencia/{attachment_id}").status_code == 404
