"""Reliability scenarios: bounded load and faults on 127.0.0.1 (``make reliability``).

Each scenario module has ``ENGINES`` (the databases it runs on) and
``run(engine, workdir) -> dict``, which returns one record (see
:func:`reliability.common.record`). :mod:`reliability.run` runs them and prints one
JSON object per scenario and engine. Nothing here runs in ``make test``.
"""
