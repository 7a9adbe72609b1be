"""A moderated session from setup to confirmation, and every way it must refuse."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.models import Role
from consult.db import utcnow
from consult.extensions import db
from consult.mail.models import OutboxMessage
from consult.moderation.models import Contribution
from consult.moderation.models import ModerationState
from consult.responses.models import Channel
from consult.responses.models import Input
from consult.responses.models import Response
from consult.sessions import confirmation
from consult.sessions import services
from consult.sessions.models import Feedback
from consult.sessions.models import InputState
from consult.sessions.models import Meeting
from consult.sessions.models import MeetingInput
from consult.sessions.models import MeetingState
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in
from tests.helpers import type_id


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def live(client, meeting):
    """Start the session through the page, as the facilitator does."""
    url = f"/sessions/{meeting.id}/start"
    response = post_form(client, url, {}, form_url=f"/sessions/{meeting.id}/")
    assert response.status_code == 302
    return fresh(Meeting, meeting.id)


def capture(client, meeting, **data):
    url = f"/sessions/{meeting.id}/inputs"
    return post_form(client, url, data, form_url=f"/sessions/{meeting.id}/live")


def goal_id(tree, key):
    return str(tree.by_key[key].item.id)


# --- setup -------------------------------------------------------------------------------------


def test_a_facilitator_plans_a_session_in_the_form(client):
    from consult.reference.seed import load_reference_data

    load_reference_data()
    consultation = make_consultation(focus_areas=2, goals_per_area=2)
    facilitator = make_user(Role.FACILITATOR)
    sign_in(client, facilitator)
    url = f"/sessions/new/{consultation.slug}?lang=en"
    html = client.get(url).get_data(as_text=True)
    area = re.search(r'name="agenda_(\d+)"', html).group(1)
    data = {
        "title": "Dialogmøde",
        "starts_at": "2026-12-01T17:00",
        "place": "Hvidovre Hospital",
        "online_url": "javascript:alert(1)",
        "locale": "da",
        "facilitators": str(facilitator.id),
        "participant_count": "12",
        "confirm_days": "8",
        "emails": "en@example.dk\nikke en adresse",
        f"agenda_{area}": "1",
        "groups-0-respondent_type": str(type_id("relative")),
        "groups-0-organisation": "",
        "groups-0-participant_count": "5",
    }
    html = post_form(client, url, data).get_data(as_text=True)
    # Bad input is explained beside its field and nothing typed is lost.
    assert "Give a link starting with https://" in html
    assert "Not valid e-mail addresses: ikke en adresse" in html
    assert "Hvidovre Hospital" in html and "en@example.dk" in html
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
    data.update(online_url="https://meet.example.dk/abc", emails="en@example.dk\nTo@Example.dk")
    response = post_form(client, url, data)
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert [p.email for p in meeting.participants] == ["en@example.dk", "to@example.dk"]
    assert [u.id for u in meeting.facilitators] == [facilitator.id]
    assert meeting.groups[0].participant_count == 5 and meeting.state is MeetingState.PLANNED
    assert meeting.starts_at.hour == 16  # 17:00 in Copenhagen in December is 16:00 UTC
    assert len(meeting.join_code) == 6


def test_a_session_needs_an_agenda(client, planned):
    client, meeting, _tree, _facilitator = planned
    url = f"/sessions/{meeting.id}/edit?lang=en"
    html = client.get(url).get_data(as_text=True)
    fields = {
        name: value
        for name, value in re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', html)
        if not name.startswith("agenda_") and name != "csrf_token"
    }
    html = post_form(client, url, fields).get_data(as_text=True)
    assert "Put at least one focus area, goal or initiative on the agenda." in html


def test_a_facilitator_not_assigned_gets_403_everywhere(app, planned):
    _client, meeting, _tree, _facilitator = planned
    other = app.test_client()
    sign_in(other, make_user(Role.FACILITATOR))
    for path in ("/", "/edit", "/live", "/projector", "/qr.svg", "/minutes"):
        assert other.get(f"/sessions/{meeting.id}{path}").status_code == 403, path
    for path in ("/start", "/end", "/confirm", "/inputs", "/current"):
        token = csrf_token(other, "/sessions/")
        assert (
            other.post(f"/sessions/{meeting.id}{path}", data={"csrf_token": token}).status_code
            == 403
        ), path
    # Their own list does not show it; the secretariat sees and runs every session.
    assert meeting.title not in other.get("/sessions/").get_data(as_text=True)
    secretariat = app.test_client()
    sign_in(secretariat, make_user(Role.SECRETARIAT))
    assert secretariat.get(f"/sessions/{meeting.id}/").status_code == 200


# --- live --------------------------------------------------------------------------------------


def test_live_capture_records_edits_and_deletes(planned):
    client, meeting, tree, _facilitator = planned
    meeting = live(client, meeting)
    assert meeting.current_item_id == tree.by_key["fa-1"].item.id
    html = client.get(f"/sessions/{meeting.id}/live?lang=en").get_data(as_text=True)
    # The focus area on the agenda: its goals to choose from, and the groups at the table.
    assert "Mål 1.1" in html and "Mål 1.2" in html and "Danske Patienter" in html
    group = meeting.groups[1]
    response = capture(
        client,
        meeting,
        item=goal_id(tree, "fa-1-goal-2"),
        group=str(group.id),
        stance="support_with_changes",
        text="Vi savner fælles forløbsplaner.",
        proposed_wording="",
    )
    assert response.status_code == 302
    (recorded,) = db.session.scalars(select(MeetingInput)).all()
    assert recorded.group_id == group.id and recorded.state is InputState.ACCEPTED
    # A goal not on the agenda is refused with a message, and the text stays.
    html = capture(
        client, meeting, item=goal_id(tree, "fa-2-goal-2"), group="", stance="", text="Andet"
    ).get_data(as_text=True)
    assert "Andet" in html and db.session.scalar(select(func.count(MeetingInput.id))) == 1
    url = f"/sessions/{meeting.id}/inputs/{recorded.id}"
    post_form(
        client,
        url,
        {
            "item": goal_id(tree, "fa-1-goal-2"),
            "group": "",
            "stance": "support",
            "text": "Rettet tekst.",
            "proposed_wording": "",
        },
    )
    recorded = fresh(MeetingInput, recorded.id)
    assert recorded.text == "Rettet tekst." and recorded.group_id is None
    post_form(client, f"{url}/delete", {}, form_url=f"/sessions/{meeting.id}/live")
    assert fresh(MeetingInput, recorded.id) is None
    # Moving on: the next agenda item goes in front of everyone.
    post_form(
        client,
        f"/sessions/{meeting.id}/current",
        {"item": goal_id(tree, "fa-2-goal-1")},
        form_url=f"/sessions/{meeting.id}/live",
    )
    assert fresh(Meeting, meeting.id).current_item_id == tree.by_key["fa-2-goal-1"].item.id


def test_participants_send_from_their_phones_into_the_facilitators_queue(app, planned):
    client, meeting, tree, _facilitator = planned
    phone = app.test_client()
    code = meeting.join_code
    # Before the session starts the code does not work.
    assert phone.get(f"/join/{code}").status_code == 404
    meeting = live(client, meeting)
    # Typed in lower case with a space, on the join page.
    spaced = f"{code[:3].lower()} {code[3:].lower()}"
    response = post_form(phone, "/join", {"code": spaced})
    assert response.status_code == 302 and response.headers["Location"].endswith(code)
    page = phone.get(f"/join/{code}?lang=en").get_data(as_text=True)
    assert "Fokusområde 1" in page and "Mål 1.1" in page
    for text in ("Tænk på de pårørende.", "Husk transporten.", "Køb billige piller"):
        post_form(
            phone,
            f"/join/{code}",
            {"item": goal_id(tree, "fa-1-goal-1"), "group": "", "stance": "", "text": text},
        )
    proposals = db.session.scalars(select(MeetingInput).order_by(MeetingInput.id)).all()
    assert [p.state for p in proposals] == [InputState.PROPOSED] * 3
    assert all(p.from_participant for p in proposals)
    queue = client.get(f"/sessions/{meeting.id}/live").get_data(as_text=True)
    assert "Husk transporten." in queue
    live_url = f"/sessions/{meeting.id}/live"
    base = f"/sessions/{meeting.id}/inputs"
    post_form(client, f"{base}/{proposals[0].id}/accept", {}, live_url)
    post_form(client, f"{base}/{proposals[1].id}/merge", {"into": proposals[0].id}, live_url)
    post_form(client, f"{base}/{proposals[2].id}/discard", {}, live_url)
    db.session.expire_all()
    first, second, third = (db.session.get(MeetingInput, p.id) for p in proposals)
    assert first.state is InputState.ACCEPTED
    assert first.text == "Tænk på de pårørende.\n\nHusk transporten."
    assert second.state is InputState.MERGED and second.merged_into_id == first.id
    assert third.state is InputState.DISCARDED


def test_the_join_code_stops_working_when_the_session_ends(app, planned):
    client, meeting, tree, _facilitator = planned
    meeting = live(client, meeting)
    phone = app.test_client()
    page = f"/join/{meeting.join_code}"
    assert phone.get(page).status_code == 200
    token = csrf_token(phone, page)
    post_form(client, f"/sessions/{meeting.id}/end", {}, form_url=f"/sessions/{meeting.id}/")
    response = phone.post(
        page,
        data={"csrf_token": token, "item": goal_id(tree, "fa-1-goal-1"), "text": "For sent"},
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(MeetingInput.id))) == 0


def test_sending_from_a_phone_is_rate_limited(app, planned):
    client, meeting, tree, _facilitator = planned
    meeting = live(client, meeting)
    app.config["JOIN_RATE_LIMIT"] = "3 per minute"
    try:
        phone = app.test_client()
        statuses = [phone.get(f"/join/{meeting.join_code}").status_code for _ in range(5)]
    finally:
        app.config["JOIN_RATE_LIMIT"] = "30 per minute;300 per hour"
    assert statuses[:3] == [200] * 3 and statuses[3:] == [429, 429]


def test_the_projector_shows_the_current_goal_without_personal_data(planned):
    client, meeting, tree, _facilitator = planned
    meeting = live(client, meeting)
    capture(
        client,
        meeting,
        item=goal_id(tree, "fa-1-goal-1"),
        group="",
        stance="oppose",
        text="Min mor har cpr 010190-1234, ring på 22 33 44 55.",
    )
    html = client.get(f"/sessions/{meeting.id}/projector?lang=en").get_data(as_text=True)
    assert "Fokusområde 1" in html and "Min mor har cpr" in html
    assert "010190-1234" not in html and "22 33 44 55" not in html and "[…]" in html
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in html
    assert meeting.join_code in html
    qr = client.get(f"/sessions/{meeting.id}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert f"/join/{meeting.join_code}".encode() in qr.data  # the title names the link


# --- confirmation --------------------------------------------------------------------------------


def _ended(planned):
    """A session with two recorded inputs, ended: the participants have their links."""
    client, meeting, tree, _facilitator = planned
    meeting = live(client, meeting)
    capture(
        client,
        meeting,
        item=goal_id(tree, "fa-1-goal-1"),
        group=str(meeting.groups[1].id),
        stance="support",
        text="Et godt mål for patienterne.",
    )
    capture(
        client,
        meeting,
        item=goal_id(tree, "fa-1-goal-1"),
        group=str(meeting.groups[1].id),
        stance="oppose",
        text="Men det mangler penge.",
    )
    post_form(
        client,
        f"/sessions/{meeting.id}/current",
        {"item": goal_id(tree, "fa-2-goal-1")},
        form_url=f"/sessions/{meeting.id}/live",
    )
    capture(
        client,
        meeting,
        item=goal_id(tree, "fa-2-goal-1"),
        group="",
        stance="support_with_changes",
        text="Gruppen vil have psykiatrien med.",
    )
    post_form(client, f"/sessions/{meeting.id}/end", {}, form_url=f"/sessions/{meeting.id}/")
    return client, fresh(Meeting, meeting.id), tree


def links(meeting) -> dict[str, str]:
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    found = {}
    for mail in mails:
        match = re.search(r"https?://[^/\s]+(/sessions/record/\S+)", mail.body_text)
        if match:
            found[mail.recipient] = match.group(1)
    return found


def answer(client, link, verdicts: dict[int, tuple[str, str]]):
    data = {}
    for input_id, (verdict, comment) in verdicts.items():
        data[f"verdict_{input_id}"] = verdict
        data[f"comment_{input_id}"] = comment
    return post_form(client, link, data)


def test_ending_sends_each_participant_a_link_in_the_sessions_language(planned):
    client, meeting, _tree = _ended(planned)
    assert meeting.state is MeetingState.CONFIRMING
    assert meeting.confirm_by == meeting.ended_at + timedelta(days=8)
    sent = links(meeting)
    assert set(sent) == {"deltager1@example.dk", "deltager2@example.dk"}
    body = db.session.scalar(select(OutboxMessage.body_text))
    assert "Tak fordi du deltog" in body


def test_participants_agree_comment_and_object_and_the_facilitator_resolves(app, planned):
    client, meeting, tree = _ended(planned)
    first, second, third = confirmation.inputs_of(meeting, InputState.ACCEPTED)
    sent = links(meeting)
    one, two = app.test_client(), app.test_client()
    link_one, link_two = sent["deltager1@example.dk"], sent["deltager2@example.dk"]
    assert "Et godt mål for patienterne." in one.get(link_one).get_data(as_text=True)
    # An objection needs a comment: the message is beside it and nothing is saved.
    one.get("/?lang=en")
    html = answer(one, link_one, {first.id: ("object", "")}).get_data(as_text=True)
    assert "Say what you would change." in html
    answer(
        one,
        link_one,
        {
            first.id: ("agree", ""),
            second.id: ("object", "Vi sagde, at pengene skal følge patienten."),
            third.id: ("comment", "Også børnepsykiatrien."),
        },
    )
    answer(two, link_two, {first.id: ("agree", ""), second.id: ("agree", "")})
    feedback = db.session.scalars(select(Feedback)).all()
    assert len(feedback) == 5
    # Confirming with the window open and someone not done answering is refused.
    post_form(client, f"/sessions/{meeting.id}/confirm", {}, form_url=f"/sessions/{meeting.id}/")
    assert fresh(Meeting, meeting.id).state is MeetingState.CONFIRMING
    show = client.get(f"/sessions/{meeting.id}/").get_data(as_text=True)
    assert "Men det mangler penge." in show and "Vi sagde, at pengene" in show
    with time_machine.travel(meeting.confirm_by + timedelta(seconds=1), tick=False):
        sign_in(client, meeting.facilitators[0])
        # Open objections stop it after the window too.
        post_form(
            client, f"/sessions/{meeting.id}/confirm", {}, form_url=f"/sessions/{meeting.id}/"
        )
        assert fresh(Meeting, meeting.id).state is MeetingState.CONFIRMING
        url = f"/sessions/{meeting.id}/inputs/{second.id}/resolve"
        post_form(
            client,
            url,
            {
                "stance": "oppose",
                "text": "Pengene skal følge patienten.",
                "resolution": "Rettet efter indsigelse fra en deltager.",
            },
        )
        post_form(
            client, f"/sessions/{meeting.id}/confirm", {}, form_url=f"/sessions/{meeting.id}/"
        )
    meeting = fresh(Meeting, meeting.id)
    assert meeting.state is MeetingState.CONFIRMED
    sign_in(client, meeting.facilitators[0])  # back from the future: sign in again
    # The input is in the consultation: channel session, per group, awaiting moderation.
    responses = db.session.scalars(select(Response).where(Response.meeting_id == meeting.id)).all()
    assert {r.channel for r in responses} == {Channel.SESSION}
    by_org = {r.respondent.organisation: r for r in responses}
    danske = by_org["Danske Patienter"]
    assert danske.respondent.respondent_type.code == "patient-association"
    texts = sorted(
        (i.text, i.position)
        for i in db.session.scalars(select(Input).where(Input.response_id == danske.id))
    )
    assert texts == [("Et godt mål for patienterne.", 0), ("Pengene skal følge patienten.", 1)]
    whole = by_org[""]
    assert whole.respondent.respondent_type is None and whole.respondent.email is None
    states = db.session.scalars(
        select(Contribution.state).where(Contribution.response_id.in_([r.id for r in responses]))
    ).all()
    assert states == [ModerationState.PENDING] * 3
    minutes = client.get(f"/sessions/{meeting.id}/minutes?lang=en").get_data(as_text=True)
    assert "Rettet efter indsigelse fra en deltager." in minutes
    assert "Patient association: Danske Patienter" in minutes and ">3<" in minutes
    assert "Også børnepsykiatrien." in minutes
    minutes_da = client.get(f"/sessions/{meeting.id}/minutes?lang=da").get_data(as_text=True)
    assert "Fremmøde" in minutes_da


def test_an_objection_after_the_window_is_refused(app, planned):
    client, meeting, _tree = _ended(planned)
    first, second = confirmation.inputs_of(meeting, InputState.ACCEPTED)[:2]
    link = links(meeting)["deltager1@example.dk"]
    participant = app.test_client()
    participant.get("/?lang=en")
    token = csrf_token(participant, link)

    def object_to(meeting_input):
        return participant.post(
            link,
            data={
                "csrf_token": token,
                f"verdict_{meeting_input.id}": "object",
                f"comment_{meeting_input.id}": "Det sagde vi ikke.",
            },
        )

    # One second before the deadline it is taken …
    with time_machine.travel(meeting.confirm_by - timedelta(seconds=1), tick=False):
        assert object_to(first).status_code == 302
    # … one second after, it is not.
    with time_machine.travel(meeting.confirm_by + timedelta(seconds=1), tick=False):
        assert object_to(second).status_code == 303
        html = participant.get(link).get_data(as_text=True)
    assert "The time to answer has run out" in html
    verdicts = db.session.scalars(select(Feedback.meeting_input_id)).all()
    assert verdicts == [first.id]


def test_a_participant_link_used_by_someone_else_after_confirmation_changes_nothing(app, planned):
    client, meeting, _tree = _ended(planned)
    first = confirmation.inputs_of(meeting, InputState.ACCEPTED)[0]
    link = links(meeting)["deltager2@example.dk"]
    with time_machine.travel(meeting.confirm_by + timedelta(minutes=1), tick=False):
        sign_in(client, meeting.facilitators[0])
        post_form(
            client, f"/sessions/{meeting.id}/confirm", {}, form_url=f"/sessions/{meeting.id}/"
        )
    assert fresh(Meeting, meeting.id).state is MeetingState.CONFIRMED
    stranger = app.test_client()
    stranger.get("/?lang=en")
    html = stranger.get(link).get_data(as_text=True)
    assert "The record is confirmed" in html and 'name="verdict_' not in html
    token = csrf_token(stranger, "/join")
    response = stranger.post(
        link,
        data={"csrf_token": token, f"verdict_{first.id}": "object", f"comment_{first.id}": "Nej"},
    )
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Feedback.id))) == 0
    # A forged or tampered link opens nothing.
    assert stranger.get(link[:-3] + "abc").status_code == 400


@pytest.mark.parametrize("state", ["planned", "live"])
def test_confirming_before_the_session_has_ended_is_refused(planned, state):
    client, meeting, _tree, facilitator = planned
    if state == "live":
        meeting = live(client, meeting)
    with pytest.raises(services.MeetingError):
        confirmation.confirm(meeting, facilitator, now=utcnow() + timedelta(days=30))
