"""A citizen and an organisation respond in the browser's forms (without JavaScript)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape

import pytest
import time_machine
from sqlalchemy import select

from consult.db import utcnow
from consult.extensions import db
from consult.reference.seed import load_reference_data
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sanitize import clean_text
from tests.factories import about_me
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import post_form as post


def test_a_goal_page_leads_into_the_response(citizen):
    client, c = citizen
    html = client.get(f"/consultations/{c.slug}/items/fa-1-goal-1?lang=en").get_data(as_text=True)
    assert f'href="/consultations/{c.slug}/respond/items/fa-1-goal-1"' in html
    response = client.get(f"/consultations/{c.slug}/respond/items/fa-1-goal-1")
    assert response.status_code == 302 and "/respond/about-you" in response.headers["Location"]


def test_a_citizen_responds_ranks_and_submits(citizen, smtp_server, send_mail):
    client, c = citizen
    assert about_me(client, c).status_code == 302
    respondent = db.session.scalar(
        select(Respondent).where(Respondent.email == "borger@example.dk")
    )
    assert respondent.cluster.code == "syd"  # filled in from Hvidovre
    base = f"/consultations/{c.slug}/respond"
    goal_url = f"{base}/items/fa-1-goal-1"
    html = client.get(goal_url + "?lang=en").get_data(as_text=True)
    assert "Which wording do you prefer?" in html and "Wording B" in html
    alternative = next(
        v for v in html.split('name="preferred_alternative" type="radio" value="')[1:]
    ).split('"')[0]
    response = post(
        client,
        goal_url,
        {
            "stance": "support_with_changes",
            "importance": "5",
            "text": "Vigtigt for ældre.",
            "proposed_wording": "Alle ældre …",
            "preferred_alternative": alternative,
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/items/fa-1-goal-2"
    )
    post(client, f"{base}/items/fa-2-goal-1", {"stance": "oppose", "importance": "", "text": ""})
    from consult.drafts.services import current_version
    from consult.drafts.services import load_tree

    tree = load_tree(current_version(c))
    fa1, fa2 = tree.by_key["fa-1"].item.id, tree.by_key["fa-2"].item.id
    goal = tree.by_key["fa-1-goal-2"].item.id
    assert (
        post(
            client, f"{base}/ranking", {f"area_{fa2}": "1", f"area_{fa1}": "2", f"goal_{goal}": "1"}
        ).status_code
        == 302
    )
    post(client, f"{base}/comment", {"general_comment": "Godt udkast.", "consent": "anonymous"})
    summary = client.get(base + "/?lang=en").get_data(as_text=True)
    assert (
        "I support it with changes" in summary
        and "Prefers wording" in summary
        and "Godt udkast." in summary
    )
    key = summary.split('name="key" type="hidden" value="')[1].split('"')[0]
    token = csrf_token(client, base + "/")
    first = client.post(f"{base}/submit", data={"key": key, "csrf_token": token})
    again = client.post(f"{base}/submit", data={"key": key, "csrf_token": token})
    assert first.status_code == again.status_code == 302
    saved = db.session.scalar(select(Response).where(Response.consultation_id == c.id))
    db.session.refresh(saved)
    assert saved.state is ResponseState.SUBMITTED and saved.consent is Consent.ANONYMOUS
    given = db.session.scalars(select(Input).where(Input.response_id == saved.id)).all()
    # Two inputs on goals and the general comment, an input of its own with no goal.
    assert sorted(i.kind.value for i in given) == ["comment", "goal", "goal"]
    (comment,) = [i for i in given if i.kind is InputKind.COMMENT]
    assert comment.text == "Godt udkast." and comment.item_id is None and saved.input_count == 2
    receipt = client.get(f"{base}/receipt").get_data(as_text=True)
    assert saved.receipt_number in receipt
    send_mail()
    mails = [m for m in smtp_server.messages if m["To"] == "borger@example.dk"]
    assert len(mails) == 1  # the double click sent one receipt
    body = mails[0].get_payload(decode=True).decode()
    assert saved.receipt_number in body and "Vigtigt for ældre." in body


def test_an_organisation_must_name_itself_and_publishes_with_its_name_by_default(citizen):
    client, c = citizen
    html = about_me(client, c, code="patient-association").get_data(as_text=True)
    assert "Giv navnet på den organisation" in html or "organisation you answer for" in html
    assert (
        about_me(client, c, code="patient-association", organisation="Danske Patienter").status_code
        == 302
    )
    response = db.session.scalar(select(Response).where(Response.consultation_id == c.id))
    assert response.consent is Consent.NAMED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stance": "maybe"}, "Not a valid choice"),
        ({"stance": ""}, "Choose what you think of it."),
        ({"stance": "support", "importance": "9"}, "Not a valid choice"),
        ({"stance": "support", "text": "x" * 10_001}, "10000"),
        (
            {"stance": "no_position", "proposed_wording": "Ny tekst"},
            "Choose a position to propose a wording.",
        ),
    ],
)
def test_bad_input_is_explained_beside_the_field_and_nothing_is_lost(citizen, data, message):
    client, c = citizen
    about_me(client, c)
    url = f"/consultations/{c.slug}/respond/items/fa-1-goal-2"
    client.get("/?lang=en")
    fields = {"text": "Min begrundelse <b>med</b> tekst."}
    fields.update(data)
    response = post(client, url, fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    # What was typed comes back in its field, however long: cleaned of markup, never cut.
    typed = re.search(r'<textarea[^>]*name="text"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert typed and typed.group(1) == escape(clean_text(fields["text"]), quote=False)


def test_the_deadline_passing_while_the_form_is_open_keeps_the_text(citizen):
    client, c = citizen
    c.closes_at = utcnow() + timedelta(minutes=30)
    db.session.flush()
    about_me(client, c)
    url = f"/consultations/{c.slug}/respond/items/fa-1-goal-2"
    token = csrf_token(client, url + "?lang=en")
    with time_machine.travel(c.closes_at + timedelta(seconds=1), tick=False):
        response = client.post(
            url,
            data={"stance": "support", "text": "Skrevet lige før fristen.", "csrf_token": token},
        )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The deadline has passed" in html and "Skrevet lige før fristen." in html
    assert db.session.scalar(select(Input)) is None
    with time_machine.travel(c.closes_at - timedelta(seconds=1), tick=False):
        response = client.post(
            url, data={"stance": "support", "text": "Lige i tide.", "csrf_token": token}
        )
    assert response.status_code == 302


def test_ranking_beyond_the_cap_is_refused(citizen):
    client, c = citizen
    about_me(client, c)
    from consult.drafts.services import current_version
    from consult.drafts.services import load_tree

    tree = load_tree(current_version(c))
    url = f"/consultations/{c.slug}/respond/ranking?lang=en"
    ids = [n.item.id for n in tree.focus_areas]
    html = post(client, url, {f"area_{ids[0]}": "1", f"area_{ids[1]}": "1"}).get_data(as_text=True)
    assert "given twice" in html
    html = post(client, url, {f"area_{ids[0]}": "4"}).get_data(as_text=True)
    assert "Not a valid choice" in html
    goal = tree.by_key["fa-2-goal-1"].item.id
    html = post(client, url, {f"area_{ids[0]}": "1", f"goal_{goal}": "1"}).get_data(as_text=True)
    assert "Choose the focus area first" in html


def test_withdraw_and_send_again(citizen):
    client, c = citizen
    about_me(client, c)
    base = f"/consultations/{c.slug}/respond"
    post(client, f"{base}/items/fa-1-goal-1", {"stance": "support"})
    summary = client.get(base + "/").get_data(as_text=True)
    key = summary.split('name="key" type="hidden" value="')[1].split('"')[0]
    post(client, f"{base}/submit", {"key": key}, base + "/")
    post(client, f"{base}/withdraw", {}, base + "/")
    response = db.session.scalar(select(Response).where(Response.consultation_id == c.id))
    db.session.refresh(response)
    assert response.state is ResponseState.WITHDRAWN


def test_respond_with_only_an_e_mail_address(client, smtp_server, send_mail):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1)
    base = f"/consultations/{c.slug}/respond"
    # Unknown visitors are asked how we should recognise them.
    response = client.get(f"{base}/items/fa-1-goal-1")
    assert response.status_code == 302 and f"{base}/start" in response.headers["Location"]
    html = post(client, f"{base}/start", {"email": "Engang@Example.dk"}).get_data(as_text=True)
    assert "engang@example.dk" in html
    send_mail()
    body = smtp_server.last_to("engang@example.dk").get_payload(decode=True).decode()
    link = next(w for w in body.split() if "/respond/link/" in w).split("consult.test", 1)[1]
    # A link for another consultation does not open this one.
    other = make_consultation()
    assert client.get(link.replace(c.slug, other.slug)).status_code == 400
    # The link shows a button; pressing it opens the response.
    assert client.get(link).status_code == 200
    assert post(client, link, {}).status_code == 302
    respondent = db.session.scalar(
        select(Respondent).where(Respondent.email == "engang@example.dk")
    )
    assert respondent.user_id is None and respondent.email_confirmed_at is not None
    about_me(client, c)
    post(client, f"{base}/items/fa-1-goal-1", {"stance": "support"})
    summary = client.get(base + "/").get_data(as_text=True)
    key = summary.split('name="key" type="hidden" value="')[1].split('"')[0]
    post(client, f"{base}/submit", {"key": key}, base + "/")
    send_mail()
    assert "H" in smtp_server.last_to("engang@example.dk")["Subject"]
    # Forgetting the device ends access; the response stays.
    post(client, f"{base}/forget", {}, base + "/")
    assert client.get(base + "/").status_code == 302
    assert (
        db.session.scalar(select(Response).where(Response.respondent_id == respondent.id))
        is not None
    )


def test_a_tampered_link_is_refused(client):
    c = make_consultation()
    assert client.get(f"/consultations/{c.slug}/respond/link/not-a-token").status_code == 400


def test_markup_and_control_characters_never_reach_the_database_or_the_page(citizen):
    client, c = citizen
    about_me(client, c)
    base = f"/consultations/{c.slug}/respond"
    text = "Vigtigt\x00 mål <script>alert('x')</script><b>fed</b>\x07\r\nNy linje"
    response = post(
        client,
        f"{base}/items/fa-1-goal-2",
        {"stance": "support", "text": text, "proposed_wording": "<img src=x onerror=alert(1)>"},
    )
    assert response.status_code == 302
    saved = db.session.scalar(select(Input))
    assert "\x00" not in saved.text and "\x07" not in saved.text and "<" not in saved.text
    assert "Vigtigt mål" in saved.text and "Ny linje" in saved.text
    assert "<img" not in saved.proposed_wording
    summary = client.get(base + "/").get_data(as_text=True)
    assert "<script>alert" not in summary and "onerror" not in summary
