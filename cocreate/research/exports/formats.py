"""File writers: CSV, XLSX, SPSS (.sav) and Stata (.dta).

- **CSV** is UTF-8 *with* a byte-order mark, so Excel opens Arabic text and
  emoji correctly; RFC 4180 quoting, CRLF line ends. It is produced as a stream
  of byte chunks straight from the row stream.
- **XLSX** uses openpyxl's write-only mode: rows go to disk as they come, so
  memory stays flat; the finished workbook is then read back in chunks.
- In both, a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets a leading ``'`` so no spreadsheet runs it as a formula.
- **SPSS and Stata** files are written by pyreadstat from one polars frame;
  pyreadstat cannot append, so the whole table is in memory once. It is built
  in chunks of :data:`FRAME_CHUNK` rows into compact columns (8- and 16-bit
  integers for codes, flags, points and ranks; categories for text), so the
  Python objects of only one chunk exist at a time. Memory is then about the
  size of the data itself: exporting a survey of 100,000 responses and 77
  columns peaks about 20 MB above one of 10,000 (around 90 MB in all, most of it
  polars and pyreadstat themselves). Text is UTF-8 in both (Stata 14+ files).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from flask_babel import force_locale

from cocreate.core.i18n import is_known_language
from cocreate.research.exports.layout import FLAG_LABELS, Layout, Storage, value_label, variable_label

CHUNK_BYTES = 64 * 1024
FRAME_CHUNK = 5000
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Tally:
    """Counts the exported rows and hashes the bytes as they pass."""

    def __init__(self):
        self.rows = 0
        self.size = 0
        self._hash = hashlib.sha256()

    def feed(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self._hash.update(chunk)
            self.size += len(chunk)
            yield chunk

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def escape_formula(value):
    """Neutralise text a spreadsheet would read as a formula (prefix ``'``)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return escape_formula(value)
    return str(value)


def csv_chunks(header: list[str], rows: Iterable[list], tally: Tally) -> Iterator[bytes]:
    """The CSV file as byte chunks of about :data:`CHUNK_BYTES`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([escape_formula(name) for name in header])
    for row in rows:
        # The csv module writes None and int as _csv_cell would; most cells are those.
        writer.writerow([value if value is None or value.__class__ is int else _csv_cell(value) for value in row])
        tally.rows += 1
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# -- Files on disk, read back in chunks ----------------------------------------------------


def spooled(write: Callable[[str], None], suffix: str) -> BinaryIO:
    """Run ``write(path)`` on a fresh temporary path and return the file opened for
    reading. The path is removed at once: the open handle keeps the data until it is
    closed (or collected), so no temporary file outlives the download."""
    handle, path = tempfile.mkstemp(prefix="cocreate-export-", suffix=suffix)
    os.close(handle)
    try:
        write(path)
        return open(path, "rb")  # noqa: SIM115 - closed by file_chunks
    finally:
        os.unlink(path)


def file_chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK_BYTES):
            yield chunk


# -- XLSX ------------------------------------------------------------------------------------


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: Iterable[list]
    #: The rows of this sheet are what the export counts (the data, not the codebook).
    counted: bool = False


def _xlsx_cell(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, Decimal):
        return float(value)
    return value


def write_xlsx(path: str, sheets: list[Sheet], tally: Tally) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.title)
        worksheet.freeze_panes = "A2"
        worksheet.append([_xlsx_cell(name) for name in sheet.header])
        for row in sheet.rows:
            worksheet.append([_xlsx_cell(value) for value in row])
            if sheet.counted:
                tally.rows += 1
    workbook.save(path)


# -- SPSS and Stata ------------------------------------------------------------------------

#: Label limits of the file formats (pyreadstat refuses longer Stata labels and cuts
#: SPSS ones at a byte, possibly inside a character).
SAV_VARIABLE_LABEL_BYTES = 256
SAV_VALUE_LABEL_BYTES = 120
DTA_VARIABLE_LABEL_CHARS = 80
DTA_VALUE_LABEL_BYTES = 32000


def fit(text: str, *, max_bytes: int | None = None, max_chars: int | None = None) -> str:
    """Shorten ``text`` to a limit, on a character boundary, ending with "…"."""
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars - 1] + "…"
    if max_bytes is not None and len(text.encode("utf-8")) > max_bytes:
        encoded = text.encode("utf-8")[:max_bytes - len("…".encode())]
        text = encoded.decode("utf-8", "ignore") + "…"
    return text


def _polars_type(column):
    import polars as pl

    if column.storage is Storage.CODE:
        count = len(column.values)
        return pl.Int8 if count <= 127 else pl.Int16 if count <= 32767 else pl.Int32
    return {Storage.FLAG: pl.Int8, Storage.INTEGER: pl.Int16, Storage.NUMBER: pl.Float64}.get(
        column.storage, pl.String)


def _frame(layout: Layout, rows: list[list], schema: dict):
    import polars as pl

    data = {}
    for index, column in enumerate(layout.columns):
        values = [row[index] for row in rows]
        if column.storage is Storage.NUMBER:
            values = [None if v is None else float(v) for v in values]
        data[column.stats_name] = values
    # strict=False: a value of another type (a pooled code typed differently in one
    # town) becomes what the column can hold, or empty — never a failed export.
    frame = pl.DataFrame(data, schema=schema, strict=False)
    # Empty text is "" in SPSS and Stata (and pyreadstat cannot write a missing long string).
    # Text is kept as categories (pyreadstat writes them as text): a polars string costs
    # 16 bytes a row even when empty, a category 4 — most text columns repeat a few
    # values (languages, days, "" for no answer). Not the participant id, unique per row.
    return frame.with_columns(pl.col(pl.String).fill_null("")).with_columns(
        pl.col(pl.String).exclude(layout.columns[0].stats_name).cast(pl.Categorical))


def stats_frame(layout: Layout, rows: Iterable[list], tally: Tally):
    """The rows as one polars frame, built :data:`FRAME_CHUNK` rows at a time."""
    import polars as pl

    schema = {column.stats_name: _polars_type(column) for column in layout.columns}
    frames, chunk = [], []
    for row in rows:
        chunk.append(row)
        tally.rows += 1
        if len(chunk) >= FRAME_CHUNK:
            frames.append(_frame(layout, chunk, schema))
            chunk = []
    frames.append(_frame(layout, chunk, schema))
    return pl.concat(frames, how="vertical", rechunk=False) if len(frames) > 1 else frames[0]


def write_stats(path: str, fmt: str, layout: Layout, rows: Iterable[list], tally: Tally) -> None:
    """Write a .sav (``fmt`` "sav") or .dta file with variable and value labels.

    Every label is in the survey's main language: question texts, "label [code]" for
    options, and the descriptions of the first columns and the 0/1 labels (interface
    text, so in that language when the interface has it). "Prefer not to say" is a
    user-missing value in SPSS.
    """
    import pyreadstat

    frame = stats_frame(layout, rows, tally)
    language = layout.default_language
    with force_locale(language) if is_known_language(language) else nullcontext():
        labels, value_labels, missing, measures = _stats_labels(layout, language, sav=fmt == "sav")
    if fmt == "sav":
        pyreadstat.write_sav(frame, path, column_labels=labels, variable_value_labels=value_labels,
                             missing_ranges=missing or None, variable_measure=measures)
    else:
        pyreadstat.write_dta(frame, path, column_labels=labels, variable_value_labels=value_labels)


def _stats_labels(layout: Layout, language: str, *, sav: bool):
    """Variable labels, value labels, SPSS missing values and measures, fitted to the format."""
    variable_limit = dict(max_bytes=SAV_VARIABLE_LABEL_BYTES) if sav else dict(
        max_chars=DTA_VARIABLE_LABEL_CHARS)
    value_limit = SAV_VALUE_LABEL_BYTES if sav else DTA_VALUE_LABEL_BYTES
    labels, value_labels, missing, measures = {}, {}, {}, {}
    for column in layout.columns:
        name = column.stats_name
        labels[name] = fit(variable_label(column, language), **variable_limit)
        measures[name] = column.measure
        if column.storage is Storage.CODE:
            value_labels[name] = {v.number: fit(value_label(v, language), max_bytes=value_limit)
                                  for v in column.values}
            if any(v.missing for v in column.values):
                missing[name] = [v.number for v in column.values if v.missing][:3]
        elif column.storage is Storage.FLAG:
            value_labels[name] = {number: fit(str(text), max_bytes=value_limit)
                                  for number, text in FLAG_LABELS.items()}
    return labels, value_labels, missing, measures
