"""The consultation's workflow: what each status means, what comes next, what is missing.

draft -> open -> closed -> reporting -> approval -> published (STATUS_TRANSITIONS). Every move
goes through ``move``: it checks what the next status needs (the parties set up before
approval; every party's approval of the document as it is now before publishing), logs the
move, and on publishing publishes the working copy with the memo and queues the news to the
respondents who asked for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from consult import jobs
from consult.approvals import services as approvals
from consult.audit.services import record
from consult.db import utcnow
from consult.drafts import editing
from consult.drafts import services
from consult.drafts.models import STATUS_TRANSITIONS
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemRevision
from consult.drafts.models import Status
from consult.drafts.models import Version
from consult.extensions import db

#: What each status means, in the secretariat's words.
MEANINGS = {
    Status.DRAFT: _l("Only staff can see the consultation. Write the draft, then open it."),
    Status.OPEN: _l(
        "The draft is public. People can give input between the opening and the deadline."
    ),
    Status.CLOSED: _l(
        "The deadline has passed or the consultation was closed: no more input is taken."
    ),
    Status.REPORTING: _l(
        "The secretariat replies to the input, writes the next version as a working copy and "
        "links each change to the input behind it. The public still reads the previous version."
    ),
    Status.APPROVAL: _l(
        "The parties approve the memo and the working copy, or ask for changes. A change to "
        "the document resets every approval."
    ),
    Status.PUBLISHED: _l(
        "The memo and the new version are public, with what changed and why. Respondents who "
        "asked for news have been told."
    ),
}


@dataclass
class StateInfo:
    status: Status
    meaning: str
    #: The statuses it may move to, each with what is missing first (empty: ready).
    next: list[tuple[Status, list[str]]] = field(default_factory=list)
    sign_off: approvals.SignOff | None = None
    working_copy: Version | None = None


def missing_for(consultation: Consultation, new: Status) -> list[str]:
    """Return what must be done before ``consultation`` can move to ``new`` (empty: nothing)."""
    missing: list[str] = []
    if new is Status.APPROVAL:
        parties = approvals.parties(consultation)
        if not parties:
            missing.append(_("Add the parties who approve the memo and the final draft."))
        for party in parties:
            if not party.approvers:
                missing.append(_("%(party)s has no approver yet.", party=party.name_da))
    if new is Status.PUBLISHED and consultation.status is Status.APPROVAL:
        state = approvals.sign_off(consultation)
        if not state.complete:
            missing.append(
                ngettext(
                    "%(approved)d of %(num)d party has approved.",
                    "%(approved)d of %(num)d parties have approved.",
                    state.total,
                    approved=state.approved,
                )
            )
    return missing


def describe(consultation: Consultation) -> StateInfo:
    """Return the status in words, the next steps and what each still needs."""
    info = StateInfo(
        status=consultation.status,
        meaning=str(MEANINGS[consultation.status]),
        working_copy=services.working_copy(consultation),
    )
    for new in STATUS_TRANSITIONS[consultation.status]:
        info.next.append((new, missing_for(consultation, new)))
    if consultation.status in (Status.REPORTING, Status.APPROVAL, Status.PUBLISHED):
        info.sign_off = approvals.sign_off(consultation)
    return info


class WorkflowError(editing.EditError):
    """A move whose needs are not met; ``details["missing"]`` lists them."""


def move(consultation: Consultation, new: Status, actor, *, news_link: str = "") -> Version | None:
    """Move ``consultation`` to ``new``; on publishing, publish the working copy and queue news.

    :param news_link: the public address of what changed (the e-mails link to it).
    :return: the version published, if this move published one.
    """
    editing.check_status(consultation, new)
    if new is consultation.status:
        return None
    missing = missing_for(consultation, new)
    if missing:
        raise WorkflowError("missing", missing=missing)
    old = consultation.status
    editing.change_status(consultation, new)
    record(
        actor,
        "drafts.status",
        "consultation",
        consultation.id,
        consultation_id=consultation.id,
        old=old.value,
        new=new.value,
    )
    if new is Status.PUBLISHED:
        return publish(consultation, actor, news_link=news_link)
    return None


def publish(consultation: Consultation, actor, *, news_link: str = "") -> Version | None:
    """Publish the working copy (if any) and queue the news; return the version published."""
    version = services.working_copy(consultation)
    if version is not None:
        _publish_version(consultation, version, actor)
    announced = version or services.current_version(consultation)
    if announced is not None:
        queue_news(consultation, announced, actor, link=news_link)
    return version


def publish_draft_copy(consultation: Consultation, actor) -> Version:
    """Publish the working copy of a consultation still in draft (nobody outside sees it yet).

    Once the consultation is public, a new version is published by the sign-off (``move``).
    """
    if consultation.status is not Status.DRAFT:
        raise editing.EditError("needs_approval")
    version = services.working_copy(consultation)
    if version is None:
        raise editing.EditError("no_working_copy")
    _publish_version(consultation, version, actor)
    return version


def _publish_version(consultation: Consultation, version: Version, actor) -> None:
    """Make a working copy public, on the audit log; its order becomes ``Item.position``."""
    version.published_at = utcnow()
    # Item.position is the newest published version's order (a few queries in other areas
    # order by it); it changes here, in the transaction that publishes, and nowhere before.
    for revision in db.session.scalars(
        select(ItemRevision)
        .join(ItemRevision.item)
        .options(contains_eager(ItemRevision.item))
        .where(ItemRevision.version_id == version.id, Item.position != ItemRevision.position)
    ):
        revision.item.position = revision.position
    db.session.flush()
    record(
        actor,
        "drafts.publish_version",
        "version",
        version.id,
        consultation_id=consultation.id,
        number=version.number,
    )


def queue_news(consultation: Consultation, version: Version, actor, *, link: str) -> None:
    """Enqueue the e-mails to respondents who asked for news (a job; one per respondent)."""
    jobs.enqueue(
        "drafts.send_version_news",
        topic=f"version:{version.id}",
        requested_by=actor,
        once=True,
        version_id=version.id,
        link=link,
    )
