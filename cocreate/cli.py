"""Command-line entry points: ``flask seed``, ``flask scheduler``, ``flask demo``,
``flask translate``, ``flask export`` and ``flask create-admin``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from cocreate import PROJECT_ROOT

seed = AppGroup("seed", help="Load data.")
scheduler_cli = AppGroup("scheduler", help="Run the job scheduler (exactly one process).")
demo = AppGroup("demo", help="Run the demo.")
translate = AppGroup("translate", help="Work on the interface translations.")


@seed.command("demo")
@click.option("--force", is_flag=True, help="Seed even when demo mode is off.")
@with_appcontext
def seed_demo(force: bool) -> None:
    """Load the demo municipalities, people and labs (idempotent)."""
    if not current_app.config["DEMO"] and not force:
        raise click.ClickException(
            "Demo accounts have published passwords: set COCREATE_DEMO=1 or pass --force."
        )
    from seeds import run_demo

    summary = run_demo()
    click.echo(f"Demo data ready: {summary}")


@scheduler_cli.command("run")
@with_appcontext
def scheduler_run() -> None:
    """Start the scheduler and block. Run exactly one of these per installation."""
    from cocreate.scheduler import build_scheduler

    scheduler = build_scheduler(current_app._get_current_object())
    click.echo("Scheduler started; Ctrl-C stops it.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@scheduler_cli.command("run-once")
@with_appcontext
def scheduler_run_once() -> None:
    """Run every job once, now."""
    from cocreate.scheduler import run_all_once

    for task_id, result in run_all_once(current_app._get_current_object()).items():
        click.echo(f"{task_id}: {result}")


@scheduler_cli.command("list")
def scheduler_list() -> None:
    from cocreate.scheduler import load_tasks

    for spec in load_tasks().values():
        click.echo(spec.id)


@demo.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
def demo_serve(host: str, port: int) -> None:
    """Serve the web app and run the scheduler beside it; Ctrl-C stops both."""
    env = {**os.environ, "COCREATE_DEMO": "1"}
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    scheduler = subprocess.Popen([*flask, "scheduler", "run"], cwd=PROJECT_ROOT, env=env)
    web = subprocess.Popen([*flask, "run", "--host", host, "--port", str(port), "--with-threads",
                            "--no-reload"], cwd=PROJECT_ROOT, env=env)
    click.echo(f"Cocreate demo on http://{host}:{port}/ — Ctrl-C stops the server and scheduler.")

    def stop(*_):
        for proc in (web, scheduler):
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while web.poll() is None and scheduler.poll() is None:
            try:
                web.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for proc in (web, scheduler):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=PROJECT_ROOT,
                   check=True)


@translate.command("update")
def translate_update() -> None:
    """Extract interface strings and merge them into every catalog."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output",
             "-o", "translations/messages.pot", ".")
    _pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "--no-fuzzy-matching")
    _fill_source_catalog()


def _fill_source_catalog(language: str = "en") -> None:
    """English is the source language: its catalog repeats each msgid, so it is always
    complete and a missing entry elsewhere can never hide behind it."""
    from babel.messages.pofile import read_po, write_po

    path = PROJECT_ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        message.flags.discard("fuzzy")
        if isinstance(message.id, tuple | list):
            forms = catalog.num_plurals
            message.string = tuple([message.id[0]] + [message.id[1]] * (forms - 1))
        else:
            message.string = message.id
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, include_lineno=False)


@translate.command("compile")
def translate_compile() -> None:
    """Compile the catalogs (.po → .mo)."""
    _pybabel("compile", "-d", "translations", "--statistics")


@translate.command("init")
@click.argument("language")
def translate_init(language: str) -> None:
    """Start a catalog for a new language."""
    _pybabel("init", "-i", "translations/messages.pot", "-d", "translations", "-l", language)


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator")
@click.password_option()
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create a site administrator (or make an existing account one)."""
    from cocreate.accounts import service
    from cocreate.extensions import db

    user = service.find_user_by_email(email)
    if user is None:
        user = service.register_user(email, password, name, current_app.config["BABEL_DEFAULT_LOCALE"])
    user.is_site_admin = True
    db.session.commit()
    click.echo(f"{email} is a site administrator.")


def register(app: Flask) -> None:
    from cocreate.research.cli import export_cli

    for group in (seed, scheduler_cli, demo, translate, export_cli):
        app.cli.add_command(group)
    app.cli.add_command(create_admin)
