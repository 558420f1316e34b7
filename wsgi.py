"""WSGI entry point: ``gunicorn wsgi:app``."""

from cocreate import create_app

app = create_app()
