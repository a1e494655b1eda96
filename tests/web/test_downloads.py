"""The download routes (web/downloads.py): every file leaves with the same headers, through
one helper, and with a name that cannot break the header or point into a folder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import dash

from indicators.intake.importer import import_file
from indicators.storage.engine import get_engine
from plan_model.models import Plan
from settings import Settings
from web.downloads import attachment

PERIOD = "2025-T2"


def assert_attachment(response: Any, name_part: str) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and "/" not in fallback and "\\" not in fallback
    assert "filename*=UTF-8''" in disposition
    real = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert name_part in real
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def store_sis_submission(db_url: str, plan: Plan) -> int:
    codes = [
        i.code for i in plan.indicators if i.responsible_service == "SIS" and not i.is_milestone
    ]
    rows = "Codi;Període;Valor\n" + "".join(f"{code};{PERIOD};12\n" for code in codes)
    result = import_file(
        get_engine(db_url),
        plan,
        filename="Lliurament «SIS» T2.csv",
        content=rows.encode(),
        user="tec",
        service="SIS",
        period=PERIOD,
        settings=Settings(database_url=db_url),
        source="web",
    )
    assert result.status == "ok" and result.submission_id is not None, result.errors
    return result.submission_id


def test_every_download_route_answers_an_attachment_with_the_same_headers(
    web_app: dash.Dash, client_for: Callable[[str | None], Any], db_url: str, plan: Plan
) -> None:
    submission_id = store_sis_submission(db_url, plan)
    tec = client_for("tec")
    assert_attachment(tec.get("/descarrega/valors?format=xlsx"), ".xlsx")
    assert_attachment(tec.get("/descarrega/valors?format=csv"), ".csv")
    assert_attachment(tec.get(f"/descarrega/plantilla?service=SIS&period={PERIOD}"), "SIS")
    original = tec.get(f"/descarrega/lliurament/{submission_id}")
    assert_attachment(original, "Lliurament «SIS» T2.csv")
    assert original.data.startswith(b"Codi;")
    # the same roles as before: a consulta account gets neither templates nor originals
    guest = client_for("guest")
    assert guest.get(f"/descarrega/plantilla?service=SIS&period={PERIOD}").status_code == 403
    assert guest.get(f"/descarrega/lliurament/{submission_id}").status_code == 403
    assert tec.get("/descarrega/lliurament/999999").status_code == 404
    rules = {
        rule.rule
        for rule in web_app.server.url_map.iter_rules()
        if rule.rule.startswith("/descarrega/")
    }
    assert rules == {
        "/descarrega/informe",
        "/descarrega/valors",
        "/descarrega/plantilla",
        "/descarrega/lliurament/<int:submission_id>",
        "/descarrega/evidencia/<int:attachment_id>",  # issue 17: web/evidence.py
        "/descarrega/objectius",
        "/descarrega/canvis",
        "/descarrega/palanca/<int:number>",
        "/descarrega/objectiu/<code>",
        "/descarrega/avaluacio",  # issue 18: the final evaluation
        "/descarrega/territori",  # issue 14: the ABSS side by side
    }
    # the tables of the pages (issue 16): any logged-in account, through the same helper
    assert_attachment(guest.get("/descarrega/objectius?format=xlsx"), ".xlsx")
    assert_attachment(guest.get("/descarrega/canvis?format=csv"), ".csv")
    assert_attachment(guest.get("/descarrega/palanca/1?format=csv"), ".csv")
    assert_attachment(guest.get(f"/descarrega/objectiu/{plan.objectives[0].code}"), ".csv")
    assert_attachment(guest.get("/descarrega/avaluacio?format=md"), ".md")
    assert_attachment(guest.get("/descarrega/territori?format=csv"), ".csv")


def test_attachment_names_cannot_break_the_header_or_name_a_folder() -> None:
    response = attachment(
        '..\\secrets/../Informe "Junta"\r\nSet-Cookie: x=1 «2025».pdf', b"%PDF", "application/pdf"
    )
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    fallback = disposition.split('filename="', 1)[1].split('"; ', 1)[0]
    assert fallback.isascii() and '"' not in fallback and "/" not in fallback
    real = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert real == 'Informe "Junta"Set-Cookie: x=1 «2025».pdf'  # no folder, no line break
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert attachment("", b"x", "text/plain").headers["Content-Disposition"] == (
        "attachment; filename=\"fitxer\"; filename*=UTF-8''fitxer"
    )
