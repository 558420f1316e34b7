"""Exports as use cases: ask for one (web), download it (web), write one to a file (CLI).

Every export leaves an ``Export`` row and an audit entry. On the web the row
carries a link token — 256 random bits, kept only as its SHA-256 — that works
for the person who asked, in the municipality they asked in, while they still
hold the research permission there, until ``expires_at``. The file is made
anew at each download from the data as it is then (consent withdrawn since is
respected), and the row keeps the row count and SHA-256 of the last file sent.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from cocreate.core import audit
from cocreate.core.base import utcnow
from cocreate.extensions import db
from cocreate.research.exports import codebook, comments, formats, responses, targets
from cocreate.research.exports.layout import build_layout
from cocreate.research.exports.targets import ExportError, Target
from cocreate.research.models import Export

log = logging.getLogger("cocreate.research")

#: Formats offered per kind of target, in the words of the CLI and the form.
FORMATS = {
    "survey": ("csv", "csv-long", "xlsx", "sav", "dta", "codebook-json", "codebook-html"),
    "template": ("csv", "sav"),
    "plan": ("csv", "xlsx"),
    "lab": ("qdpx", "segments-csv"),
}
_KIND = {"survey": "responses", "template": "pooled", "plan": "comments"}

_CSV = "text/csv; charset=utf-8"
#: format → (file name ending, extension, media type)
FILES = {
    "csv": ("", "csv", _CSV),
    "csv-long": ("_long", "csv", _CSV),
    "xlsx": ("", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "sav": ("", "sav", "application/x-spss-sav"),
    "dta": ("", "dta", "application/x-stata-dta"),
    "codebook-json": ("_codebook", "json", "application/json"),
    "codebook-html": ("_codebook", "html", "text/html; charset=utf-8"),
    "qdpx": ("", "qdpx", "application/zip"),
    "segments-csv": ("", "csv", _CSV),
}

def kind_of(target_type: str, fmt: str) -> str:
    """The ``Export.kind`` of a format asked for a target."""
    return _KIND.get(target_type) or ("qdpx" if fmt == "qdpx" else "segments")


def formats_for(target_type: str) -> list[str]:
    """The formats that can be made for this kind of target on this installation."""
    return list(FORMATS.get(target_type, ()))


def check_format(target_type: str, fmt: str) -> None:
    if fmt not in FORMATS.get(target_type, ()):
        raise ExportError(_l("Choose one of the formats offered for this export."))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# -- Asking for an export and downloading it (web) --------------------------------------------


def create_export(actor, municipality, target: Target, fmt: str, *,
                  research_municipality_ids: set[int] | None = None) -> tuple[Export, str]:
    """Record the export and return it with its link token (shown once, stored hashed).

    A pooled export from the web covers only the towns where ``actor`` is a
    researcher (``research_municipality_ids``); the list is kept in ``filters``.
    """
    check_format(target.type, fmt)
    filters = {}
    if target.type == "template":
        filters["municipalities"] = sorted(research_municipality_ids or {municipality.id})
    token = secrets.token_urlsafe(32)
    export = Export(municipality_id=municipality.id, user_id=actor.id, token_hash=token_hash(token),
                    kind=kind_of(target.type, fmt), format=fmt, target=target.reference(),
                    filters=filters,
                    expires_at=utcnow() + timedelta(minutes=int(current_app.config["EXPORT_LINK_MINUTES"])))
    db.session.add(export)
    audit.record("research.export_created", export, actor=actor, municipality=municipality,
                 kind=export.kind, format=fmt, target=export.target, filters=filters)
    return export, token


def find_download(user, municipality, token: str) -> Export | None:
    """The unexpired export behind ``token`` if ``user`` asked for it in ``municipality``."""
    if not token or len(token) > 128:
        return None
    return db.session.scalar(sa.select(Export).where(
        Export.token_hash == token_hash(token), Export.user_id == user.id,
        Export.municipality_id == municipality.id, Export.expires_at > utcnow()))


def record_download(actor, export_id: int, tally: formats.Tally) -> None:
    """The file went out whole: keep what was in it.

    Takes the id: a streamed download ends after the request's own database
    session has closed, so the row is loaded again in the session of the stream.
    """
    export = db.session.get(Export, export_id)
    _complete(export, tally)
    audit.record("research.export_downloaded", export, actor=actor,
                 municipality=_municipality(export), kind=export.kind, format=export.format,
                 target=export.target, rows=tally.rows, sha256=tally.sha256)


def _complete(export: Export, tally: formats.Tally) -> None:
    export.row_count = tally.rows
    export.sha256 = tally.sha256
    export.completed_at = utcnow()
    export.download_count = (export.download_count or 0) + 1


def _municipality(export: Export):
    from cocreate.municipalities.models import Municipality

    return db.session.get(Municipality, export.municipality_id) if export.municipality_id else None


# -- Making the file ----------------------------------------------------------------------------


@dataclass
class Output:
    filename: str
    mimetype: str
    #: The file's bytes; counted and hashed into ``tally`` as they pass.
    chunks: Iterator[bytes]
    tally: formats.Tally


def produce(export: Export, *, municipality_ids: set[int] | None = None) -> Output:
    """The file of ``export``. CSV is streamed straight from the database; other formats
    are written to a temporary file first, so that a failure shows before anything is
    sent. ``municipality_ids`` limits a pooled export to those towns (None: all)."""
    target = targets.from_reference(export.target, export.municipality_id)
    kind, fmt = export.kind, export.format
    tally = formats.Tally()
    ending, extension, mimetype = FILES[fmt]
    filename = f"{target.path.replace('/', '_')}_{kind}{ending}.{extension}"
    if kind == "responses":
        chunks = _responses(target.obj, fmt, tally)
    elif kind == "pooled":
        chunks = _pooled(target.obj, fmt, tally, municipality_ids)
    elif kind == "comments":
        chunks = _comments(target.obj, fmt, tally)
    else:
        chunks = _qdpx(target.obj, kind, tally)
    log.info("export %s: %s %s of %s", export.id, kind, fmt, target.path)
    return Output(filename, mimetype, tally.feed(chunks), tally)


def _spooled_chunks(write, suffix: str) -> Iterator[bytes]:
    return formats.file_chunks(formats.spooled(write, suffix))


def _responses(survey, fmt: str, tally: formats.Tally) -> Iterator[bytes]:
    layout = build_layout([survey])
    ids = [survey.id]
    if fmt == "csv":
        return formats.csv_chunks(layout.header, responses.wide_rows(layout, ids, numeric=False), tally)
    if fmt == "csv-long":
        return formats.csv_chunks(responses.LONG_HEADER, responses.long_rows(ids), tally)
    if fmt == "xlsx":
        return _spooled_chunks(lambda path: formats.write_xlsx(path, [
            formats.Sheet("data", layout.header, responses.wide_rows(layout, ids, numeric=False), counted=True),
            formats.Sheet("codebook", *codebook.codebook_sheet(layout)),
        ], tally), ".xlsx")
    if fmt in ("sav", "dta"):
        return _spooled_chunks(lambda path: formats.write_stats(
            path, fmt, layout, responses.wide_rows(layout, ids, numeric=True), tally), f".{fmt}")
    tally.rows = len(layout.columns)  # a codebook counts its variables
    document = codebook.codebook_json(layout, survey) if fmt == "codebook-json" \
        else codebook.codebook_html(layout, survey)
    return iter([document])


def _pooled(template, fmt: str, tally: formats.Tally, municipality_ids) -> Iterator[bytes]:
    surveys = targets.pooled_surveys(template, municipality_ids)
    layout = build_layout(surveys)
    ids = [survey.id for survey in surveys]
    if fmt == "csv":
        return formats.csv_chunks(layout.header, responses.wide_rows(layout, ids, numeric=False), tally)
    return _spooled_chunks(lambda path: formats.write_stats(
        path, fmt, layout, responses.wide_rows(layout, ids, numeric=True), tally), f".{fmt}")


def _comments(plan, fmt: str, tally: formats.Tally) -> Iterator[bytes]:
    if fmt == "csv":
        return formats.csv_chunks(comments.HEADER, comments.comment_rows(plan), tally)
    return _spooled_chunks(lambda path: formats.write_xlsx(path, [
        formats.Sheet("comments", comments.HEADER, comments.comment_rows(plan), counted=True),
        formats.Sheet("codebook", *comments.column_sheet()),
    ], tally), ".xlsx")


def _qdpx(lab, kind: str, tally: formats.Tally) -> Iterator[bytes]:
    """REFI-QDA project or coded segments, written by :mod:`cocreate.research.qdpx`."""
    from cocreate.research import qdpx

    handle = tempfile.TemporaryFile()
    try:
        if kind == "qdpx":
            tally.rows = qdpx.write_qdpx(lab, handle)
        else:
            # With a byte-order mark, like every CSV export, so Excel reads Arabic right.
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            tally.rows = qdpx.write_segments_csv(lab, text)
            text.flush()
            text.detach()
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return formats.file_chunks(handle)


# -- Writing a file from the command line -----------------------------------------------------


def export_to_path(target_type: str, reference: str, fmt: str, path: str) -> Export:
    """Resolve, check, write ``path`` whole or not at all, and audit (no actor).

    The file is written next to ``path`` under a temporary name and renamed when
    complete, so a failure leaves nothing behind. A pooled export covers every town.
    """
    target = targets.find(target_type, reference)
    check_format(target.type, fmt)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ExportError(_l("The folder %(folder)s does not exist.", folder=directory))
    export = Export(municipality_id=target.municipality.id if target.municipality else None, user_id=None,
                    kind=kind_of(target.type, fmt), format=fmt, target=target.reference(), filters={})
    db.session.add(export)
    db.session.flush()
    output = produce(export)
    handle, partial = tempfile.mkstemp(dir=directory, prefix=".cocreate-export-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in output.chunks:
                out.write(chunk)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    _complete(export, output.tally)
    audit.record("research.export_written", export, municipality=target.municipality, kind=export.kind,
                 format=fmt, target=export.target, rows=output.tally.rows, sha256=output.tally.sha256,
                 path=os.path.abspath(path))
    return export
