"""Catalan elision of *de* before a name (issue 16: "de ACTIVAT" → "d'ACTIVAT")."""

from __future__ import annotations

import pytest

from i18n import gettext
from i18n.elision import elide, starts_with_vowel_sound


@pytest.mark.parametrize(
    ("word", "elides"),
    [
        ("ACTIVAT", True),
        ("Espais Activa't", True),
        ("Osona", True),
        ("hospital", True),
        ("Èric", True),
        ("EAIA", True),
        ("IAE", True),
        ("SIAD", False),
        ("Vic", False),
        ("iogurt", False),  # semivowel: "de iogurt"
        ("hiena", False),  # h + semivowel: "de hiena"
        ("2025-T3", False),
        ("", False),
    ],
)
def test_vowel_sound(word: str, elides: bool) -> None:
    assert starts_with_vowel_sound(word) is elides


def test_elide_only_the_placeholders_that_ask_it() -> None:
    template = "Lliurament de {a}, de {b} i De {c}"
    assert elide(template, {"a": "ACTIVAT", "b": "SIAD", "c": "Osona"}) == (
        "Lliurament d'{a}, de {b} i D'{c}"
    )


def test_gettext_elides_in_catalan_only() -> None:
    msgid = "Submission number {id} of {service} for {period} accepted."
    ca = gettext(msgid, "ca", id=3, service="ACTIVAT", period="2025-T3")
    assert "d'ACTIVAT" in ca and "de ACTIVAT" not in ca
    assert "de SIAD" in gettext(msgid, "ca", id=3, service="SIAD", period="2025-T3")
    assert "ACTIVAT" in gettext(msgid, "es", id=3, service="ACTIVAT", period="2025-T3")
