"""Catalan elision of the preposition *de* before a filled-in name.

A Catalan message such as ``"Lliurament de {service}"`` reads "Lliurament de SIAD" but must read
"Lliurament d'ACTIVAT" or "Recordatori d'Espais Activa't" when the name starts with a vowel sound.
The rule lives here, once, and :func:`i18n.gettext` applies it to every Catalan message: *de*
followed by a placeholder becomes *d'* when the value starts with a vowel or with *h* and a vowel,
except before the semivowels of *ia, ie, io, iu, ua, ue, ui, uo* (and *hi-*, *hu-* + vowel), as
the Institut d'Estudis Catalans' grammar prescribes ("de iogurt", "de hiena", "d'Osona").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

_DE_PLACEHOLDER = re.compile(r"\b([Dd])e \{(\w+)\}")
_VOWELS = frozenset("aeiou")


def _plain(text: str) -> str:
    """Lower-case letters without accents (``Èric`` → ``eric``)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def starts_with_vowel_sound(word: str) -> bool:
    """Whether Catalan elides *de*/*la*/*el* before ``word`` (``Osona``, ``hospital``, ``EAIA``)."""
    letters = _plain(word.lstrip("«\"'("))
    if letters.startswith("h"):
        letters = letters[1:]
    if not letters or letters[0] not in _VOWELS:
        return False
    semivowel = letters[0] in "iu" and len(letters) > 1 and letters[1] in _VOWELS
    # Acronyms read letter by letter or as a word (IAE, UAB) still elide: "d'IAE", "d'UAB".
    return not semivowel or word[:2].isupper()


def elide(template: str, values: Mapping[str, object]) -> str:
    """``template`` with ``de {name}`` turned into ``d'{name}`` where ``values[name]`` asks it."""

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(2))
        if isinstance(value, str) and starts_with_vowel_sound(value):
            return f"{match.group(1)}'{{{match.group(2)}}}"
        return match.group(0)

    return _DE_PLACEHOLDER.sub(replace, template)
