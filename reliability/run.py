"""Run the reliability scenarios; one JSON object per scenario and engine on stdout.

    python -m reliability.run                                   # everything, ~10 minutes
    python -m reliability.run --only same_token,last_seat --engine sqlite

Each scenario is a module of this package (``reliability/<name>.py``). Load and
faults stay on 127.0.0.1 and are bounded in requests and time; every process a
scenario starts is stopped when it ends. Exit status 1 when any scenario failed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

from reliability.common import ensure_postgres, record

SCENARIOS = ["submit_kill_worker", "same_token", "last_seat", "postgres_restart", "scheduler_kill"]
ENGINES = ["sqlite", "postgresql"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated scenario names: " + ", ".join(SCENARIOS))
    parser.add_argument("--engine", choices=ENGINES, help="only this database")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch directory (server and scheduler logs, SQLite files)")
    args = parser.parse_args(argv)
    only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(only) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    started = time.monotonic()
    failed = []
    prefix = "cocreate-reliability-"
    scratch = (contextlib.nullcontext(tempfile.mkdtemp(prefix=prefix)) if args.keep
               else tempfile.TemporaryDirectory(prefix=prefix))
    with scratch as tmp:
        if args.keep:
            print(f"== scratch directory: {tmp}", file=sys.stderr, flush=True)
        for name in [n for n in SCENARIOS if not only or n in only]:
            module = importlib.import_module(f"reliability.{name}")
            for engine in [e for e in module.ENGINES if args.engine in (None, e)]:
                print(f"== {name} ({engine})", file=sys.stderr, flush=True)
                workdir = Path(tmp) / f"{name}-{engine}"
                workdir.mkdir()
                began = time.monotonic()
                try:
                    if engine == "postgresql" and not ensure_postgres():
                        raise RuntimeError("PostgreSQL is not reachable at 127.0.0.1:5432 and could not be started")
                    result = module.run(engine, workdir)
                except Exception as error:  # a broken scenario is a failed one, and the others still run
                    traceback.print_exc()
                    result = record(name, engine, acknowledged=None, stored=None, lost=None, duplicates=None,
                                    errors_5xx=None, passed=False, error=f"{type(error).__name__}: {error}")
                result["duration_s"] = round(time.monotonic() - began, 1)
                print(json.dumps(result, ensure_ascii=False), flush=True)
                if not result["passed"]:
                    failed.append(f"{name} ({engine})")
    summary = f"{'FAILED: ' + ', '.join(failed) if failed else 'all passed'} in {time.monotonic() - started:.0f} s"
    print(f"== reliability: {summary}", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
