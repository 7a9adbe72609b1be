"""Who may do what: small predicates, and the one decorator every view declares its access with.

Default deny: ``enforce_access`` (a before_request hook) refuses any endpoint whose view did not
declare its access with ``@public`` or ``@requires(...)``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort
from flask import current_app
from flask import request
from flask_login import current_user

from consult.accounts.models import Role
from consult.drafts.models import Consultation
from consult.drafts.models import Status

Predicate = Callable[[object], bool]


# --- predicates -------------------------------------------------------------------------------


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_staff(user) -> bool:
    return is_signed_in(user) and user.role.is_staff


def can_edit_drafts(user) -> bool:
    """Write and publish drafts: the secretariat (and admins)."""
    return is_signed_in(user) and user.role in (Role.ADMIN, Role.SECRETARIAT)


def can_edit_reference_data(user) -> bool:
    """Regions, municipalities, clusters and respondent types: the secretariat (and admins)."""
    return can_edit_drafts(user)


def can_analyse(user) -> bool:
    """Read every input with its figures, tag it, assign it and reply: the secretariat."""
    return can_edit_drafts(user)


def can_moderate(user) -> bool:
    """Review input before it is public, read the originals and the audit log."""
    return is_signed_in(user) and user.role in (Role.ADMIN, Role.SECRETARIAT, Role.MODERATOR)


def can_run_meetings(user) -> bool:
    """Plan and run moderated sessions: facilitators and the secretariat (and admins)."""
    return is_signed_in(user) and user.role in (Role.ADMIN, Role.SECRETARIAT, Role.FACILITATOR)


def can_facilitate(user, meeting) -> bool:
    """Run this session: the secretariat any, a facilitator only those assigned to them."""
    if not can_run_meetings(user):
        return False
    return user.role is not Role.FACILITATOR or any(u.id == user.id for u in meeting.facilitators)


def can_approve(user) -> bool:
    """Approve or ask for changes for a party (the party's own consultations: approvals)."""
    return is_signed_in(user) and user.role is Role.APPROVER


def can_read_for_approval(user) -> bool:
    """Read a document up for sign-off: its approvers and the secretariat (and admins)."""
    return can_approve(user) or can_edit_drafts(user)


def can_read_exports(user) -> bool:
    """Follow and download one's own export: analysts, and approvers for the memo they read."""
    return can_analyse(user) or can_approve(user)


def can_manage_users(user) -> bool:
    return is_signed_in(user) and user.role is Role.ADMIN


def can_view_consultation(user, consultation: Consultation) -> bool:
    """Drafts are for staff only; every other status is public."""
    return consultation.status is not Status.DRAFT or is_staff(user)


# --- declaring access ------------------------------------------------------------------------


def public(view):
    """Declare a view open to everyone."""
    view.access = None
    return view


def requires(predicate: Predicate):
    """Declare a view for signed-in users for whom ``predicate(user)`` holds."""

    def decorate(view):
        view.access = predicate
        return view

    return decorate


def ensure(allowed: bool, status: int = 403) -> None:
    """Abort with ``status`` unless ``allowed``: for checks that need the object."""
    if not allowed:
        abort(status)


def enforce_access():
    """before_request: deny endpoints without a declared rule; check the rule of the rest."""
    if request.endpoint is None:
        return None  # 404/405 follow
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint == "static":
        return None
    if not hasattr(view, "access"):
        current_app.logger.error("endpoint %s declares no access rule", request.endpoint)
        abort(403)
    if view.access is None:
        return None
    if not is_signed_in(current_user):
        from consult.accounts.timeout import signed_out_redirect

        return signed_out_redirect()
    if not view.access(current_user):
        abort(403)
    return None


def init_app(app) -> None:
    """Let templates ask the same questions the views do."""
    app.jinja_env.globals.update(
        can_edit_drafts=can_edit_drafts,
        can_edit_reference_data=can_edit_reference_data,
        can_manage_users=can_manage_users,
        can_moderate=can_moderate,
        can_analyse=can_analyse,
        can_approve=can_approve,
        can_run_meetings=can_run_meetings,
        is_staff=is_staff,
    )
