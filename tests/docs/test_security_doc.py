"""docs/security.md names the real settings, with their real defaults (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

from settings import REPO_ROOT, Settings

DOC = REPO_ROOT / "docs" / "security.md"
CODE = (REPO_ROOT / "indicators" / "intake" / "sandbox.py", REPO_ROOT / "web" / "headers.py")
NAME = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`")
WITH_DEFAULT = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)` \((\d[\d.]*)[,)]")


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_name_the_security_doc_gives_is_a_setting_or_in_the_code() -> None:
    code = "".join(Path(p).read_text(encoding="utf-8") for p in CODE)
    names = set(NAME.findall(_doc()))
    assert {"SESSION_HOURS", "READ_MEMORY_LIMIT_MB", "LOGIN_MAX_FAILURES"} <= names
    unknown = {n for n in names if n.lower() not in Settings.model_fields and n not in code}
    assert not unknown


def test_the_documented_defaults_are_the_codes() -> None:
    pairs = WITH_DEFAULT.findall(_doc())
    assert len(pairs) >= 10
    for name, documented in pairs:
        field = Settings.model_fields.get(name.lower())
        assert field is not None, name
        assert float(documented) == float(field.default), (name, documented, field.default)
