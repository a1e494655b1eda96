"""Message catalogs and locale formats (Catalan first, Spanish and English too).

Catalogs are gettext ``.po`` files under ``i18n/locales/<lang>/LC_MESSAGES/``; every ``.po``
file of a language is merged, so each part of the app keeps its own catalog
(``plan.po``, ``import.po``, ``web.po``...). Message ids are English; ``ca`` is the default.
They are read with Babel at first use: no compile step.

Use ``gettext(msgid, lang)`` / ``_`` (Catalan) / ``translator(lang)`` for text, and
``format_number`` / ``format_percent`` / ``format_date`` for numbers and dates in the
chosen locale (``1.234,5`` in Catalan).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_format_decimal

from i18n.elision import elide

LANGUAGES: dict[str, str] = {"ca": "Català", "es": "Castellano", "en": "English"}
DEFAULT_LANGUAGE = "ca"
LOCALE_DIR = Path(__file__).parent / "locales"
_BABEL_LOCALES = {"ca": "ca_ES", "es": "es_ES", "en": "en_GB"}
_lock = threading.Lock()


def normalise_language(lang: str | None) -> str:
    if not lang:
        return DEFAULT_LANGUAGE
    code = lang.strip().lower().replace("-", "_").split("_")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=8)
def _catalog(lang: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    with _lock:
        for po_file in sorted(folder.glob("*.po")):
            with po_file.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
            for message in catalog:
                if not message.id or message.fuzzy:
                    continue
                msgid = message.id if isinstance(message.id, str) else str(message.id[0])
                raw = message.string
                text = raw if isinstance(raw, str) else (str(raw[0]) if raw else "")
                if text:
                    messages[msgid] = text
    return messages


def gettext(msgid: str, lang: str | None = DEFAULT_LANGUAGE, /, **kwargs: object) -> str:
    """Translate ``msgid`` into ``lang``; ``{name}`` placeholders are filled from kwargs."""
    code = normalise_language(lang)
    text = _catalog(code).get(msgid, msgid)
    if not kwargs:
        return text
    if code == "ca":
        text = elide(text, kwargs)
    return text.format(**kwargs)


def _(msgid: str, /, **kwargs: object) -> str:
    """Catalan translation (the default language)."""
    return gettext(msgid, DEFAULT_LANGUAGE, **kwargs)


def translator(lang: str | None) -> Callable[..., str]:
    """A ``_`` bound to one language."""
    code = normalise_language(lang)

    def translate(msgid: str, /, **kwargs: object) -> str:
        return gettext(msgid, code, **kwargs)

    return translate


def reload_catalogs() -> None:
    _catalog.cache_clear()


@lru_cache(maxsize=8)
def babel_locale(lang: str | None) -> Locale:
    return Locale.parse(_BABEL_LOCALES[normalise_language(lang)])


def separators(lang: str | None) -> tuple[str, str]:
    """(decimal, thousands) separators of the language, e.g. (",", ".") for Catalan."""
    loc = babel_locale(lang)
    return loc.number_symbols["latn"]["decimal"], loc.number_symbols["latn"]["group"]


def format_number(
    value: float | int | None,
    lang: str | None = DEFAULT_LANGUAGE,
    decimals: int = 1,
    empty: str = "–",
) -> str:
    """``1234.5`` → ``1.234,5`` (ca/es), ``1,234.5`` (en); trailing zero decimals dropped."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    fmt = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    # Catalan and Spanish CLDR data group only from 5 digits; administration writes 1.234.
    text = _babel_format_decimal(value, format=fmt, locale=babel_locale(lang), group_separator=True)
    dec, group = separators(lang)
    if abs(value) >= 1000 and group not in text:
        integer, _sep, frac = text.partition(dec)
        sign = "-" if integer.startswith("-") else ""
        digits = integer.lstrip("-")
        grouped = f"{int(digits):,}".replace(",", group)
        text = sign + grouped + (dec + frac if frac else "")
    return text


def format_percent(
    ratio: float | None,
    lang: str | None = DEFAULT_LANGUAGE,
    decimals: int = 0,
    empty: str = "–",
) -> str:
    """``0.456`` → ``46 %`` in Catalan (a space before the sign, as the norm asks)."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return empty
    number = format_number(ratio * 100, lang, decimals)
    return f"{number}\u00a0%" if normalise_language(lang) != "en" else f"{number}%"


# Catalan dates say «de 2025» (the style guides' form; CLDR writes «del 2025»)
CATALAN_DATE_FORMATS = {"long": "d MMMM 'de' y", "full": "EEEE, d MMMM 'de' y"}


def format_date(
    value: dt.date | dt.datetime | None,
    lang: str | None = DEFAULT_LANGUAGE,
    fmt: str = "medium",
    empty: str = "–",
) -> str:
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        return _babel_format_datetime(value, format=fmt, locale=babel_locale(lang))
    if normalise_language(lang) == "ca":  # «30 de gener de 2026», not CLDR's «del 2026»
        fmt = CATALAN_DATE_FORMATS.get(fmt, fmt)
    return _babel_format_date(value, format=fmt, locale=babel_locale(lang))
