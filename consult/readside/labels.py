"""The words for every code a person reads about input, keyed by its enum: one table each.

Forms, pages, e-mails, exports, the memo and the charts take their labels from here, so one
stance reads the same in a figure, a quote and a spreadsheet. The words are lazy: they turn
into the active language when shown (``str(label)`` inside ``force_locale`` for files).
Dictionaries are keyed by the enum members; as the enums are ``StrEnum``s, the stored code
("support") finds its label as well as the member does.

The draft's own words (consultation status, item kinds) stay with ``consult.drafts``, the root
area that knows nothing of input.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.analysis.models import Disposition
from consult.analysis.models import ReplyState
from consult.moderation.models import HideReason
from consult.moderation.models import ModerationState
from consult.moderation.pii import Kind
from consult.responses.models import Channel
from consult.responses.models import Consent
from consult.responses.models import Sector
from consult.responses.models import Stance
from consult.sessions.models import MeetingState
from consult.sessions.models import Verdict

STANCE = {
    Stance.SUPPORT: _l("I support the goal"),
    Stance.SUPPORT_WITH_CHANGES: _l("I support it with changes"),
    Stance.OPPOSE: _l("I oppose the goal"),
    Stance.NO_POSITION: _l("I take no position"),
}
#: An input without a stance (allowed in sessions, and for goals answered only with text).
NOT_GIVEN = _l("Not given")
IMPORTANCE = {
    1: _l("1 – not important"),
    2: "2",
    3: "3",
    4: "4",
    5: _l("5 – very important"),
}
SECTOR = {
    Sector.MUNICIPALITY: _l("Municipality"),
    Sector.REGION: _l("Region or hospital"),
    Sector.GENERAL_PRACTICE: _l("General practice"),
}
CONSENT = {
    Consent.NAMED: _l("Publish my input with my name or my organisation's name"),
    Consent.ANONYMOUS: _l("Publish my input without my name"),
    Consent.PRIVATE: _l("Do not publish my input (the secretariat still reads it)"),
}
CHANNEL = {
    Channel.ONLINE: _l("Online"),
    Channel.SESSION: _l("Session"),
    Channel.LETTER: _l("Letter"),
}
DISPOSITION = {
    Disposition.INCORPORATED: _l("Incorporated"),
    Disposition.PARTLY: _l("Partly incorporated"),
    Disposition.NOTED: _l("Noted"),
    Disposition.NOT_INCORPORATED: _l("Not incorporated"),
}
REPLY_STATE = {
    ReplyState.NEW: _l("New"),
    ReplyState.IN_PROGRESS: _l("In progress"),
    ReplyState.DRAFTED: _l("Drafted, awaiting approval"),
    ReplyState.APPROVED: _l("Approved"),
}
MODERATION_STATE = {
    ModerationState.PENDING: _l("Awaiting review"),
    ModerationState.PUBLISHED: _l("Published"),
    ModerationState.HIDDEN: _l("Hidden"),
    ModerationState.WITHHELD: _l("Not for publication"),
}
HIDE_REASON = {
    HideReason.PERSONAL_DATA: _l("Personal data"),
    HideReason.OFFENSIVE: _l("Offensive"),
    HideReason.OFF_TOPIC: _l("Off topic"),
    HideReason.SPAM: _l("Spam"),
    HideReason.OTHER: _l("Other (say why)"),
}
#: The same reasons as shown after the choice (lists, the audit trail, e-mails).
HIDE_REASON_SHOWN = {**HIDE_REASON, HideReason.OTHER: _l("Another reason")}
PERSONAL_DATA = {
    Kind.CPR: _l("CPR number"),
    Kind.PHONE: _l("Phone number"),
    Kind.EMAIL: _l("E-mail address"),
    Kind.HEALTH_NAME: _l("Name with health details"),
}
VERDICT = {
    Verdict.AGREE: _l("This is what was said"),
    Verdict.COMMENT: _l("I have a comment"),
    Verdict.OBJECT: _l("I object: this is not what was said"),
}
MEETING_STATE = {
    MeetingState.PLANNED: _l("Planned"),
    MeetingState.LIVE: _l("Live"),
    MeetingState.CONFIRMING: _l("With the participants to confirm"),
    MeetingState.CONFIRMED: _l("Confirmed"),
}
#: Where a moderator removed part of a published text (the REDACTED mark, shown).
REMOVED = _l("[removed]")


def stance_series() -> list[tuple[str, str]]:
    """The stances in the order charts, tables and the memo show them, "not given" last."""
    return [(s.value, str(label)) for s, label in STANCE.items()] + [("", str(NOT_GIVEN))]


def words(table: dict) -> dict[str, str]:
    """Return a table as plain words in the active language, keyed by code (for files)."""
    return {getattr(code, "value", code): str(label) for code, label in table.items()}


#: The tables by the names templates know them by (see ``consult.readside.templating``).
FOR_TEMPLATES = {
    "stance_labels": STANCE,
    "importance_labels": IMPORTANCE,
    "sector_labels": SECTOR,
    "consent_labels": CONSENT,
    "channel_labels": CHANNEL,
    "disposition_labels": DISPOSITION,
    "reply_state_labels": REPLY_STATE,
    "moderation_state_labels": MODERATION_STATE,
    "reason_labels": HIDE_REASON_SHOWN,
    "flag_labels": PERSONAL_DATA,
    "verdict_labels": VERDICT,
    "meeting_state_labels": MEETING_STATE,
    "stance_series": stance_series,
}
