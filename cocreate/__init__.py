"""Cocreate: community-policy labs where towns make integration policy with newcomers."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application. Reads like a table of contents on purpose."""
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"),
                instance_relative_config=True)

    from cocreate import config as configuration

    configuration.load(app, config)
    _configure_logging(app)
    _init_extensions(app)
    _trust_proxies(app)
    _register_url_machinery(app)
    _register_blueprints(app)
    _register_templates(app)

    from cocreate.core import errors

    errors.register(app)

    from cocreate import cli

    cli.register(app)
    return app


def _configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _init_extensions(app: Flask) -> None:
    from cocreate.core import database, i18n
    from cocreate.extensions import babel, csrf, db, limiter, login_manager, migrate

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "translations"))
    db.init_app(app)
    database.configure_engines(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True, include_object=database.include_object,
                     render_item=database.render_item)
    babel.init_app(app, locale_selector=i18n.locale_selector)
    csrf.init_app(app)
    limiter.init_app(app)

    from cocreate.accounts.service import load_session_user

    login_manager.init_app(app)
    login_manager.session_protection = None  # the server-side session does this job
    login_manager.user_loader(load_session_user)


def _trust_proxies(app: Flask) -> None:
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _register_url_machinery(app: Flask) -> None:
    from cocreate.core import http, i18n

    app.url_map.converters["lang"] = i18n.make_language_converter(app.config["LANGUAGES"])
    app.url_map.converters["slug"] = http.SlugConverter
    app.url_map.converters["int"] = http.IdConverter
    app.url_value_preprocessor(i18n.pull_language)
    app.url_defaults(i18n.add_language)
    app.after_request(http.security_headers)


def _register_blueprints(app: Flask) -> None:
    from cocreate import accounts, focusgroups, labs, municipalities, plans, research, surveys
    from cocreate.core import views as core_views
    from cocreate.research import api

    for module in (core_views, accounts, municipalities, labs, surveys, focusgroups, plans, research,
                   api):
        app.register_blueprint(module.bp)


def _register_templates(app: Flask) -> None:
    from cocreate.core import templating

    templating.register(app)
