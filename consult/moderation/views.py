"""The moderators' pages under /moderation: the queue, one review, the audit log, letters."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from consult.audit import labels as audit_labels
from consult.audit import services as audit
from consult.drafts import services as drafts
from consult.drafts.models import Consultation
from consult.extensions import db
from consult.i18n import localized
from consult.i18n import quote
from consult.moderation import notify
from consult.moderation import pii
from consult.moderation import services
from consult.moderation.forms import BulkPublishForm
from consult.moderation.forms import HideForm
from consult.moderation.forms import PublishForm
from consult.moderation.forms import QueueFilterForm
from consult.moderation.forms import RedactForm
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import HideReason
from consult.moderation.models import ModerationState
from consult.permissions import can_moderate
from consult.permissions import requires
from consult.readside import labels
from consult.responses import letters
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

PER_PAGE = 50
#: The query-string keys the queue's filters use: kept when moving between reviews.
FILTER_KEYS = ("consultation", "item", "flag", "older_than")


@bp.context_processor
def _labels():
    return {
        "action_labels": action_labels(),
        "audit_action": audit_labels.action_label,
        "audit_subject": audit_labels.subject_text,
        "kinds": ContributionKind,
        "states": ModerationState,
    }


def action_labels() -> dict[str, str]:
    return {code: str(label) for code, label in audit_labels.ACTIONS.items()}


def error_message(error: services.ModerationError) -> str:
    return {
        "changed": _("The respondent changed the text while you read it. Read it again."),
        "withheld": _("The respondent chose not to publish this; there is nothing to review."),
        "letter_redaction": _("Parts of a letter cannot be removed: publish it or hide it."),
        "bad_span": _("A chosen part is not in the text. Read it again."),
        "nothing_chosen": _("Choose a flagged part, or type the words to remove."),
        "note_required": _("Say why, when the reason is Other."),
    }.get(error.code, _("That could not be done."))


def _filters(form: QueueFilterForm) -> services.QueueFilter:
    flag = form.flag.data if form.flag.data in services.FLAG_FILTERS else "any"
    return services.QueueFilter(
        consultation_id=form.consultation.data,
        item_id=form.item.data,
        flag=flag,
        older_than_days=form.older_than.data if form.older_than.data in (1, 3, 7) else None,
    )


def _filter_args() -> dict[str, str]:
    """The queue's filters from the current URL: carried from the queue to a review and back."""
    return {k: v for k in FILTER_KEYS if (v := request.args.get(k))}


def _filter_form() -> QueueFilterForm:
    form = QueueFilterForm(formdata=request.args)
    consultations = db.session.scalars(
        select(Consultation).order_by(Consultation.closes_at.desc())
    ).all()
    form.consultation.choices = [("", _("All consultations"))] + [
        (c.id, localized(c, "title")[0]) for c in consultations
    ]
    form.item.choices = [("", _("All goals and initiatives"))]
    chosen = next((c for c in consultations if c.id == form.consultation.data), None)
    if chosen is not None and (version := drafts.current_version(chosen)) is not None:
        form.item.choices += [
            (n.item.id, localized(n.revision, "title")[0])
            for n in drafts.load_tree(version).commentable()
        ]
    return form


def _with_context(query):
    """Load what a queue row or review shows, in a fixed number of queries."""
    return query.options(
        joinedload(Contribution.response)
        .joinedload(Response.respondent)
        .joinedload(Respondent.respondent_type),
        joinedload(Contribution.input).joinedload(Input.revision),
        joinedload(Contribution.letter),
        selectinload(Contribution.flags),
    )


@bp.route("/")
@requires(can_moderate)
def list_queue():
    form = _filter_form()
    query = _with_context(services.queue_query(_filters(form)))
    page = db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False
    )
    return render_template(
        "moderation/queue_list.html",
        form=form,
        page=page,
        bulk=BulkPublishForm(),
        filter_args=_filter_args(),
        clean={c.id for c in page.items if services.is_clean(c)},
        # Nothing is ticked unless the moderator asked for the whole page: a link, so it works
        # without JavaScript, and only for the page they are looking at.
        select_all=request.args.get("select") == "all",
    )


@bp.route("/bulk-publish", methods=["POST"])
@requires(can_moderate)
def bulk_publish():
    form = BulkPublishForm()
    if form.validate_on_submit():
        ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()][:PER_PAGE]
        published = services.bulk_publish(ids, current_user)
        notify.notify_reviewed({c.response_id for c in published})
        db.session.commit()
        skipped = len(ids) - len(published)
        flash(
            ngettext("%(num)d published.", "%(num)d published.", len(published))
            + (
                " "
                + ngettext(
                    "%(num)d was flagged or changed and needs a review of its own.",
                    "%(num)d were flagged or changed and need a review of their own.",
                    skipped,
                )
                if skipped
                else ""
            ),
            "success",
        )
    return redirect(url_for("moderation.list_queue", **_filter_args()))


def _contribution(contribution_id: int) -> Contribution:
    contribution = db.session.scalar(
        _with_context(select(Contribution)).where(Contribution.id == contribution_id)
    )
    if contribution is None:
        abort(404)
    return contribution


def _span_choices(contribution: Contribution) -> list[tuple[str, str]]:
    texts = services.texts_of(contribution)
    return [
        (
            f"{f.field}:{f.start}:{f.end}",
            f"{labels.PERSONAL_DATA[f.kind]}: {quote(texts.get(f.field, '')[f.start : f.end])}",
        )
        for f in contribution.flags
        if f.field in texts and f.end <= len(texts[f.field])
    ]


def _segments(contribution: Contribution) -> dict[str, list]:
    """Each field's text split into plain and flagged pieces, for highlighting."""
    texts = services.texts_of(contribution)
    return {
        name: pii.highlight(
            text,
            [
                pii.Flag(f.start, f.end, pii.Kind(f.kind))
                for f in contribution.flags
                if f.field == name and f.end <= len(text)
            ],
        )
        for name, text in texts.items()
        if text
    }


def _review_page(contribution: Contribution, publish_form=None, redact_form=None, hide_form=None):
    fingerprint = {"fingerprint": contribution.fingerprint}
    redact_form = redact_form or RedactForm(
        formdata=None,
        prefix="redact",
        data={**fingerprint, "spans": [value for value, _label in _span_choices(contribution)]},
    )
    redact_form.spans.choices = _span_choices(contribution)
    return render_template(
        "moderation/contribution_show.html",
        contribution=contribution,
        segments=_segments(contribution),
        publish_form=publish_form or PublishForm(formdata=None, prefix="publish", data=fingerprint),
        redact_form=redact_form,
        hide_form=hide_form or HideForm(formdata=None, prefix="hide", data=fingerprint),
        events=audit.events_for("contribution", contribution.id),
        filter_args=_filter_args(),
    )


@bp.route("/contributions/<int:contribution_id>")
@requires(can_moderate)
def show_contribution(contribution_id: int):
    return _review_page(_contribution(contribution_id))


def _after_review(contribution: Contribution, message: str):
    notify.notify_reviewed({contribution.response_id})
    db.session.commit()
    flash(message, "success")
    following = db.session.scalar(
        services.queue_query(_filters(QueueFilterForm(formdata=request.args))).limit(1)
    )
    if following is None:
        flash(_("The queue is empty."), "info")
        return redirect(url_for("moderation.list_queue", **_filter_args()))
    return redirect(
        url_for("moderation.show_contribution", contribution_id=following.id, **_filter_args())
    )


def _review(contribution: Contribution, form, action, done: str, form_arg: str):
    """Run a review ``action`` for a valid form; show the page again with the message if not.

    ``action`` returns False when it put a message beside a field itself.
    """
    if form.validate_on_submit():
        try:
            if action() is not False:
                return _after_review(contribution, done)
        except services.ModerationError as error:
            form.form_errors.append(error_message(error))
    return _review_page(contribution, **{form_arg: form})


@bp.route("/contributions/<int:contribution_id>/publish", methods=["POST"])
@requires(can_moderate)
def publish_contribution(contribution_id: int):
    contribution = _contribution(contribution_id)
    form = PublishForm(prefix="publish")
    return _review(
        contribution,
        form,
        lambda: services.publish(contribution, current_user, fingerprint=form.fingerprint.data),
        _("Published."),
        "publish_form",
    )


def _chosen_spans(form: RedactForm, contribution: Contribution) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = {}
    for value in form.spans.data or []:
        name, start, end = value.split(":")
        spans.setdefault(name, []).append((int(start), int(end)))
    phrases = [p for p in (form.phrases.data or "").splitlines() if p.strip()]
    texts = services.texts_of(contribution)
    missing = []
    for phrase in phrases:
        found = False
        for name, text in texts.items():
            hits = services.spans_of_phrases(text, [phrase])
            spans.setdefault(name, []).extend(hits)
            found = found or bool(hits)
        if not found:
            missing.append(phrase.strip())
    if missing:
        form.phrases.errors.append(
            _("Not found in the text: %(phrases)s", phrases="; ".join(missing))
        )
    return spans


@bp.route("/contributions/<int:contribution_id>/redact", methods=["POST"])
@requires(can_moderate)
def redact_contribution(contribution_id: int):
    contribution = _contribution(contribution_id)
    form = RedactForm(prefix="redact")
    form.spans.choices = _span_choices(contribution)

    def redact():
        spans = _chosen_spans(form, contribution)
        if form.phrases.errors:
            return False
        services.redact(
            contribution,
            current_user,
            spans,
            HideReason(form.reason.data),
            form.note.data or "",
            fingerprint=form.fingerprint.data,
        )

    return _review(contribution, form, redact, _("Removed and published."), "redact_form")


@bp.route("/contributions/<int:contribution_id>/hide", methods=["POST"])
@requires(can_moderate)
def hide_contribution(contribution_id: int):
    contribution = _contribution(contribution_id)
    form = HideForm(prefix="hide")

    def hide():
        services.hide(
            contribution,
            current_user,
            HideReason(form.reason.data),
            form.note.data or "",
            fingerprint=form.fingerprint.data,
        )

    return _review(contribution, form, hide, _("Hidden."), "hide_form")


@bp.route("/contributions/<int:contribution_id>/letter")
@requires(can_moderate)
def download_letter(contribution_id: int):
    contribution = _contribution(contribution_id)
    if contribution.letter is None:
        abort(404)
    return letters.send_letter(contribution.letter)


@bp.route("/audit")
@requires(can_moderate)
def list_audit():
    consultation_id = request.args.get("consultation", type=int)
    action = request.args.get("action", "")
    action = action if action in action_labels() else ""
    page = db.paginate(
        audit.events_query(consultation_id=consultation_id, action=action or None),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "moderation/audit_list.html",
        page=page,
        consultations=db.session.scalars(
            select(Consultation).order_by(Consultation.closes_at.desc())
        ).all(),
        consultation_id=consultation_id,
        action=action,
        filter_args={k: v for k, v in (("consultation", consultation_id), ("action", action)) if v},
    )
