"""Downloads: the secretariat's exports (audited), and the public report with its open data."""

from __future__ import annotations

import base64
import os

from flask import Blueprint
from flask import Response
from flask import abort
from flask import make_response
from flask import render_template
from flask import request
from flask import send_file
from flask import stream_with_context
from flask_login import current_user

from consult import storage
from consult.analysis.views import consultation_and_tree
from consult.audit import services as audit
from consult.drafts.models import Status
from consult.exports import files
from consult.exports import report_cache
from consult.exports import report_jobs
from consult.extensions import db
from consult.i18n import current_lang
from consult.permissions import can_analyse
from consult.permissions import can_view_consultation
from consult.permissions import public
from consult.permissions import requires
from consult.readside import quotes
from consult.security import commit_bookkeeping

bp = Blueprint("exports", __name__)

DELIMITERS = {"semicolon": ";", "comma": ","}
#: What the public may download: the report, and the open data of published input.
REPORT_FILES = {("report", "pdf"), ("report", "docx"), ("open-data", "csv"), ("open-data", "json")}


def _lang() -> str:
    lang = request.args.get("lang") or current_lang()
    return lang if lang in ("da", "en") else "da"


def _name(consultation, suffix: str, fmt: str) -> str:
    return f"{consultation.slug}-{suffix}.{fmt}"


def _send(consultation, tree, fmt: str, name: str, *, public: bool, lang: str):
    """Stream CSV and JSON; build XLSX, DOCX and PDF in a temporary file and send it."""
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt in ("csv", "json"):
        delimiter = DELIMITERS.get(request.args.get("delimiter", ""), ";")
        chunks = files.text_chunks(
            fmt, consultation, tree, public=public, lang=lang, delimiter=delimiter
        )
        # content_type, not mimetype: Werkzeug would add a second "; charset=utf-8".
        return Response(stream_with_context(chunks), content_type=files.MEDIA[fmt], headers=headers)
    path = files.temporary(fmt, consultation, tree, public=public, lang=lang)
    # Open, then remove the name: the file lives while it is being sent, and never longer.
    source = open(path, "rb")  # noqa: SIM115 - send_file closes it
    os.unlink(path)
    return send_file(source, mimetype=files.MEDIA[fmt], as_attachment=True, download_name=name)


# --- the secretariat's exports -----------------------------------------------------------------


@bp.route("/staff/consultations/<slug>/exports/")
@requires(can_analyse)
def list_exports(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    # The memo quotes only moderated text: say how much is still waiting before it is built.
    waiting = sum(quotes.waiting_by_goal(consultation.id).values())
    return render_template("exports/export_list.html", consultation=consultation, waiting=waiting)


@bp.route("/staff/consultations/<slug>/exports/<fmt>")
@requires(can_analyse)
def download(slug: str, fmt: str):
    if fmt not in files.FORMATS:
        abort(404)
    consultation, tree = consultation_and_tree(slug)
    lang = _lang()
    # Written before the file goes: a download that fails half-way is still on record.
    audit.record(
        current_user,
        "exports.download",
        "consultation",
        consultation.id,
        consultation_id=consultation.id,
        reason=fmt,
        lang=lang,
    )
    db.session.commit()
    suffix = "hoeringsnotat" if fmt == "docx" else "input"
    return _send(consultation, tree, fmt, _name(consultation, suffix, fmt), public=False, lang=lang)


# --- the public report and open data -------------------------------------------------------------


def _visible(slug: str, *, report: bool):
    consultation, tree = consultation_and_tree(slug)
    if not can_view_consultation(current_user, consultation):
        abort(404)
    # The report is public once the memo is published; the secretariat may preview it.
    if report and consultation.status is not Status.PUBLISHED and not can_analyse(current_user):
        abort(404)
    return consultation, tree


#: Inputs quoted under each reply on the report page; the rest are a link away.
QUOTES_SHOWN = 3


def _ensure_building(consultation, built) -> None:
    """Queue a build when the current one is not stored (one pending at most)."""
    if built is None or not built.is_current:
        report_jobs.request_build(consultation)
        # A GET: on a busy SQLite file skip it; the next reader queues it.
        commit_bookkeeping()


def _preparing(consultation, status: int):
    """The report has never been built: say so, and that the page will have it soon."""
    response = make_response(
        render_template(
            "exports/report_preparing.html",
            consultation=consultation,
            refresh_seconds=PREPARING_RETRY_SECONDS,
        ),
        status,
    )
    response.headers["Retry-After"] = str(PREPARING_RETRY_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


#: How soon a reader waiting for the first build is told to look again (and the page reloads).
PREPARING_RETRY_SECONDS = 20


@bp.route("/consultations/<slug>/report/")
@public
def show_report(slug: str):
    """The newest stored build of the report; it is never built here (see report_jobs)."""
    consultation, tree = _visible(slug, report=True)
    built = report_cache.lookup(consultation, tree, current_lang())
    _ensure_building(consultation, built)
    if built is None:
        return _preparing(consultation, 200)
    try:
        memo = built.memo()
    except storage.FileMissing:  # removed by a newer build a moment ago
        return _preparing(consultation, 200)
    return render_template(
        "exports/report_show.html",
        consultation=consultation,
        memo=memo,
        is_updating=not built.is_current,
        refresh_seconds=PREPARING_RETRY_SECONDS,
        quotes_shown=QUOTES_SHOWN,
        chart_src=lambda goal: "data:image/png;base64," + base64.b64encode(goal.chart_png).decode(),
    )


@bp.route("/consultations/<slug>/report/<kind>.<fmt>")
@public
def download_report(slug: str, kind: str, fmt: str):
    if (kind, fmt) not in REPORT_FILES:
        abort(404)
    consultation, tree = _visible(slug, report=kind == "report")
    name = _name(consultation, kind, fmt)
    if kind == "report":
        built = report_cache.lookup(consultation, tree, _lang(), fmt)
        _ensure_building(consultation, built)
        try:
            if built is None:
                raise storage.FileMissing(fmt)
            response = storage.send(built.key(fmt), mimetype=files.MEDIA[fmt], download_name=name)
        except storage.FileMissing:
            # Not built yet: a page that says so, and a status a script will not save as a file.
            return _preparing(consultation, 503)
        response.headers["X-Report-Current"] = "yes" if built.is_current else "no"
        return response
    return _send(consultation, tree, fmt, name, public=True, lang=_lang())
