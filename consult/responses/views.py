"""Responding online: about you, one page per goal, ranking, comment, summary, receipt."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import make_response
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from consult.accounts.forms import EmptyForm
from consult.drafts import services as drafts
from consult.drafts.models import Consultation
from consult.drafts.models import Phase
from consult.errors import too_large_page
from consult.extensions import db
from consult.i18n import format_file_size
from consult.i18n import localized
from consult.mail.services import queue_template
from consult.moderation.models import ContributionKind
from consult.moderation.services import contributions_of
from consult.permissions import public
from consult.readside.labels import CONSENT as CONSENT_LABELS
from consult.readside.labels import STANCE as STANCE_LABELS
from consult.reference.models import HealthCluster
from consult.reference.models import Municipality
from consult.reference.models import RespondentType
from consult.reference.services import entries
from consult.responses import identity
from consult.responses import letters
from consult.responses import link_views
from consult.responses import services
from consult.responses.forms import ActionForm
from consult.responses.forms import CommentForm
from consult.responses.forms import InputForm
from consult.responses.forms import LetterForm
from consult.responses.forms import ProfileForm
from consult.responses.forms import SubmitForm
from consult.responses.link_views import consultation_or_404
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseEvent
from consult.responses.models import ResponseState
from consult.responses.models import Sector
from consult.responses.models import Stance
from consult.responses.ranking import ranking_form
from consult.responses.ranking import read_ranking
from consult.sanitize import clean_text

bp = Blueprint("responses", __name__, url_prefix="/consultations/<slug>/respond")

for _rule, _view, _methods in link_views.ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=_methods)


@bp.after_request
def _private(response):
    """Every page here is someone's own response: no browser or proxy keeps a copy."""
    if "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "private, no-store"
    response.headers["Vary"] = "Cookie"
    return response


@bp.context_processor
def _labels():
    return {
        "stance_labels": STANCE_LABELS,
        "consent_labels": CONSENT_LABELS,
        "states": ResponseState,
    }


def error_message(error: services.ResponseError) -> str:
    messages = {
        "deadline_passed": _(
            "The deadline has passed, so we could not save this. What you wrote is shown below: "
            "copy it if you want to keep it."
        ),
        "not_open": _("The consultation is not open for input."),
        "too_many_focus_areas": _(
            "Choose at most %(cap)d focus areas.", cap=error.details.get("cap", 0)
        ),
        "too_many_goals": _(
            "Choose at most %(cap)d goals in each focus area.", cap=error.details.get("cap", 0)
        ),
        "empty": _("Give input on at least one goal, or a general comment, before you send."),
        "stance_missing": _(
            "Some goals have no position chosen yet: choose one or remove the input."
        ),
        "letter_too_large": _(
            "The file is larger than %(size)s. Make it smaller, e.g. by scanning in black and "
            "white, or send it in parts by e-mail to the secretariat.",
            size=format_file_size(current_app.config["LETTER_MAX_BYTES"]),
        ),
        "letter_empty": _("The file is empty."),
        "letter_not_pdf": _(
            "The file is not a PDF. Save or export the letter as PDF and try again."
        ),
        "letter_not_organisation": _("Only organisations attach a letter."),
    }
    return messages.get(error.code, _("That could not be saved. Check what you entered."))


#: The pages that change a response: shown only while the consultation is open.
EDITING = frozenset(
    f"responses.{name}"
    for name in ("edit_profile", "edit_input", "edit_ranking", "edit_comment", "edit_letter")
)


class Context:
    """The consultation, its current draft, who responds and their response, if any yet.

    Reading never writes. Before the first save a new account has no respondent row and
    nobody has a response to this consultation: the pages show empty forms and a summary
    with nothing saved. ``start()`` makes both, on the first POST that saves something.
    """

    def __init__(self, slug: str):
        consultation = consultation_or_404(slug)
        version = drafts.current_version(consultation)
        if version is None:
            abort(404)
        if current_user.is_authenticated and not current_user.is_confirmed:
            # The address is unproved: nothing of any response, and no response of its own yet.
            abort(
                make_response(
                    render_template(
                        "responses/confirm_first.html",
                        consultation=consultation,
                        resend_form=EmptyForm(),
                    ),
                    403,
                )
            )
        if (
            request.method == "GET"
            and request.endpoint in EDITING
            and consultation.phase() is not Phase.OPEN
        ):
            # A closed consultation invites nothing: the overview says why, with what was sent.
            # (A form sent just after the deadline is answered on its page, with what was typed.)
            flash(_("The consultation is closed: the response can no longer be changed."), "info")
            abort(redirect(url_for("responses.show_response", slug=slug)))
        respondent = identity.current_respondent()
        if respondent is None and not current_user.is_authenticated:
            # Not yet known: sign in, or answer with only an e-mail address.
            abort(
                redirect(url_for("responses.start", slug=slug, next=request.full_path.rstrip("?")))
            )
        self.consultation: Consultation = consultation
        self.tree = drafts.load_tree(version)
        self.respondent: Respondent | None = respondent
        self.response: Response | None = (
            services.find_response(consultation, respondent) if respondent is not None else None
        )

    def start(self) -> Response:
        """Make the respondent (for an account) and the response: on the first save only."""
        if request.method == "GET":
            raise RuntimeError("a GET request never writes")
        if self.respondent is None:
            self.respondent = services.respondent_for_user(current_user)
        if self.response is None:
            self.response = services.response_for(self.consultation, self.respondent)
        return self.response

    @property
    def slug(self) -> str:
        return self.consultation.slug

    @property
    def has_profile(self) -> bool:
        return self.respondent is not None and self.respondent.respondent_type_id is not None

    @property
    def is_organisation(self) -> bool:
        return self.has_profile and self.respondent.respondent_type.is_organisation

    def inputs_by_item(self) -> dict[int, Input]:
        if self.response is None:
            return {}
        return {
            i.item_id: i
            for i in db.session.scalars(
                select(Input).where(
                    Input.response_id == self.response.id, Input.kind == InputKind.GOAL
                )
            )
        }


def _need_profile(ctx: Context):
    flash(_("First tell us who you answer as."), "info")
    return redirect(
        url_for("responses.edit_profile", slug=ctx.slug, next=request.full_path.rstrip("?"))
    )


def _choices(model):
    return [("", _("Choose…"))] + [
        (e.id, localized(e, "name")[0]) for e in entries(model, active_only=True)
    ]


# --- who you are ---------------------------------------------------------------------------------


def _profile_data(respondent: Respondent | None) -> dict:
    """What "About you" shows before anything is sent: the saved profile, or the account's name."""
    if respondent is None:
        return {"name": current_user.name}
    return {
        "name": respondent.name,
        "respondent_type": respondent.respondent_type_id,
        "organisation": respondent.organisation,
        "sector": respondent.sector.value if respondent.sector else None,
        "municipality": respondent.municipality_id,
        "cluster": respondent.cluster_id,
    }


@bp.route("/about-you", methods=["GET", "POST"])
@public
def edit_profile(slug: str):
    ctx = Context(slug)
    form = ProfileForm(data=None if request.method == "POST" else _profile_data(ctx.respondent))
    form.respondent_type.choices = _choices(RespondentType)
    form.municipality.choices = _choices(Municipality)
    form.cluster.choices = _choices(HealthCluster)
    if form.validate_on_submit():
        respondent_type = db.session.get(RespondentType, form.respondent_type.data)
        if respondent_type is not None and form.check_type(respondent_type):
            response = ctx.start()
            respondent = ctx.respondent
            first_time = respondent.respondent_type_id is None
            respondent.name = form.name.data or ""
            respondent.respondent_type = respondent_type
            respondent.organisation = (
                form.organisation.data if respondent_type.is_organisation else ""
            )
            respondent.sector = (
                Sector(form.sector.data)
                if respondent_type.asks_sector and form.sector.data
                else None
            )
            respondent.municipality_id = form.municipality.data
            respondent.cluster_id = form.cluster.data or _only_cluster(form.municipality.data)
            if first_time:
                response.consent = services.default_consent(respondent)
            db.session.commit()
            target = request.args.get("next", "")
            if not target.startswith(f"/consultations/{slug}/respond"):
                target = url_for("responses.show_response", slug=slug)
            return redirect(target)
    return render_template("responses/profile_form.html", ctx=ctx, form=form)


def _only_cluster(municipality_id: int | None) -> int | None:
    municipality = db.session.get(Municipality, municipality_id) if municipality_id else None
    if municipality is not None and len(municipality.clusters) == 1:
        return municipality.clusters[0].id
    return None


# --- one goal or initiative ---------------------------------------------------------------------


@bp.route("/items/<key>", methods=["GET", "POST"])
@public
def edit_input(slug: str, key: str):
    ctx = Context(slug)
    node = ctx.tree.by_key.get(key)
    if node is None or not node.kind.takes_input:
        abort(404)
    if not ctx.has_profile:
        return _need_profile(ctx)
    existing = services.input_for(ctx.response, node) if ctx.response is not None else None
    form = InputForm(
        data=None
        if request.method == "POST" or existing is None
        else {
            "stance": existing.stance.value if existing.stance else None,
            "importance": existing.importance,
            "text": existing.text,
            "proposed_wording": existing.proposed_wording,
            "preferred_alternative": existing.preferred_alternative_id,
        }
    )
    form.preferred_alternative.choices = [
        SelectChoice(a.id, f"{a.letter}: {localized(a, 'text')[0]}")
        for a in node.revision.alternatives
    ]
    if not node.revision.alternatives:
        del form.preferred_alternative
    if form.validate_on_submit():
        try:
            services.save_input(
                ctx.start(),
                node,
                stance=Stance(form.stance.data),
                importance=form.importance.data,
                text=form.text.data or "",
                proposed_wording=form.proposed_wording.data or "",
                preferred_alternative_id=form.preferred_alternative.data
                if "preferred_alternative" in form
                else None,
            )
        except services.ResponseError as error:
            form.form_errors.append(error_message(error))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            commentable = ctx.tree.commentable()
            index = commentable.index(node)
            if request.form.get("then") != "summary" and index + 1 < len(commentable):
                return redirect(
                    url_for("responses.edit_input", slug=slug, key=commentable[index + 1].key)
                )
            return redirect(url_for("responses.show_response", slug=slug))
    return render_template("responses/input_form.html", ctx=ctx, node=node, form=form)


@bp.route("/items/<key>/remove", methods=["POST"])
@public
def remove_input(slug: str, key: str):
    ctx = Context(slug)
    node = ctx.tree.by_key.get(key)
    if node is None:
        abort(404)
    if ctx.response is not None and ActionForm().validate_on_submit():
        try:
            services.remove_input(ctx.response, node)
        except services.ResponseError as error:
            flash(error_message(error), "error")
        else:
            db.session.commit()
            flash(_("Your input on this goal is removed."), "success")
    return redirect(url_for("responses.show_response", slug=slug))


# --- ranking and comment ------------------------------------------------------------------------


@bp.route("/ranking", methods=["GET", "POST"])
@public
def edit_ranking(slug: str):
    ctx = Context(slug)
    if not ctx.has_profile:
        return _need_profile(ctx)
    areas, goals = services.ranking_of(ctx.response) if ctx.response is not None else ([], {})
    form = ranking_form(ctx.tree, ctx.consultation, areas, goals)
    if form.validate_on_submit():
        chosen = read_ranking(form, ctx.tree)
        if chosen is not None:
            try:
                services.set_ranking(ctx.start(), ctx.tree, *chosen)
            except services.ResponseError as error:
                form.form_errors.append(error_message(error))
            else:
                db.session.commit()
                flash(_("Your ranking is saved."), "success")
                return redirect(url_for("responses.show_response", slug=slug))
    return render_template("responses/ranking_form.html", ctx=ctx, form=form)


@bp.route("/comment", methods=["GET", "POST"])
@public
def edit_comment(slug: str):
    ctx = Context(slug)
    if not ctx.has_profile:
        return _need_profile(ctx)
    response = ctx.response
    form = CommentForm(
        data=None
        if request.method == "POST"
        else {
            "general_comment": services.general_comment_of(response) if response else "",
            "consent": (
                response.consent if response else services.default_consent(ctx.respondent)
            ).value,
        }
    )
    if form.validate_on_submit():
        try:
            services.save_comment(
                ctx.start(), form.general_comment.data or "", Consent(form.consent.data)
            )
        except services.ResponseError as error:
            form.form_errors.append(error_message(error))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("responses.show_response", slug=slug))
    return render_template("responses/comment_form.html", ctx=ctx, form=form)


# --- an organisation's letter --------------------------------------------------------------------


def _letter_page(ctx: Context, form: LetterForm, status: int = 200):
    return (
        render_template(
            "responses/letter_form.html",
            ctx=ctx,
            form=form,
            action=ActionForm(formdata=None),
            max_size=format_file_size(current_app.config["LETTER_MAX_BYTES"]),
        ),
        status,
    )


@bp.route("/letter", methods=["GET", "POST"])
@public
def edit_letter(slug: str):
    ctx = Context(slug)
    if not ctx.has_profile:
        return _need_profile(ctx)
    if not ctx.is_organisation:
        flash(error_message(services.ResponseError("letter_not_organisation")), "info")
        return redirect(url_for("responses.show_response", slug=slug))
    form = LetterForm()
    if form.validate_on_submit():
        upload = form.letter.data
        try:
            _letter, replaced = letters.attach_letter(ctx.start(), upload.stream, upload.filename)
        except services.ResponseError as error:
            form.letter.errors.append(error_message(error))
        else:
            db.session.commit()
            letters.remove_files(replaced)
            flash(_("The letter is attached."), "success")
            return redirect(url_for("responses.show_response", slug=slug))
    return _letter_page(ctx, form)


@too_large_page("responses.edit_letter")
def letter_too_large():
    """The 413 page for an upload beyond MAX_CONTENT_LENGTH: the form, with the message."""
    ctx = Context(request.view_args["slug"])
    form = LetterForm(formdata=None)
    form.letter.errors = [error_message(services.ResponseError("letter_too_large"))]
    return _letter_page(ctx, form, 413)


@bp.route("/letter/remove", methods=["POST"])
@public
def remove_letter(slug: str):
    ctx = Context(slug)
    if ctx.response is not None and ActionForm().validate_on_submit():
        try:
            removed = letters.detach_letter(ctx.response)
        except services.ResponseError as error:
            flash(error_message(error), "error")
        else:
            db.session.commit()
            letters.remove_files(removed)
            flash(_("The letter is removed."), "success")
    return redirect(url_for("responses.show_response", slug=slug))


@bp.route("/letter/file")
@public
def download_letter(slug: str):
    """The respondent's own letter; staff read letters from their own pages."""
    ctx = Context(slug)
    letter = ctx.response.letter if ctx.response is not None else None
    if letter is None:
        abort(404)
    return letters.send_letter(letter)


# --- summary, submit, receipt, withdraw ---------------------------------------------------------


@bp.route("/", methods=["GET"])
@public
def show_response(slug: str):
    ctx = Context(slug)
    if not ctx.has_profile:
        return _need_profile(ctx)
    response = ctx.response
    areas, goals = services.ranking_of(response) if response is not None else ([], {})
    return render_template(
        "responses/response_show.html",
        ctx=ctx,
        inputs=ctx.inputs_by_item(),
        ranked_areas=areas,
        ranked_goals=goals,
        consent=response.consent if response else services.default_consent(ctx.respondent),
        submit_form=SubmitForm(),
        action=ActionForm(),
        history=services.history_of(response) if response is not None else [],
        reviews=contributions_of(response) if response is not None else {},
        kinds=ContributionKind,
        event_labels={
            "submitted": _("sent"),
            "edited": _("changed"),
            "withdrawn": _("withdrawn"),
        },
    )


@bp.route("/submit", methods=["POST"])
@public
def submit(slug: str):
    ctx = Context(slug)
    form = SubmitForm()
    if not form.validate_on_submit():
        return redirect(url_for("responses.show_response", slug=slug))
    if ctx.response is None:
        flash(error_message(services.ResponseError("empty")), "error")
        return redirect(url_for("responses.show_response", slug=slug))
    try:
        stored = services.submit_response(
            ctx.response, clean_text(form.key.data or "", multiline=False)[:64]
        )
    except services.ResponseError as error:
        flash(error_message(error), "error")
        return redirect(url_for("responses.show_response", slug=slug))
    if stored:
        # Asked at this step: e-mail me when a new version or the memo is published.
        ctx.response.wants_news = bool(form.wants_news.data)
        _send_receipt(ctx)
        db.session.commit()
    return redirect(url_for("responses.show_receipt", slug=slug))


def _send_receipt(ctx: Context) -> None:
    respondent, response = ctx.respondent, ctx.response
    with force_locale(respondent.locale or "da"):
        queue_template(
            respondent.email,
            _("Receipt for your consultation response %(number)s", number=response.receipt_number),
            "response_receipt",
            ctx=ctx,
            inputs=ctx.inputs_by_item(),
            link=url_for("responses.show_response", slug=ctx.slug, _external=True),
        )


@bp.route("/receipt")
@public
def show_receipt(slug: str):
    ctx = Context(slug)
    if ctx.response is None or ctx.response.state is not ResponseState.SUBMITTED:
        return redirect(url_for("responses.show_response", slug=slug))
    last = db.session.scalar(
        select(ResponseEvent.action)
        .where(ResponseEvent.response_id == ctx.response.id)
        .order_by(ResponseEvent.at.desc(), ResponseEvent.id.desc())
        .limit(1)
    )
    return render_template("responses/receipt_show.html", ctx=ctx, edited=last == "edited")


@bp.route("/withdraw", methods=["POST"])
@public
def withdraw(slug: str):
    ctx = Context(slug)
    if ctx.response is not None and ActionForm().validate_on_submit():
        try:
            services.withdraw_response(ctx.response)
        except services.ResponseError as error:
            flash(error_message(error), "error")
        else:
            db.session.commit()
            flash(
                _("Your response is withdrawn. You can send it again until the deadline."),
                "success",
            )
    return redirect(url_for("responses.show_response", slug=slug))
