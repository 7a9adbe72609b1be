"""Published input for everyone: per goal, an organisation's whole response, and reports."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import select

from consult import http_cache
from consult.drafts import services as drafts
from consult.drafts.models import Consultation
from consult.extensions import db
from consult.extensions import limiter
from consult.moderation import services
from consult.moderation.forms import ReportForm
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import HideReason
from consult.permissions import can_view_consultation
from consult.permissions import public
from consult.readside import public as published
from consult.responses import letters
from consult.responses.models import Response
from consult.responses.models import Stance

bp = Blueprint("published", __name__, url_prefix="/consultations/<slug>")

PER_PAGE = 20


def _consultation(slug: str) -> Consultation:
    consultation = drafts.get_consultation(slug)
    if consultation is None or not can_view_consultation(current_user, consultation):
        abort(404)
    return consultation


class _KeptCountPagination(SelectPagination):
    """A page of a select whose total comes from the kept counts, not from counting rows."""

    def _query_count(self) -> int:
        return self._query_args["total"]


@bp.route("/items/<key>/input")
@public
@http_cache.public_page(published.page_state)
def list_inputs(slug: str, key: str):
    consultation = _consultation(slug)
    version = drafts.current_version(consultation)
    node = drafts.load_tree(version).by_key.get(key) if version else None
    if node is None or not node.kind.takes_input:
        abort(404)
    # Only allow-listed values filter; anything else in the URL is ignored.
    stance = request.args.get("stance")
    stance = stance if stance in {s.value for s in Stance} else None
    type_id = request.args.get("type", type=int)
    counts = published.item_counts(node.item.id)
    types = counts.by_type
    type_id = type_id if type_id in {t.id for t, _n in types} else None
    page = _KeptCountPagination(
        select=published.published_inputs(node.item.id, stance=stance, type_id=type_id),
        session=db.session,
        total=counts.total(stance, type_id),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    filters = {k: v for k, v in (("stance", stance), ("type", type_id)) if v}
    return render_template(
        "published/input_list.html",
        consultation=consultation,
        node=node,
        page=page,
        stance_counts=counts.stances,
        type_counts=types,
        stance=stance,
        type_id=type_id,
        filters=filters,
    )


def _public_response(consultation: Consultation, response_id: int) -> Response:
    response = db.session.get(Response, response_id)
    if (
        response is None
        or response.consultation_id != consultation.id
        or not published.is_public_organisation_response(response)
    ):
        abort(404)
    return response


@bp.route("/responses/<int:response_id>")
@public
def show_response(slug: str, response_id: int):
    consultation = _consultation(slug)
    response = _public_response(consultation, response_id)
    contributions = published.published_of_response(response.id)
    if not contributions:
        abort(404)
    return render_template(
        "published/response_show.html",
        consultation=consultation,
        response=response,
        inputs=[c for c in contributions if c.kind is ContributionKind.INPUT],
        comment=next((c for c in contributions if c.kind is ContributionKind.COMMENT), None),
        letter=next((c for c in contributions if c.kind is ContributionKind.LETTER), None),
    )


@bp.route("/responses/<int:response_id>/letter")
@public
def download_letter(slug: str, response_id: int):
    consultation = _consultation(slug)
    response = _public_response(consultation, response_id)
    letter = next(
        (
            c.letter
            for c in published.published_of_response(response.id)
            if c.kind is ContributionKind.LETTER
        ),
        None,
    )
    if letter is None:
        abort(404)
    return letters.send_letter(letter)


def _report_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


@bp.route("/contributions/<int:contribution_id>/report", methods=["GET", "POST"])
@public
@limiter.limit(_report_limit, methods=["POST"])
def report_contribution(slug: str, contribution_id: int):
    consultation = _consultation(slug)
    contribution = db.session.scalar(
        select(Contribution)
        .join(Contribution.response)
        .where(
            Contribution.id == contribution_id,
            Contribution.consultation_id == consultation.id,
            *published.visible(),
        )
    )
    if contribution is None:
        abort(404)
    back = request.args.get("back", "")
    if not back.startswith(f"/consultations/{slug}/"):
        back = url_for("drafts.show_consultation", slug=slug)
    form = ReportForm()
    if form.validate_on_submit():
        reported = session.setdefault("reported", [])
        taken = contribution.id not in reported and services.report(
            contribution,
            HideReason(form.reason.data),
            form.text.data or "",
            services.reporter_key(get_remote_address()),
        )
        if taken:
            session["reported"] = [*reported, contribution.id][-200:]
        db.session.commit()
        flash(
            _("Thank you. A moderator will look at it.")
            if taken
            else _("You have already reported this. A moderator will look at it."),
            "success",
        )
        return redirect(back)
    return render_template(
        "published/report_form.html",
        consultation=consultation,
        contribution=contribution,
        form=form,
    )
