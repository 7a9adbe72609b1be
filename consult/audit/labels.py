"""The audit log in words: what each action means, and what it was done to.

Every area that writes an audit event (``consult.audit.record``) names its action here, so
the log reads "Reply written: reply 5 on input 12" instead of "analysis.reply: reply 5".
An action without a label is shown by its code, and a test lists the codes in use without
one (``tests/audit/test_labels.py``).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

ACTIONS = {
    "moderation.publish": _l("Published"),
    "moderation.redact": _l("Parts removed, then published"),
    "moderation.hide": _l("Hidden"),
    "moderation.auto_hide": _l("Hidden after reports, until reviewed"),
    "accounts.change_role": _l("Role changed"),
    "accounts.toggle_user": _l("Account enabled or disabled"),
    "analysis.reply": _l("Reply written"),
    "analysis.theme_reply": _l("Reply to a theme written"),
    "analysis.approve": _l("Reply approved"),
    "sessions.confirm": _l("Session minutes confirmed"),
    "exports.download": _l("Exported"),
    "api.create_token": _l("API token made"),
    "api.revoke_token": _l("API token revoked"),
    "drafts.status": _l("Status changed"),
    "drafts.start_version": _l("New version started"),
    "drafts.import_version": _l("Working copy loaded from a file"),
    "drafts.publish_version": _l("Version published"),
    "drafts.trail": _l("Why an item changed: written"),
    "drafts.trail_remove": _l("Why an item changed: removed"),
    "approvals.approved": _l("Approved for a party"),
    "approvals.changes_requested": _l("Changes asked for by a party"),
    "approvals.reset": _l("Approvals reset by a change to the document"),
    "approvals.add_party": _l("Party added"),
    "approvals.remove_party": _l("Party removed"),
    "approvals.add_approver": _l("Approver added"),
    "approvals.remove_approver": _l("Approver removed"),
    "themes.request": _l("Theme suggestions asked for"),
    "themes.accept": _l("Suggested theme accepted as a tag"),
    "themes.rename": _l("Suggested theme renamed"),
    "themes.merge": _l("Suggested themes merged"),
    "themes.split": _l("Suggested theme split"),
    "themes.reject": _l("Suggested theme rejected"),
    "themes.apply_seeded": _l("Named theme put on the ticked input"),
}

#: What an event was done to, with the number of the thing.
SUBJECTS = {
    "contribution": _l("input %(n)d"),
    "reply": _l("reply %(n)d"),
    "meeting": _l("session %(n)d"),
    "user": _l("account %(n)d"),
    "api_token": _l("API token %(n)d"),
    "consultation": _l("consultation %(n)d"),
    "version": _l("version record %(n)d"),
    "item": _l("item %(n)d"),
    "party": _l("party %(n)d"),
    "theme_run": _l("theme suggestions %(n)d"),
    "theme_suggestion": _l("suggested theme %(n)d"),
    "tag": _l("tag %(n)d"),
}

#: Where a subject can be looked at (endpoint and its argument), for the ones that have a page.
_LINKS = {
    "contribution": ("moderation.show_contribution", "contribution_id"),
    "meeting": ("sessions.show_meeting", "meeting_id"),
}


def register(actions: dict | None = None, subjects: dict | None = None) -> None:
    """Add an area's actions and subjects (call at import time of the area's services)."""
    ACTIONS.update(actions or {})
    SUBJECTS.update(subjects or {})


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def subject_text(event) -> Markup:
    """The subject in words, linked to its page when it has one."""
    words = SUBJECTS.get(event.subject_type)
    text = (
        str(words % {"n": event.subject_id})
        if words
        else f"{event.subject_type} {event.subject_id}"
    )
    link = _LINKS.get(event.subject_type)
    if link is None:
        return Markup("{}").format(text)
    endpoint, argument = link
    return Markup('<a href="{}">{}</a>').format(
        url_for(endpoint, **{argument: event.subject_id}), text
    )
