"""``/auditoria`` shows readable details and local times, not raw Python and ISO UTC."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.reporting.audit_text import details_text, local_time


def test_details_are_readable_catalan() -> None:
    text = details_text(
        {
            "role": "tecnic",
            "services": ["SIS", "SIAD"],
            "is_demo": True,
            "superseded_id": None,
            "submission_id": 1234,
            "error_count": 0,
            "values": [{"a": 1}],
            "reason": "wrong_password",
        },
        "ca",
    )
    assert text == (
        "Rol: tecnic · Serveis: SIS, SIAD · Compte de demostració: Sí · Lliurament: 1234"
        " · Errors: 0 · Motiu: Contrasenya incorrecta"
    )
    assert "None" not in text and "True" not in text and "values" not in text
    assert details_text(None, "ca") == ""


def test_times_are_local_in_catalan_format() -> None:
    winter = dt.datetime(2025, 12, 2, 13, 1, 5)  # stored naive UTC: 14:01 in Madrid
    assert local_time(pd.Timestamp(winter), "ca") == "2 de des. 2025, 14:01:05"
    summer = dt.datetime(2025, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert local_time(summer, "ca").endswith("10:00:00")
    assert local_time(None, "ca") == "–"
