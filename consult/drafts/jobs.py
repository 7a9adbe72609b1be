"""News of a published version as a job: each respondent who asked for it gets one e-mail."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists
from sqlalchemy import select

from consult.db import write_lock
from consult.drafts import diff
from consult.drafts import services
from consult.drafts import trail as trails
from consult.drafts.models import Version
from consult.drafts.models import VersionNotice
from consult.extensions import db
from consult.i18n import localized
from consult.jobs import job
from consult.mail.services import queue_template
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState


def to_tell(version: Version) -> list[Response]:
    """Submitted responses of the consultation whose respondent asked for news and has not had
    this version's notice."""
    return list(
        db.session.scalars(
            select(Response)
            .join(Respondent, Respondent.id == Response.respondent_id)
            .where(
                Response.consultation_id == version.consultation_id,
                Response.state == ResponseState.SUBMITTED,
                Response.wants_news.is_(True),
                Respondent.email.is_not(None),
                ~exists().where(
                    VersionNotice.version_id == version.id,
                    VersionNotice.respondent_id == Response.respondent_id,
                ),
            )
            .order_by(Response.id)
        )
    )


def send_version_news(version: Version, link: str) -> int:
    """Queue one e-mail per respondent to tell, in their language; return how many. Flushes."""
    consultation = version.consultation
    before = services.version_before(version)
    new_tree = services.load_tree(version)
    old_tree = services.load_tree(before) if before is not None else None
    sent = 0
    for response in to_tell(version):
        respondent = response.respondent
        answered = set(
            db.session.scalars(
                select(Input.item_id).where(
                    Input.response_id == response.id, Input.item_id.is_not(None)
                )
            )
        )
        with force_locale(respondent.locale or "da"):
            diffs = {d.item_id: d for d in diff.compare(old_tree, new_tree)}
            the_trail = trails.trail(consultation, version, public=True)
            goals = []
            for item_id in sorted(answered, key=lambda i: _order(new_tree, old_tree, i)):
                d = diffs.get(item_id)
                if d is None:
                    continue
                entry = the_trail.for_item(item_id)
                goals.append(
                    {
                        "title": d.title,
                        "change": d.change.value,
                        "reason": (localized(entry, "reason")[0] if entry else ""),
                    }
                )
            message = queue_template(
                respondent.email,
                _(
                    "%(version)s of %(title)s is published",
                    version=localized(version, "label")[0],
                    title=localized(consultation, "title")[0],
                ),
                "version_news",
                consultation=consultation,
                version=version,
                goals=goals,
                link=link,
            )
        db.session.add(
            VersionNotice(version_id=version.id, respondent_id=respondent.id, message_id=message.id)
        )
        db.session.flush()
        sent += 1
    return sent


def _order(new_tree, old_tree, item_id: int) -> tuple:
    for tree in (new_tree, old_tree):
        node = tree.node(item_id) if tree is not None else None
        if node is not None:
            parent = node.parent.revision.position if node.parent else -1
            return (parent, node.revision.position, item_id)
    return (1 << 30, 0, item_id)


@job("drafts.send_version_news")
def send_version_news_job(job, version_id: int, link: str) -> dict:
    """Tell the respondents who asked for news about a published version.

    Safe to run twice or side by side: a respondent who has this version's notice is left out,
    and the notice is unique per version and respondent.
    """
    with write_lock():
        version = db.session.get(Version, version_id)
        if version is None or version.is_working_copy:
            return {"sent": 0}
        sent = send_version_news(version, link)
        db.session.commit()
    return {"sent": sent}
