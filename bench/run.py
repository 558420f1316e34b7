"""Run every benchmark module and write ``bench/results.json``.

    python -m bench.run            # full: 100,000 responses
    python -m bench.run --quick    # 10,000 responses, a few minutes
    python -m bench.run --only results,exports

Each ``bench/bench_<name>.py`` has ``run(quick: bool, workdir: Path) -> list[dict]``
returning metric records (see :mod:`bench.common`). Load only ever goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.common import ROOT

BENCH_DIR = ROOT / "bench"


def modules(only: set[str] | None) -> list[str]:
    names = sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))
    return [n for n in names if not only or n in only]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, a few minutes")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--output", default=str(BENCH_DIR / "results.json"))
    args = parser.parse_args(argv)
    only = {n.strip() for n in args.only.split(",") if n.strip()} or None
    results, failures = [], []
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="cocreate-bench-") as tmp:
        for name in modules(only):
            print(f"== {name}", file=sys.stderr, flush=True)
            workdir = Path(tmp) / name
            workdir.mkdir()
            try:
                module = importlib.import_module(f"bench.bench_{name}")
                for record in module.run(quick=args.quick, workdir=workdir):
                    record.setdefault("benchmark", name)
                    print(json.dumps(record, ensure_ascii=False), flush=True)
                    results.append(record)
            except Exception:  # one broken benchmark must not hide the others' numbers
                failures.append(name)
                traceback.print_exc()
    summary = {
        "mode": "quick" if args.quick else "full",
        "python": platform.python_version(), "machine": platform.machine(),
        "seconds": round(time.time() - started, 1),
        "all_met": bool(results) and not failures and all(r["met"] for r in results),
        "failed_benchmarks": failures,
        "metrics": results,
    }
    Path(args.output).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "metrics"}), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
