"""Setting the agenda takes ticks and, only to change the order, numbers; the minutes list each
input once, even when the agenda has a focus area and one of its goals."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from consult.accounts.models import Role
from consult.db import utcnow
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.reference.seed import load_reference_data
from consult.responses.models import Stance
from consult.sessions import services
from consult.sessions.models import Meeting
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in
from tests.helpers import type_id


def test_ticks_in_reading_order_and_a_number_moves_one_first(client):
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    tree = load_tree(current_version(c))
    facilitator = make_user(Role.FACILITATOR)
    sign_in(client, facilitator)
    url = f"/sessions/new/{c.slug}?lang=en"
    html = client.get(url).get_data(as_text=True)
    assert "<select" not in html.split("Agenda", 1)[1].split("Groups represented", 1)[0]
    ids = {key: tree.by_key[key].item.id for key in ("fa-1", "fa-1-goal-2", "fa-2-goal-1")}
    data = {
        "title": "Dialogmøde",
        "starts_at": "2026-12-01T17:00",
        "locale": "da",
        "facilitators": str(facilitator.id),
        "participant_count": "12",
        "confirm_days": "8",
        **{f"agenda_{i}": "y" for i in ids.values()},
        f"order_{ids['fa-2-goal-1']}": "1",
    }
    assert post_form(client, url, data).status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert [a.item_id for a in meeting.agenda] == [
        ids["fa-2-goal-1"],  # numbered 1
        ids["fa-1"],  # then the draft's order
        ids["fa-1-goal-2"],
    ]
    # A bad number is explained beside its field and the ticks stay.
    data[f"order_{ids['fa-1']}"] = "nul"
    html = post_form(client, f"/sessions/{meeting.id}/edit?lang=en", data).get_data(as_text=True)
    assert "Not a valid integer value." in html or "Give a whole number" in html
    tick = re.search(rf'<input[^>]*id="agenda_{ids["fa-1"]}"[^>]*>', html).group(0)
    assert "checked" in tick


def test_the_minutes_list_each_input_once(planned):
    client, meeting, tree, facilitator = planned
    goal = tree.by_key["fa-1-goal-1"].item.id
    # The agenda: focus area 1 (with its goals) and, on its own, its first goal.
    services.update_meeting(
        meeting,
        services.MeetingSpec(
            title=meeting.title,
            starts_at=utcnow() + timedelta(hours=1),
            place="",
            online_url="",
            locale="da",
            participant_count=14,
            confirm_days=8,
            facilitators=[facilitator],
            agenda=[tree.by_key["fa-1"].item.id, goal],
            groups=[services.GroupSpec(type_id("patient-representative"), "", 9)],
            emails=[],
        ),
        tree,
    )
    services.start(meeting)
    services.record(
        meeting, tree, item_id=goal, group_id=None, stance=Stance.SUPPORT, text="Sagt én gang."
    )
    db.session.flush()
    html = client.get(f"/sessions/{meeting.id}/minutes").get_data(as_text=True)
    assert html.count("Sagt én gang.") == 1


def test_a_participants_phone_can_follow_the_facilitator(planned, app):
    client, meeting, tree, _facilitator = planned
    services.start(meeting)
    db.session.flush()
    phone = app.test_client()
    now = phone.get(f"/join/{meeting.join_code}/now?lang=da")
    assert now.status_code == 200 and now.headers["Cache-Control"] == "no-store"
    assert now.get_json() == {
        "open": True,
        "item": tree.by_key["fa-1"].item.id,
        "title": tree.by_key["fa-1"].revision.title_da,
    }
    goal = tree.by_key["fa-2-goal-1"].item.id
    page = phone.get(f"/join/{meeting.join_code}").get_data(as_text=True)
    assert "follow.js" in page and f'data-item="{tree.by_key["fa-1"].item.id}"' in page
    services.set_current(meeting, goal)
    db.session.flush()
    assert phone.get(f"/join/{meeting.join_code}/now").get_json()["item"] == goal
    # Input written for the earlier item still goes there after the facilitator moved on.
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    sent = phone.post(
        f"/join/{meeting.join_code}",
        data={
            "csrf_token": token,
            "item": str(tree.by_key["fa-1-goal-1"].item.id),
            "text": "Skrevet før ordstyreren gik videre.",
        },
    )
    assert sent.status_code == 302
    assert phone.get("/join/ZZZZZZ/now").status_code == 404
