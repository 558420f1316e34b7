"""Research: results with disclosure control, qualitative coding, exports and the
read-only researcher API."""

from flask import Blueprint

bp = Blueprint("research", __name__, url_prefix="/<lang:lang_code>", template_folder="templates")

from cocreate.research import models, views_coding, views_exports, views_results, views_tokens  # noqa: E402,F401
