"""Downloads: the secretariat's exports (audited), and the public report with its open data."""

from __future__ import annotations

import base64

from flask import Blueprint
from flask import Response
from flask import abort
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_login import current_user

from consult import jobs
from consult import storage
from consult.analysis.views import consultation_and_tree
from consult.audit import services as audit
from consult.drafts.models import Status
from consult.exports import files
from consult.exports import jobs as export_jobs
from consult.exports import report_cache
from consult.exports import report_jobs
from consult.exports import tabular
from consult.exports.forms import ExportForm
from consult.extensions import db
from consult.i18n import current_lang
from consult.permissions import can_analyse
from consult.permissions import can_read_exports
from consult.permissions import can_view_consultation
from consult.permissions import public
from consult.permissions import requires
from consult.readside import quotes
from consult.security import commit_bookkeeping

bp = Blueprint("exports", __name__)

DELIMITERS = {"semicolon": ";", "comma": ","}
#: Seconds between the status page's reloads while an export is being made.
REFRESH_SECONDS = 3
#: What the public may download: the report, and the open data of published input.
REPORT_FILES = {
    ("report", "pdf"),
    ("report", "docx"),
    ("open-data", "csv"),
    ("open-data", "json"),
    ("rankings", "csv"),
    ("comments", "csv"),
    ("letters", "csv"),
}


def _lang() -> str:
    lang = request.args.get("lang") or current_lang()
    return lang if lang in ("da", "en") else "da"


def _name(consultation, suffix: str, fmt: str) -> str:
    return f"{consultation.slug}-{suffix}.{fmt}"


def _send_rankings(consultation, tree, *, public: bool, lang: str):
    """What respondents ranked, as a CSV of its own (aggregates only; small, made now)."""
    delimiter = DELIMITERS.get(request.args.get("delimiter", ""), ";")
    text = tabular.rankings_csv(consultation, tree, public=public, lang=lang, delimiter=delimiter)
    name = _name(consultation, "rankings", "csv")
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(text, content_type=files.MEDIA["csv"], headers=headers)


def _send_statements(consultation, kind: str, *, public: bool, lang: str):
    """The general comments or the letters as a CSV of their own, streamed (public: published
    comments' text, letters named only)."""
    delimiter = DELIMITERS.get(request.args.get("delimiter", ""), ";")
    chunks = files.statement_chunks(
        kind, consultation, public=public, lang=lang, delimiter=delimiter
    )
    name = _name(consultation, kind, "csv")
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(stream_with_context(chunks), content_type=files.MEDIA["csv"], headers=headers)


def _send_open_data(consultation, tree, fmt: str, name: str, *, lang: str):
    """Stream the open data (CSV or JSON) as it is made."""
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    delimiter = DELIMITERS.get(request.args.get("delimiter", ""), ";")
    chunks = files.text_chunks(fmt, consultation, tree, public=True, lang=lang, delimiter=delimiter)
    # content_type, not mimetype: Werkzeug would add a second "; charset=utf-8".
    return Response(stream_with_context(chunks), content_type=files.MEDIA[fmt], headers=headers)


# --- the secretariat's exports: each one a job (consult/exports/jobs.py) -------------------------


def _export_page(consultation, form: ExportForm, status: int = 200):
    # The memo quotes only moderated text: say how much is still waiting before it is built.
    waiting = sum(quotes.waiting_by_goal(consultation.id).values())
    recent = export_jobs.recent(consultation.id, current_user.id)
    return (
        render_template(
            "exports/export_list.html",
            consultation=consultation,
            waiting=waiting,
            form=form,
            recent=recent,
            is_expired=export_jobs.is_expired,
            keep_hours=export_jobs.keep_hours(),
        ),
        status,
    )


@bp.route("/staff/consultations/<slug>/exports/")
@requires(can_analyse)
def list_exports(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    return _export_page(consultation, ExportForm(lang=_lang()))


@bp.route("/staff/consultations/<slug>/exports/", methods=["POST"])
@requires(can_analyse)
def start_export(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    form = ExportForm()
    if not form.validate_on_submit():
        return _export_page(consultation, form, 400)
    fmt, lang = form.fmt.data, form.lang.data
    delimiter = form.delimiter.data if fmt == "csv" else "semicolon"
    # A worker builds it (a million inputs take minutes); a second click finds it under way.
    job = jobs.enqueue(
        export_jobs.KIND,
        topic=export_jobs.topic(consultation.id, current_user.id, fmt, lang, delimiter),
        requested_by=current_user,
        once=True,
        consultation_id=consultation.id,
        fmt=fmt,
        lang=lang,
        delimiter=export_jobs.DELIMITERS[delimiter],
        public=False,
    )
    db.session.commit()
    return redirect(url_for("exports.show_export", slug=slug, job_id=job.id))


@bp.route("/staff/consultations/<slug>/exports/rankings.csv")
@requires(can_analyse)
def download_rankings(slug: str):
    """The secretariat's rankings CSV: every group, however small (the public file leaves out
    figures of fewer than five respondents)."""
    consultation, tree = consultation_and_tree(slug)
    lang = _lang()
    _record_download(consultation, "rankings-csv", lang)
    return _send_rankings(consultation, tree, public=False, lang=lang)


@bp.route("/staff/consultations/<slug>/exports/<any(comments, letters):kind>.csv")
@requires(can_analyse)
def download_statements(slug: str, kind: str):
    """The secretariat's CSV of the general comments or of the letters (with the text read
    out of each letter, CPR numbers masked)."""
    consultation, _tree = consultation_and_tree(slug)
    lang = _lang()
    _record_download(consultation, f"{kind}-csv", lang)
    return _send_statements(consultation, kind, public=False, lang=lang)


def _record_download(consultation, what: str, lang: str | None, **details) -> None:
    """Put a staff download on the audit log, committed before the file goes: a download that
    fails half-way is still on record."""
    audit.record(
        current_user,
        "exports.download",
        "consultation",
        consultation.id,
        consultation_id=consultation.id,
        reason=what,
        lang=lang,
        **details,
    )
    db.session.commit()


def _own_export(slug: str, job_id: int):
    """The consultation and the export job, if it is this person's export of it; else 404."""
    consultation, _tree = consultation_and_tree(slug)
    job = jobs.get(job_id)
    if (
        job is None
        or job.kind != export_jobs.KIND
        or job.requested_by_id != current_user.id
        or job.args.get("consultation_id") != consultation.id
    ):
        abort(404)
    return consultation, job


@bp.route("/staff/consultations/<slug>/exports/<int:job_id>")
@requires(can_read_exports)
def show_export(slug: str, job_id: int):
    consultation, job = _own_export(slug, job_id)
    args = job.args
    again = ExportForm(
        formdata=None,
        fmt=args.get("fmt"),
        lang=args.get("lang"),
        delimiter="comma" if args.get("delimiter") == "," else "semicolon",
    )
    return render_template(
        "exports/export_show.html",
        consultation=consultation,
        job=job,
        expired=export_jobs.is_expired(job),
        again=again,
        is_expired=export_jobs.is_expired,
        keep_hours=export_jobs.keep_hours(),
        refresh_seconds=REFRESH_SECONDS,
        can_start=can_analyse(current_user),
    )


@bp.route("/staff/consultations/<slug>/exports/<int:job_id>/file")
@requires(can_read_exports)
def download_export(slug: str, job_id: int):
    consultation, job = _own_export(slug, job_id)
    result = job.result or {}
    stored = result.get("key")
    if job.state is not jobs.JobState.DONE or not stored or export_jobs.is_expired(job):
        abort(404)
    if not storage.exists(stored):
        abort(404)
    fmt = result["format"]
    _record_download(consultation, fmt, job.args.get("lang"), job=job.id)
    try:
        return storage.send(stored, mimetype=files.MEDIA[fmt], download_name=result["name"])
    except storage.FileMissing:
        abort(404)


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
    if kind == "rankings":
        return _send_rankings(consultation, tree, public=True, lang=_lang())
    if kind in ("comments", "letters"):
        return _send_statements(consultation, kind, public=True, lang=_lang())
    return _send_open_data(consultation, tree, fmt, name, lang=_lang())
