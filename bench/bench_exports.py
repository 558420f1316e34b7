"""Research exports of a large survey: time and peak memory, against stdlib ``sqlite3`` + ``csv``.

Each export — the wide CSV and the SPSS ``.sav`` of every response of the survey,
through :func:`cocreate.research.exports.service.export_to_path` as the CLI writes
it — runs in a fresh subprocess (``python -m bench.bench_exports``), so its peak
memory is its own: the process's peak resident set (``VmHWM``) at the end, minus
the peak just before the export (interpreter and app). Sizes: 100,000 and 10,000
responses (1,000 and 10,000 quick); the smaller export is the memory baseline, to
show that memory stays about flat.

The time baseline is the least any CSV export of these rows can cost: stdlib
``sqlite3`` reading the same rows (responses joined with their answers, by
response) and the ``csv`` module writing them, one line per row.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, metric
from bench.generate import survey_dataset

FORMATS = ("csv", "sav")
MB = 1024 * 1024
LIMIT_MB = 200
TIME_TARGET = "≤ 3× sqlite3 + csv"


def _peak_bytes() -> int:
    """The peak resident set of this process so far (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def export_once(database: Path, reference: str, fmt: str, path: Path) -> dict:
    """One export in this process: seconds, peak memory above the app's, rows, bytes."""
    from bench.generate import bench_app
    from cocreate.research.exports.service import export_to_path

    app = bench_app(f"sqlite:///{database}")
    with app.app_context():
        before = _peak_bytes()
        started = time.perf_counter()
        export = export_to_path("survey", reference, fmt, str(path))
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "peak_bytes": _peak_bytes() - before, "rows": export.row_count,
                "bytes": path.stat().st_size}


def raw_csv(database: Path, survey_reference: str, path: Path) -> float:
    """Seconds to read the survey's response and answer rows with sqlite3 and write them as CSV."""
    town, lab, survey = survey_reference.split("/")
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute(
            "SELECT r.id, r.language, r.submitted_at, a.question_code, a.item_code, a.option_code, "
            "a.value_number, a.value_text, a.text_language "
            "FROM survey_response r JOIN survey s ON s.id = r.survey_id JOIN lab l ON l.id = s.lab_id "
            "JOIN municipality m ON m.id = l.municipality_id "
            "LEFT JOIN survey_answer a ON a.response_id = r.id "
            "WHERE m.slug = ? AND l.slug = ? AND s.slug = ? ORDER BY r.id, a.id", (town, lab, survey))
        with path.open("w", newline="", encoding="utf-8-sig") as out:
            csv.writer(out).writerows(rows)
    finally:
        connection.close()
    return time.perf_counter() - started


def _subprocess_export(database: Path, reference: str, fmt: str, path: Path) -> dict:
    result = subprocess.run([sys.executable, "-m", "bench.bench_exports", str(database), reference, fmt, str(path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=1800, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run(quick: bool, workdir: Path) -> list[dict]:
    small, large = (1_000, 10_000) if quick else (10_000, 100_000)
    found: dict[tuple[int, str], dict] = {}
    for size in (small, large):
        data = survey_dataset(workdir, size)
        for fmt in FORMATS:
            out = workdir / f"export-{size}.{fmt}"
            found[size, fmt] = _subprocess_export(data.path, data.survey_reference, fmt, out)
            out.unlink()
    data = survey_dataset(workdir, large)
    raw_path = workdir / "raw.csv"
    raw = min(raw_csv(data.path, data.survey_reference, raw_path) for _ in range(2))
    raw_path.unlink()
    csv_time = found[large, "csv"]["seconds"]
    records = [metric("export_csv_time", csv_time, "s", baseline=raw, target=TIME_TARGET, met=csv_time <= 3 * raw,
                      responses=large, rows=found[large, "csv"]["rows"], bytes=found[large, "csv"]["bytes"])]
    for fmt in FORMATS:
        peak, base = found[large, fmt]["peak_bytes"] / MB, found[small, fmt]["peak_bytes"] / MB
        flat = peak <= max(1.5 * base, base + 30)
        records.append(metric(
            f"export_{fmt}_peak_memory", peak, "MB", baseline=base,
            target=f"< {LIMIT_MB} MB at {large:,} responses, within 1.5× or +30 MB of {small:,}",
            met=peak < LIMIT_MB and flat, responses=large, baseline_responses=small,
            seconds=round(found[large, fmt]["seconds"], 3), bytes=found[large, fmt]["bytes"]))
    return records


if __name__ == "__main__":
    database, reference, fmt, path = sys.argv[1:5]
    print(json.dumps(export_once(Path(database), reference, fmt, Path(path))))
