"""The export form: one per target on the exports page (target + format)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, Length

from cocreate.core.forms import BaseForm
from cocreate.research.exports.service import FORMATS

#: What each format is, in words (the same format name can mean different files per target).
FORMAT_LABELS = {
    ("survey", "csv"): _l("CSV, one row per response (UTF-8 with BOM, opens in Excel)"),
    ("survey", "csv-long"): _l("CSV, one row per answer (long format)"),
    ("survey", "xlsx"): _l("Excel workbook: data and codebook"),
    ("survey", "sav"): _l("SPSS (.sav) with value and variable labels"),
    ("survey", "dta"): _l("Stata (.dta) with value and variable labels"),
    ("survey", "codebook-json"): _l("Codebook (JSON)"),
    ("survey", "codebook-html"): _l("Codebook (HTML page)"),
    ("template", "csv"): _l("CSV, one row per response in every town"),
    ("template", "sav"): _l("SPSS (.sav), every town"),
    ("plan", "csv"): _l("CSV, one row per comment"),
    ("plan", "xlsx"): _l("Excel workbook, one row per comment"),
    ("lab", "qdpx"): _l("REFI-QDA project (.qdpx) for ATLAS.ti, MAXQDA, NVivo"),
    ("lab", "segments-csv"): _l("Coded segments (CSV)"),
}


def format_choices(target_type: str, formats: list[str]) -> list[tuple[str, str]]:
    return [(fmt, FORMAT_LABELS[(target_type, fmt)]) for fmt in formats]


class ExportForm(BaseForm):
    target = HiddenField(validators=[DataRequired(message=_l("Choose what to export.")), Length(max=40)])
    format = SelectField(_l("Format"), validate_choice=False,
                         validators=[DataRequired(message=_l("Choose a format.")), Length(max=20)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.format.choices = sorted({fmt for formats in FORMATS.values() for fmt in formats})

    def target_reference(self) -> tuple[str, int | None]:
        """``"survey:12"`` → ``("survey", 12)``; malformed parts come back as ``""``/None,
        which the service refuses with a clear message."""
        kind, _, raw = (self.target.data or "").partition(":")
        object_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
        return kind, object_id
