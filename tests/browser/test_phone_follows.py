"""A participant's phone follows the facilitator's item, and never throws away what is typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.only_on("sqlite")

SLUG = "sundhedsaftale-2024-2027"


def _live_meeting(app):
    from sqlalchemy import select

    from consult.accounts.models import User
    from consult.db import utcnow
    from consult.drafts import services as drafts
    from consult.extensions import db
    from consult.sessions import services

    with app.app_context():
        consultation = drafts.get_consultation(SLUG)
        tree = drafts.load_tree(drafts.current_version(consultation))
        facilitator = db.session.scalar(select(User).where(User.email.like("facilitator@%")))
        first, second = (n.item.id for n in tree.focus_areas[:2])
        meeting = services.create_meeting(
            facilitator,
            consultation,
            services.MeetingSpec(
                title="Følg ordstyreren",
                starts_at=utcnow() + timedelta(minutes=5),
                place="",
                online_url="",
                locale="da",
                participant_count=3,
                confirm_days=8,
                facilitators=[facilitator],
                agenda=[first, second],
                groups=[],
                emails=[],
            ),
            tree,
        )
        services.start(meeting)
        db.session.commit()
        code, meeting_id = meeting.join_code, meeting.id
        titles = [tree.node(first).revision.title_da, tree.node(second).revision.title_da]
        db.session.remove()
    return code, meeting_id, (first, second), titles


def _move(app, meeting_id, item_id):
    from consult.extensions import db
    from consult.sessions import services
    from consult.sessions.models import Meeting

    with app.app_context():
        services.set_current(db.session.get(Meeting, meeting_id), item_id)
        db.session.commit()
        db.session.remove()


def test_the_phone_follows_and_keeps_what_is_typed(phone_page, live_server):
    app = live_server.app
    code, meeting_id, (first, second), titles = _live_meeting(app)
    phone_page.clock.install()
    phone_page.goto(f"/join/{code}")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(titles[0])
    _move(app, meeting_id, second)
    phone_page.clock.run_for(6000)
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(titles[1])
    # With words in the box, the page says where the facilitator went and keeps them.
    phone_page.clock.install()
    phone_page.get_by_label("Dit input").fill("Jeg er ikke færdig endnu")
    _move(app, meeting_id, first)
    phone_page.clock.run_for(6000)
    expect(
        phone_page.get_by_role("status").filter(has_text="Ordstyreren er gået videre til")
    ).to_contain_text(titles[0])
    expect(phone_page.get_by_label("Dit input")).to_have_value("Jeg er ikke færdig endnu")
