"""Community-policy labs: the place where surveys, sessions and plans meet."""

from flask import Blueprint

bp = Blueprint("labs", __name__, url_prefix="/<lang:lang_code>", template_folder="templates")

from cocreate.labs import views  # noqa: E402,F401


def status_label(status: str):
    from flask_babel import lazy_gettext as _l

    return {
        "draft": _l("Draft"),
        "published": _l("Published"),
        "closed": _l("Closed"),
        "archived": _l("Archived"),
    }.get(status, status)


@bp.app_context_processor
def _lab_helpers():
    return {"status_label": status_label}
