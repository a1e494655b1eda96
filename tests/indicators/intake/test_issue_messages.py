"""The intake's issue messages: one table from issue code to message, translated."""

from __future__ import annotations

import re

import pytest

from i18n import _catalog, gettext
from indicators.intake.issues import MESSAGES, IssueMaker
from indicators.intake.validate import FILE_RULES, ROW_RULES

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("lang", ["ca", "es"])
def test_every_message_is_translated(lang: str) -> None:
    catalog = _catalog(lang)
    assert [code for code, msgid in MESSAGES.items() if not catalog.get(msgid)] == []


@pytest.mark.parametrize("lang", ["ca", "es"])
def test_translations_keep_the_placeholders(lang: str) -> None:
    catalog = _catalog(lang)
    for code, msgid in MESSAGES.items():
        assert set(PLACEHOLDER.findall(catalog[msgid])) == set(PLACEHOLDER.findall(msgid)), code


def test_an_issue_takes_its_message_from_the_table() -> None:
    issue = IssueMaker("ca")("not_a_number", sheet="Dades", row=7, column="E", value="molts")
    assert issue.message == "«molts» no és un nombre."
    assert issue.message == gettext(MESSAGES["not_a_number"], "ca", value="molts")
    assert (issue.code, issue.sheet, issue.row, issue.column, issue.value) == (
        "not_a_number",
        "Dades",
        7,
        "E",
        "molts",
    )


def test_a_message_of_its_own_wins_over_the_table() -> None:
    issue = IssueMaker("en")("not_a_number", "Cell {column} is odd.", column="E")
    assert issue.message == "Cell E is odd."


def test_the_rules_are_small_named_functions() -> None:
    names = [rule.__name__ for rule in (*FILE_RULES, *ROW_RULES)]
    assert len(names) == len(set(names)) >= 10
    assert all(rule.__doc__ for rule in (*FILE_RULES, *ROW_RULES))
