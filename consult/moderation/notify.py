"""Tell respondents what moderation did, once nothing of their response waits any more."""

from __future__ import annotations

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.i18n import localized
from consult.mail.services import queue_template
from consult.moderation.models import Contribution
from consult.moderation.models import ModerationState
from consult.readside.labels import HIDE_REASON_SHOWN
from consult.responses.models import Input
from consult.responses.models import Response


def notify_reviewed(response_ids: set[int]) -> int:
    """Queue one e-mail per response whose review is complete and not yet told; return how many.

    One mail per response, not per input: a moderator publishing twenty inputs in bulk sends
    the respondent one message.
    """
    sent = 0
    for response_id in sorted(response_ids):
        contributions = db.session.scalars(
            select(Contribution)
            .options(selectinload(Contribution.input).selectinload(Input.revision))
            .where(Contribution.response_id == response_id)
            .order_by(Contribution.id)
        ).all()
        if any(c.state is ModerationState.PENDING for c in contributions):
            continue
        untold = [
            c
            for c in contributions
            if not c.is_notified and c.state in (ModerationState.PUBLISHED, ModerationState.HIDDEN)
        ]
        if not untold:
            continue
        response = db.session.get(Response, response_id)
        respondent = response.respondent
        with force_locale(respondent.locale or "da"):
            queue_template(
                respondent.email,
                _(
                    "Your response to %(title)s has been reviewed",
                    title=localized(response.consultation, "title")[0],
                ),
                "moderation_outcome",
                response=response,
                contributions=untold,
                reason_label=lambda r: str(HIDE_REASON_SHOWN[r]).lower() if r else "",
                link=url_for(
                    "responses.show_response", slug=response.consultation.slug, _external=True
                ),
            )
        for c in untold:
            c.is_notified = True
        sent += 1
    db.session.flush()
    return sent
