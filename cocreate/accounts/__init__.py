"""People: sign-up, sign-in, profile, passwords, invitations and roles."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/<lang:lang_code>", template_folder="templates")

from cocreate.accounts import views  # noqa: E402,F401
from cocreate.accounts.forms import consent_scope_label, role_label  # noqa: E402


@bp.app_context_processor
def _role_labels():
    return {"role_label": role_label, "consent_scope_label": consent_scope_label}
