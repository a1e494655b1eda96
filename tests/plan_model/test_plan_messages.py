"""Every message of the plan loader and the plan CLI is translated into Catalan and Spanish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from i18n import _catalog, gettext
from plan_model.loader import _PYDANTIC_MESSAGES

REPO = Path(__file__).resolve().parent.parent.parent
SOURCES = ["plan_model/loader.py", "cli/plan.py"]


def msgids() -> list[str]:
    found: set[str] = set(_PYDANTIC_MESSAGES.values())
    for source in SOURCES:
        for _lineno, message, _comments, _context in extract_from_file(
            "python", str(REPO / source), keywords={"_": None, "gettext": None}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return sorted(found)


def test_messages_were_found() -> None:
    assert len(msgids()) > 40


@pytest.mark.parametrize("lang", ["ca", "es"])
def test_every_message_is_translated(lang: str) -> None:
    catalog = _catalog(lang)
    missing = [m for m in msgids() if not catalog.get(m)]
    assert missing == []


@pytest.mark.parametrize("lang", ["ca", "es"])
def test_translations_keep_the_placeholders(lang: str) -> None:
    catalog = _catalog(lang)
    for msgid in msgids():
        assert set(re.findall(r"\{(\w+)\}", catalog[msgid])) == set(
            re.findall(r"\{(\w+)\}", msgid)
        ), msgid


def test_catalan_and_spanish_wording() -> None:
    msgid = "Indicator {code}: the baseline {value} is outside its bounds ({bounds})."
    kwargs = {"code": "P2.01-I1", "value": "140", "bounds": "0 – 100"}
    assert gettext(msgid, "ca", **kwargs) == (
        "Indicador P2.01-I1: el valor de referència 140 és fora dels límits (0 – 100)."
    )
    assert gettext(msgid, "es", **kwargs) == (
        "Indicador P2.01-I1: el valor de referencia 140 está fuera de los límites (0 – 100)."
    )
    assert gettext(msgid, "en", **kwargs) == (
        "Indicator P2.01-I1: the baseline 140 is outside its bounds (0 – 100)."
    )
