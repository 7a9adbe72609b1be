"""A theme (a tag) and the secretariat's replies to it, under
/staff/consultations/<slug>/inputs/tags/<tag_id>.

A reply to a theme answers every input with the tag (on one goal, or on every goal) that has
no reply of its own; the høringsnotat gives it as the answer to that main point. It is written
and approved as a reply to inputs is (``inputs.approve_reply``): by a second secretariat user.
"""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select

from consult.analysis import services
from consult.analysis.forms import EmptyForm
from consult.analysis.forms import ThemeReplyForm
from consult.analysis.models import Disposition
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.analysis.views import consultation_and_tree
from consult.drafts.models import ItemKind
from consult.extensions import db
from consult.i18n import localized
from consult.permissions import can_analyse
from consult.permissions import requires
from consult.responses.models import Input
from consult.responses.models import Response
from consult.responses.models import ResponseState

bp = Blueprint("theme_replies", __name__, url_prefix="/staff/consultations/<slug>/inputs/tags")


def _message(error: services.AnalysisError) -> str:
    return {
        "too_long": _("The text is too long."),
        "reply_incomplete": _("Write the reply and choose what was done before marking it ready."),
        "reason_required": _("Say why, when the input is not or only partly incorporated."),
    }.get(error.code, _("That could not be done."))


def _counts(tag: Tag) -> dict[int, int]:
    """How many submitted inputs carry the tag, per goal, in one query."""
    return dict(
        db.session.execute(
            select(Input.item_id, func.count())
            .join(input_tags, input_tags.c.input_id == Input.id)
            .join(Response, Response.id == Input.response_id)
            .where(input_tags.c.tag_id == tag.id, Response.state == ResponseState.SUBMITTED)
            .group_by(Input.item_id)
        ).all()
    )


@bp.route("/<int:tag_id>", methods=["GET", "POST"])
@requires(can_analyse)
def show_tag(slug: str, tag_id: int):
    consultation, tree = consultation_and_tree(slug)
    tag = db.session.get(Tag, tag_id)
    if tag is None or tag.consultation_id != consultation.id:
        abort(404)
    counts = _counts(tag)
    goals = [
        node
        for area in tree.focus_areas
        for node in area.children
        if node.kind in (ItemKind.GOAL, ItemKind.INITIATIVE)
    ]
    replies = {reply.item_id: reply for reply in services.theme_replies(consultation.id)
               if reply.tag_id == tag.id}  # fmt: skip
    chosen = request.args.get("goal", type=int)
    current = replies.get(chosen)
    form = ThemeReplyForm(
        data=None
        if request.method == "POST" or current is None
        else {
            "goal": chosen,
            "text": current.text,
            "disposition": current.disposition.value if current.disposition else None,
            "reason": current.reason,
        }
    )
    form.goal.choices = [(None, _("Every goal and initiative"))] + [
        (node.item.id, localized(node.revision, "title")[0]) for node in goals
    ]
    if request.method == "GET" and current is None:
        form.goal.data = chosen if chosen in counts else None
    if form.validate_on_submit():
        try:
            services.save_theme_reply(
                current_user,
                tag,
                form.goal.data,
                text=form.text.data or "",
                disposition=Disposition(form.disposition.data) if form.disposition.data else None,
                reason=form.reason.data or "",
                ready=form.ready.data,
            )
        except services.AnalysisError as error:
            form.form_errors.append(_message(error))
        else:
            db.session.commit()
            flash(_("The reply is saved."), "success")
            return redirect(url_for(".show_tag", slug=slug, tag_id=tag.id, goal=form.goal.data))
    titles = {node.item.id: localized(node.revision, "title")[0] for node in goals}
    return render_template(
        "inputs/tag_show.html",
        consultation=consultation,
        tag=tag,
        goals=[(node, counts.get(node.item.id, 0)) for node in goals],
        replies=sorted(replies.values(), key=lambda r: (r.item_id is not None, r.item_id or 0)),
        titles=titles,
        form=form,
        approve=EmptyForm(formdata=None),
    )
