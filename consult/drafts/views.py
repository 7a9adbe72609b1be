"""Public pages: the list of consultations, a consultation's draft, one item, a print view."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template
from flask_login import current_user

from consult.drafts import services
from consult.drafts.models import Consultation
from consult.extensions import db
from consult.permissions import can_view_consultation
from consult.permissions import is_staff
from consult.permissions import public
from consult.readside import public as published

bp = Blueprint("drafts", __name__)


def _visible_consultation(slug: str) -> Consultation:
    consultation = services.get_consultation(slug)
    # A draft is for staff only: to everyone else it does not exist.
    if consultation is None or not can_view_consultation(current_user, consultation):
        abort(404)
    return consultation


def _tree_of(consultation: Consultation) -> services.Tree:
    version = services.current_version(consultation)
    if version is None:
        abort(404)
    return services.load_tree(version)


@bp.route("/")
@public
def list_consultations():
    listing = services.list_consultations(include_drafts=is_staff(current_user))
    return render_template("drafts/consultation_list.html", listing=listing)


@bp.route("/consultations/<slug>/")
@public
def show_consultation(slug: str):
    consultation = _visible_consultation(slug)
    tree = _tree_of(consultation)
    return render_template("drafts/consultation_show.html", consultation=consultation, tree=tree)


@bp.route("/consultations/<slug>/items/<key>")
@public
def show_item(slug: str, key: str):
    consultation = _visible_consultation(slug)
    tree = _tree_of(consultation)
    node = tree.by_key.get(key)
    if node is None or not node.kind.takes_input:
        abort(404)
    siblings = tree.commentable()
    index = siblings.index(node)
    return render_template(
        "drafts/item_show.html",
        consultation=consultation,
        tree=tree,
        node=node,
        stance_counts=published.stance_counts(node.item.id),
        latest=db.session.scalars(published.published_inputs(node.item.id).limit(3)).all(),
        previous=siblings[index - 1] if index > 0 else None,
        next=siblings[index + 1] if index + 1 < len(siblings) else None,
    )


@bp.route("/consultations/<slug>/print")
@public
def print_consultation(slug: str):
    consultation = _visible_consultation(slug)
    tree = _tree_of(consultation)
    return render_template("drafts/consultation_print.html", consultation=consultation, tree=tree)


@bp.route("/accessibility")
@public
def show_accessibility():
    return render_template("drafts/accessibility.html")
