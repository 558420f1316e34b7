"""What every template can use."""

from __future__ import annotations

from flask import Flask, get_flashed_messages, request, url_for
from flask_login import current_user

from cocreate.core import http, i18n
from cocreate.core.permissions import Permission, has_permission


def switch_language_url(code: str) -> str:
    """The current page in another language (falls back to the home page)."""
    endpoint = request.endpoint
    args = dict(request.view_args or {})
    if endpoint and request.url_rule and "lang_code" in request.url_rule.arguments:
        try:
            return url_for(endpoint, **args, lang_code=code, **request.args.to_dict())
        except Exception:  # noqa: BLE001 - a page that cannot be rebuilt falls back to home
            pass
    return url_for("core.home", lang_code=code)


#: Shown first when the page is not about one municipality (the others are one click away).
PRIMARY_LANGUAGES = 6


def language_menu() -> tuple[list[str], list[str]]:
    """The language switcher's (first row, "more languages"): the current language, the
    languages the page's municipality offers (else the first configured ones) and the
    browser's, then every other interface language. Each is shown in its own name."""
    from flask import g

    available = i18n.ui_languages()
    municipality = g.get("municipality")
    offered = [c for c in (municipality.languages if municipality is not None else [])
               if c in available] or available[:PRIMARY_LANGUAGES]
    browser = [c for c, _q in request.accept_languages if c in available][:3]
    first = list(dict.fromkeys([i18n.current_language(), *offered, *browser]))
    first = [c for c in available if c in first]  # one stable order on every page
    return first, [c for c in available if c not in first]


def bdi(value) -> str:
    """Isolate a name, address or code inside a translated sentence, so a Dutch street
    name in an Arabic sentence (or an Arabic name in a Dutch one) keeps its own direction
    and does not reorder the words around it."""
    from markupsafe import Markup, escape

    if value is None or value == "":
        return ""
    return Markup("<bdi>") + escape(value) + Markup("</bdi>")


def lang_attrs(value: i18n.Localized) -> str:
    """``lang``/``dir`` attributes for content shown in another language than the page."""
    from markupsafe import Markup, escape

    if value and value.lang != i18n.current_language():
        return Markup(f' lang="{escape(value.lang)}" dir="{value.dir}"')
    return Markup("")


def language_label(code: str) -> str:
    """A language's name in the page language (for lists like "Interpretation into …")."""
    return i18n.language_name(code, i18n.current_language())


def can(permission: str, municipality=None) -> bool:
    return has_permission(current_user, Permission(permission), municipality)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        localize=i18n.localize,
        language_name=i18n.language_name,
        text_direction=i18n.text_direction,
        current_language=i18n.current_language,
        ui_languages=i18n.ui_languages,
        switch_language_url=switch_language_url,
        language_menu=language_menu,
        lang_attrs=lang_attrs,
        language_label=language_label,
        can=can,
        get_flashed_messages=get_flashed_messages,
    )
    app.jinja_env.filters.update(
        local_datetime=i18n.local_datetime,
        local_date=i18n.local_date,
        local_time=i18n.local_time,
        format_number=i18n.format_number,
        language_label=language_label,
        bdi=bdi,
    )
    #: ``{% if value is web_link %}<a href="{{ value }}">``: only http(s) addresses become links.
    app.jinja_env.tests.update(web_link=http.is_web_link)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
