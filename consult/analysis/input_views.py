"""Working on input under /staff/consultations/<slug>/inputs: the browser, one input, tags,
groups of near-identical texts, replies and their approval."""

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
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from consult import jobs
from consult.accounts.models import Role
from consult.accounts.models import User
from consult.analysis import browser
from consult.analysis import services
from consult.analysis.forms import ApplyTagForm
from consult.analysis.forms import AssignForm
from consult.analysis.forms import CampaignForm
from consult.analysis.forms import EmptyForm
from consult.analysis.forms import ReplyForm
from consult.analysis.forms import TagForm
from consult.analysis.jobs import KIND as FIND_DUPLICATES
from consult.analysis.jobs import topic
from consult.analysis.models import Disposition
from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.analysis.models import Tag
from consult.analysis.views import consultation_and_tree
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.permissions import can_analyse
from consult.permissions import requires
from consult.reference.models import HealthCluster
from consult.reference.models import RespondentType
from consult.reference.services import entries
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Respondent
from consult.responses.models import Response

bp = Blueprint("inputs", __name__, url_prefix="/staff/consultations/<slug>/inputs")

PER_PAGE = 50


def error_message(error: services.AnalysisError) -> str:
    return {
        "tag_name": _("Give the tag a name."),
        "tag_taken": _("There is a tag with that name already."),
        "too_long": _("The text is too long."),
        "reply_incomplete": _("Write the reply and choose what was done before marking it ready."),
        "reason_required": _("Say why, when the input is not or only partly incorporated."),
        "not_drafted": _("Only a reply marked ready can be approved."),
        "own_reply": _("Another secretariat user must approve your reply."),
    }.get(error.code, _("That could not be done."))


def _colleagues() -> list[User]:
    return db.session.scalars(
        select(User)
        .where(User.role.in_((Role.SECRETARIAT, Role.ADMIN)), ~User.is_disabled)
        .order_by(User.name, User.email)
    ).all()


def _selection(consultation, f: browser.BrowseFilter, form):
    """The ids an action applies to: the ticked rows, or the whole filtered selection."""
    ids = browser.matching_ids(consultation.id, f)
    if form.scope.data != "all":
        ticked = [int(v) for v in request.form.getlist("ids") if v.isdigit()][:PER_PAGE]
        ids = ids.where(Input.id.in_(ticked))
    return ids


def _back(slug: str, f: browser.BrowseFilter):
    return redirect(url_for("inputs.browse", slug=slug, **f.to_args()))


@bp.route("/")
@requires(can_analyse)
def browse(slug: str):
    consultation, tree = consultation_and_tree(slug)
    f = browser.BrowseFilter.from_args(request.args)
    page = db.paginate(
        browser.browse(consultation.id, f),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
        count=False,
    )
    # Counted on the lean query: the page's eager loads add joins a count does not need.
    page.total = db.session.scalar(
        select(func.count()).select_from(browser.matching_ids(consultation.id, f).subquery())
    )
    tags = services.tags_of(consultation.id)
    colleagues = _colleagues()
    letter_inputs = [i.id for i in page.items if i.kind is InputKind.LETTER]
    letter_links = (
        dict(
            db.session.execute(
                select(Contribution.input_id, Contribution.id).where(
                    Contribution.input_id.in_(letter_inputs)
                )
            ).all()
        )
        if letter_inputs
        else {}
    )
    tag_form = ApplyTagForm(formdata=None)
    tag_form.tag.choices = [(t.id, t.name) for t in tags]
    assign_form = AssignForm(formdata=None)
    assign_form.assignee.choices = [("", _("Nobody"))] + [
        (u.id, u.name or u.email) for u in colleagues
    ]
    return render_template(
        "inputs/browse.html",
        consultation=consultation,
        tree=tree,
        f=f,
        args=f.to_args(),
        page=page,
        tags=tags,
        types=entries(RespondentType, active_only=False),
        clusters=entries(HealthCluster, active_only=False),
        colleagues=colleagues,
        groups=db.session.scalars(
            select(DuplicateGroup)
            .where(DuplicateGroup.consultation_id == consultation.id)
            .order_by(DuplicateGroup.size.desc())
        ).all(),
        tag_form=tag_form,
        assign_form=assign_form,
        letter_links=letter_links,
        # Inputs without a reply of their own that a reply to one of their themes answers.
        theme_replies=browser.theme_replies_of([i.id for i in page.items]),
        reply_form=ReplyForm(formdata=None),
    )


@bp.route("/tag", methods=["POST"])
@requires(can_analyse)
def apply_tag(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    f = browser.BrowseFilter.from_args(request.args)
    form = ApplyTagForm()
    form.tag.choices = [(t.id, t.name) for t in services.tags_of(consultation.id)]
    if form.validate_on_submit() and form.tag.data:
        tag = db.session.get(Tag, form.tag.data)
        ids = _selection(consultation, f, form)
        if form.remove.data:
            n = services.untag_inputs(tag, ids)
            message = ngettext("Tag taken off %(num)d input.", "Tag taken off %(num)d inputs.", n)
        else:
            n = services.tag_inputs(tag, ids)
            message = ngettext("Tag put on %(num)d input.", "Tag put on %(num)d inputs.", n)
        db.session.commit()
        flash(message, "success")
    else:
        flash(_("Choose a tag."), "error")
    return _back(slug, f)


@bp.route("/assign", methods=["POST"])
@requires(can_analyse)
def assign(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    f = browser.BrowseFilter.from_args(request.args)
    form = AssignForm()
    colleagues = {u.id: u for u in _colleagues()}
    form.assignee.choices = [("", "")] + [(i, "") for i in colleagues]
    if form.validate_on_submit():
        n = services.assign(_selection(consultation, f, form), colleagues.get(form.assignee.data))
        db.session.commit()
        flash(ngettext("%(num)d input assigned.", "%(num)d inputs assigned.", n), "success")
    return _back(slug, f)


def _reply_from(form: ReplyForm, consultation, ids, reply: Reply | None = None) -> Reply | None:
    try:
        saved = services.save_reply(
            consultation.id,
            current_user,
            ids,
            text=form.text.data or "",
            disposition=Disposition(form.disposition.data) if form.disposition.data else None,
            reason=form.reason.data or "",
            ready=form.ready.data,
            reply=reply,
        )
    except services.AnalysisError as error:
        form.form_errors.append(error_message(error))
        return None
    db.session.commit()
    return saved


@bp.route("/reply", methods=["POST"])
@requires(can_analyse)
def reply_to_selection(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    f = browser.BrowseFilter.from_args(request.args)
    form = ReplyForm()
    if form.validate_on_submit():
        ids = _selection(consultation, f, form)
        count = db.session.scalar(select(func.count()).select_from(ids.subquery()))
        if count and _reply_from(form, consultation, ids) is not None:
            flash(
                ngettext(
                    "One reply saved for %(num)d input.",
                    "One reply saved for %(num)d inputs.",
                    count,
                ),
                "success",
            )
        else:
            for message in form.form_errors or [_("Nothing was chosen.")]:
                flash(message, "error")
    return _back(slug, f)


def _input(consultation, input_id: int) -> Input:
    found = db.session.scalar(
        select(Input)
        .join(Response, Response.id == Input.response_id)
        .options(
            joinedload(Input.response)
            .joinedload(Response.respondent)
            .joinedload(Respondent.respondent_type),
            joinedload(Input.response).joinedload(Response.letter),
            joinedload(Input.reply),
            selectinload(Input.tags),
        )
        .where(Input.id == input_id, Response.consultation_id == consultation.id)
    )
    if found is None:
        abort(404)
    return found


@bp.route("/<int:input_id>", methods=["GET", "POST"])
@requires(can_analyse)
def show_input(slug: str, input_id: int):
    consultation, tree = consultation_and_tree(slug)
    item = _input(consultation, input_id)
    reply = item.reply
    form = ReplyForm(
        data=None
        if request.method == "POST" or reply is None
        else {
            "text": reply.text,
            "disposition": reply.disposition.value if reply.disposition else None,
            "reason": reply.reason,
            "ready": False,
        }
    )
    if form.validate_on_submit():
        ids = select(Input.id).where(Input.id == item.id)
        if reply is not None:
            # A shared reply changes for everyone it answers.
            ids = select(Input.id).where(Input.reply_id == reply.id)
        if _reply_from(form, consultation, ids, reply) is not None:
            flash(_("The reply is saved."), "success")
            return redirect(url_for("inputs.show_input", slug=slug, input_id=item.id))
    contribution = db.session.scalar(select(Contribution).where(Contribution.input_id == item.id))
    tags = services.tags_of(consultation.id)
    tag_form = ApplyTagForm(formdata=None)
    tag_form.tag.choices = [(t.id, t.name) for t in tags]
    return render_template(
        "inputs/input_show.html",
        consultation=consultation,
        tree=tree,
        item=item,
        form=form,
        shared=services.inputs_of_reply(reply) if reply else 0,
        contribution=contribution,
        tag_form=tag_form,
        approve=EmptyForm(formdata=None),
    )


@bp.route("/replies/<int:reply_id>/approve", methods=["POST"])
@requires(can_analyse)
def approve_reply(slug: str, reply_id: int):
    consultation, _tree = consultation_and_tree(slug)
    reply = db.session.get(Reply, reply_id)
    if reply is None or reply.consultation_id != consultation.id:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            services.approve_reply(reply, current_user)
        except services.AnalysisError as error:
            flash(error_message(error), "error")
        else:
            db.session.commit()
            flash(_("Approved: the reply is final."), "success")
    target = request.form.get("next", "")
    if not target.startswith(f"/staff/consultations/{slug}/"):
        target = url_for("inputs.browse", slug=slug)
    return redirect(target)


@bp.route("/tags", methods=["GET", "POST"])
@requires(can_analyse)
def list_tags(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    form = TagForm()
    if form.validate_on_submit():
        try:
            services.create_tag(consultation.id, form.name.data, form.description.data or "")
        except services.AnalysisError as error:
            form.name.errors.append(error_message(error))
        else:
            db.session.commit()
            flash(_("The tag is added."), "success")
            return redirect(url_for("inputs.list_tags", slug=slug))
    # Where the answer to each theme stands: approved replies, and replies still being written.
    answers: dict[int, dict[str, int]] = {}
    for tag_id, state, n in db.session.execute(
        select(Reply.tag_id, Reply.state, func.count())
        .join(Tag, Tag.id == Reply.tag_id)
        .where(Tag.consultation_id == consultation.id)
        .group_by(Reply.tag_id, Reply.state)
    ):
        key = "approved" if state is ReplyState.APPROVED else "working"
        answers.setdefault(tag_id, {"approved": 0, "working": 0})[key] += n
    return render_template(
        "inputs/tag_list.html",
        consultation=consultation,
        form=form,
        counts=services.tag_counts(consultation.id),
        answers=answers,
    )


@bp.route("/groups")
@requires(can_analyse)
def list_groups(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    page = db.paginate(
        select(DuplicateGroup)
        .where(DuplicateGroup.consultation_id == consultation.id)
        .order_by(DuplicateGroup.is_campaign.desc(), DuplicateGroup.size.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "inputs/group_list.html",
        consultation=consultation,
        page=page,
        job=jobs.latest(FIND_DUPLICATES, topic(consultation)),
        action=EmptyForm(formdata=None),
        campaign_forms={
            g.id: CampaignForm(
                formdata=None, prefix=f"g{g.id}", label=g.label, is_campaign=g.is_campaign
            )
            for g in page.items
        },
    )


@bp.route("/groups/find", methods=["POST"])
@requires(can_analyse)
def find_groups(slug: str):
    consultation, _tree = consultation_and_tree(slug)
    if EmptyForm().validate_on_submit():
        # A worker does it (100,000 texts take minutes); a second click finds it under way.
        jobs.enqueue(
            FIND_DUPLICATES,
            topic=topic(consultation),
            requested_by=current_user,
            once=True,
            consultation_id=consultation.id,
        )
        db.session.commit()
    return redirect(url_for("inputs.list_groups", slug=slug))


@bp.route("/groups/<int:group_id>", methods=["POST"])
@requires(can_analyse)
def label_group(slug: str, group_id: int):
    consultation, _tree = consultation_and_tree(slug)
    group = db.session.get(DuplicateGroup, group_id)
    if group is None or group.consultation_id != consultation.id:
        abort(404)
    form = CampaignForm(prefix=f"g{group.id}")
    if form.validate_on_submit():
        group.is_campaign = form.is_campaign.data
        group.label = form.label.data or ""
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("inputs.list_groups", slug=slug, page=request.args.get("page")))
