"""One translation per message: every ``.po`` file of a language is merged into one catalog
(``i18n._catalog``), so a msgid translated differently in two files would show whichever file
loads last, everywhere — the audit log's «Objecte» read «Meta». Give each meaning its own msgid."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from i18n import LOCALE_DIR


@pytest.mark.parametrize("lang", ["ca", "es", "en"])
def test_no_message_has_two_translations(lang: str) -> None:
    seen: dict[str, tuple[str, Path]] = {}
    clashes = []
    for po_file in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if not message.id or message.fuzzy or not message.string:
                continue
            msgid = message.id if isinstance(message.id, str) else str(message.id[0])
            text = message.string if isinstance(message.string, str) else str(message.string[0])
            if msgid in seen and seen[msgid][0] != text:
                clashes.append(
                    f"{msgid!r}: {seen[msgid][1].name} {seen[msgid][0]!r}, {po_file.name} {text!r}"
                )
            seen.setdefault(msgid, (text, po_file))
    assert clashes == []
