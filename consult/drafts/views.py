"""Public pages: the list of consultations, a consultation's draft, one item, a print view."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import render_template
from flask_login import current_user

from consult.drafts import services
from consult.drafts import trail as trails
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


def _what_changed(consultation: Consultation, version, node) -> dict:
    """The version before and why this item changed since (nothing to ask of a first version)."""
    before = services.version_before(version) if version.number > 1 else None
    if before is None:
        return {"before": None, "change": None}
    change = trails.trail(consultation, version, public=True).for_item(node.item.id)
    return {"before": before, "change": change}


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
        **_what_changed(consultation, tree.version, node),
        stance_counts=published.stance_counts(node.item.id),
        latest=db.session.scalars(published.published_inputs(node.item.id).limit(3)).all(),
        previous=siblings[index - 1] if index > 0 else None,
        next=siblings[index + 1] if index + 1 < len(siblings) else None,
    )


# --- versions: every published version stays readable, with what changed and why -----------


def _published_version(consultation: Consultation, number: int):
    version = services.get_version(consultation, number)
    # A working copy is for staff: to the public it does not exist yet.
    if version is None or version.is_working_copy:
        abort(404)
    return version


@bp.route("/consultations/<slug>/versions/")
@public
def list_versions(slug: str):
    consultation = _visible_consultation(slug)
    versions = services.published_versions(consultation)
    return render_template(
        "drafts/version_list.html",
        consultation=consultation,
        versions=list(reversed(versions)),
        trails={v.id: trails.trail(consultation, v, public=True) for v in versions},
    )


@bp.route("/consultations/<slug>/versions/<int:number>/")
@public
def show_version(slug: str, number: int):
    consultation = _visible_consultation(slug)
    version = _published_version(consultation, number)
    return render_template(
        "drafts/version_show.html",
        consultation=consultation,
        tree=services.load_tree(version),
        version=version,
        preview=False,
        the_trail=trails.trail(consultation, version, public=True),
    )


@bp.route("/consultations/<slug>/versions/<int:number>/changes")
@public
def show_changes(slug: str, number: int):
    consultation = _visible_consultation(slug)
    version = _published_version(consultation, number)
    from consult.drafts.staff_versions import changes_context

    return render_template(
        "drafts/version_changes.html", **changes_context(consultation, version, public=True)
    )


@bp.route("/consultations/<slug>/versions/<int:number>/items/<key>/why")
@public
def show_why(slug: str, number: int, key: str):
    """The published inputs behind one change, as the public may read them."""
    consultation = _visible_consultation(slug)
    version = _published_version(consultation, number)
    the_trail = trails.trail(consultation, version, public=True)
    entry = next((e for e in the_trail.entries if e.key == key), None)
    if entry is None:
        abort(404)
    contributions = trails.public_contributions(entry.contribution_ids)
    return render_template(
        "drafts/version_why.html",
        consultation=consultation,
        version=version,
        entry=entry,
        contributions=contributions,
    )


@bp.app_template_global("changes_led_by")
def changes_led_by(contribution) -> list[tuple[int, str]]:
    """The published changes a published input is behind (one query per page)."""
    if contribution.input_id is None:
        return []
    return trails.changes_led_by(contribution.consultation_id).get(contribution.input_id, [])


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
