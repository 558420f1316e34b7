"""Languages: the locale in the URL, negotiation, content locale maps, local time.

UI strings live in ``translations/`` (Flask-Babel). Content written by people
lives in the database as locale maps (``{"nl": "…", "ar": "…"}``) and is read
through :func:`localize`, the one fallback resolver.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user
from werkzeug.routing import BaseConverter, ValidationError

RTL_SCRIPTS_FALLBACK = {"ar", "fa", "ps", "he", "ur", "yi", "dv", "ckb", "sd", "ug"}


@lru_cache(maxsize=256)
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None


def is_known_language(code: str) -> bool:
    return bool(code) and _locale(code) is not None


def is_rtl(code: str) -> bool:
    loc = _locale(code)
    if loc is None:
        return code in RTL_SCRIPTS_FALLBACK
    return loc.character_order == "right-to-left"


def text_direction(code: str) -> str:
    return "rtl" if is_rtl(code) else "ltr"


@lru_cache(maxsize=256)
def language_name(code: str, in_language: str | None = None) -> str:
    """The name of a language, by default in its own name and script."""
    loc = _locale(code)
    if loc is None:
        return code
    name = loc.get_display_name(in_language or code) or code
    return name[:1].upper() + name[1:]


def ui_languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def current_language() -> str:
    return getattr(g, "lang", None) or negotiate_language()


def negotiate_language() -> str:
    """Pick a UI language: the saved choice, then the browser's, then the default."""
    available = ui_languages()
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated:
        preferred = getattr(current_user, "preferred_language", None)
        if preferred in available:
            return preferred
    saved = session.get("lang")
    if saved in available:
        return saved
    best = request.accept_languages.best_match(available)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def make_language_converter(languages: list[str]) -> type[BaseConverter]:
    """A URL converter that only matches the configured UI languages (else 404)."""
    allowed = frozenset(languages)

    class LanguageConverter(BaseConverter):
        regex = r"[a-z]{2,3}(?:-[A-Za-z]{2,4})?"

        def to_python(self, value: str) -> str:
            if value not in allowed:
                raise ValidationError()
            return value

    return LanguageConverter


def pull_language(endpoint, values):
    """URL value preprocessor: move ``lang_code`` from the URL into ``g``."""
    if values and "lang_code" in values:
        g.lang = values.pop("lang_code")
        if session.get("lang") != g.lang:
            session["lang"] = g.lang


def add_language(endpoint, values):
    """URL defaults: every URL that takes a language gets the current one."""
    if "lang_code" in values or not endpoint:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "lang_code"):
        values["lang_code"] = current_language()


def locale_selector() -> str:
    return current_language()


# -- Content locale maps ---------------------------------------------------


@dataclass(frozen=True)
class Localized:
    """One value of a locale map, with the language it is really in."""

    text: str
    lang: str
    requested: str

    @property
    def is_fallback(self) -> bool:
        return bool(self.text) and self.lang != self.requested

    @property
    def dir(self) -> str:
        return text_direction(self.lang)

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def localize(value: dict | None, lang: str | None = None, default: str | None = None) -> Localized:
    """Resolve a locale map: requested language → ``default`` → any non-empty one."""
    lang = lang or current_language()
    value = value or {}
    for code in (lang, default):
        if code and (value.get(code) or "").strip():
            return Localized(value[code], code, lang)
    for code, text in value.items():
        if (text or "").strip():
            return Localized(text, code, lang)
    return Localized("", lang, lang)


def completeness(value: dict | None, languages: list[str]) -> dict[str, bool]:
    """Which of ``languages`` have a non-empty text in the locale map."""
    value = value or {}
    return {code: bool((value.get(code) or "").strip()) for code in languages}


# -- Dates and times -------------------------------------------------------


def local_datetime(value: datetime | None, tz: str | None = None, fmt: str = "medium") -> str:
    """Format an aware UTC time in a municipality's zone, in the page language."""
    if value is None:
        return ""
    zone = ZoneInfo(tz) if tz else ZoneInfo("UTC")
    return format_datetime(value, fmt, tzinfo=zone, locale=_babel_locale())


def local_time(value: datetime | None, tz: str | None = None, fmt: str = "short") -> str:
    from babel.dates import format_time

    if value is None:
        return ""
    return format_time(value, fmt, tzinfo=ZoneInfo(tz) if tz else ZoneInfo("UTC"),
                       locale=_babel_locale())


def local_date(value, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_date(value, fmt, locale=_babel_locale())


def format_number(value) -> str:
    from babel.numbers import format_decimal

    if value is None or value == "":
        return ""
    return format_decimal(value, locale=number_locale())


def format_pattern(value, pattern: str) -> str:
    """``value`` in a number pattern (``#,##0.0%``) with the symbols of the page language."""
    return _number_pattern(pattern).apply(value, number_locale())


@lru_cache(maxsize=32)
def _number_pattern(pattern: str):
    from babel.numbers import parse_pattern

    return parse_pattern(pattern)


def number_locale() -> Locale:
    """The :class:`~babel.Locale` Flask-Babel is using now. Passed as an object, not its
    name: Babel would parse the name again for every number (a results page has
    thousands)."""
    from flask_babel import get_locale

    return get_locale() or Locale("en")


def _babel_locale() -> str:
    """The locale Flask-Babel is using now (respects ``force_locale`` in e-mails)."""
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale) if locale else "en"
