"""The legal pages every public-sector site needs: privacy notice (GDPR art. 13),
accessibility statement (tilgængelighedserklæring) and cookies. Their facts (controller,
contacts, known problems, the statement's date and WAS-Tool address) are settings
(``LEGAL_*`` in ``consult.config``), in Danish and English; the wording is in the templates.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import Flask
from flask import current_app
from flask import render_template

from consult.i18n import current_lang
from consult.permissions import public

bp = Blueprint("legal", __name__, url_prefix="/legal")


def setting(name: str) -> str:
    """A LEGAL_* setting in the page's language (Danish when there is no English)."""
    value = current_app.config.get(f"LEGAL_{name.upper()}", "")
    if isinstance(value, dict):
        return value.get(current_lang()) or value.get("da", "")
    return value or ""


def statement_date() -> date | None:
    raw = current_app.config.get("LEGAL_ACCESSIBILITY_DATE") or ""
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _retention() -> dict:
    cfg = current_app.config
    prefix = "RETENTION_"
    return {key.removeprefix(prefix).lower(): cfg[key] for key in cfg if key.startswith(prefix)}


@bp.route("/privacy")
@public
def show_privacy():
    return render_template("legal/privacy.html", retention=_retention())


@bp.route("/accessibility")
@public
def show_accessibility():
    return render_template("legal/accessibility.html")


@bp.route("/cookies")
@public
def show_cookies():
    return render_template("legal/cookies.html")


def init_app(app: Flask) -> None:
    from consult.privacy.labels import field_label

    app.jinja_env.globals.update(
        legal=setting, accessibility_date=statement_date, field_label=field_label
    )
