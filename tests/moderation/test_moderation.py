"""Moderation end to end: the queue, publish / redact / hide, what the public and respondent see."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from consult.accounts.models import Role
from consult.audit.models import AuditEvent
from consult.db import utcnow
from consult.extensions import db
from consult.mail.models import OutboxMessage
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import ModerationState
from consult.reference.seed import load_reference_data
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in

CPR_TEXT = "Min mor har cpr 010190-1234 og fik ingen hjælp efter udskrivelsen."


@pytest.fixture
def world(client):
    load_reference_data()
    consultation = make_consultation(focus_areas=2, goals_per_area=2)
    moderator = make_user(Role.MODERATOR)
    sign_in(client, moderator)
    return client, consultation, moderator


def contribution_of(response, kind=ContributionKind.INPUT):
    """Return the response's first contribution of ``kind``."""
    return db.session.scalar(
        select(Contribution)
        .where(Contribution.response_id == response.id, Contribution.kind == kind)
        .order_by(Contribution.id)
    )


def review(client, contribution, action, data=None):
    """Send the review form ``action`` (publish, redact, hide) as the page names its fields."""
    url = f"/moderation/contributions/{contribution.id}"
    fields = {"fingerprint": contribution.fingerprint, **(data or {})}
    return post_form(
        client,
        f"{url}/{action}",
        {f"{action}-{name}": value for name, value in fields.items()},
        form_url=url,
    )


def public_page(client, c, key="fa-1-goal-1", lang="da") -> str:
    anonymous = client.application.test_client()
    return anonymous.get(f"/consultations/{c.slug}/items/{key}/input?lang={lang}").get_data(
        as_text=True
    )


def test_submitting_queues_every_text_and_flags_personal_data(world):
    client, c, _moderator = world
    response = make_response(
        c,
        {"fa-1-goal-1": CPR_TEXT, "fa-1-goal-2": "Et godt mål."},
        comment="Ring til mig på 22 33 44 55.",
    )
    contributions = db.session.scalars(
        select(Contribution).where(Contribution.response_id == response.id)
    ).all()
    assert sorted(x.kind.value for x in contributions) == ["comment", "input", "input"]
    assert {x.state for x in contributions} == {ModerationState.PENDING}
    flagged = {x.kind.value: [f.kind for f in x.flags] for x in contributions if x.flags}
    assert flagged == {"input": ["cpr"], "comment": ["phone"]}
    # Nothing is public before moderation.
    assert "010190-1234" not in public_page(client, c)
    assert "Et godt mål" not in public_page(client, c, "fa-1-goal-2")
    html = client.get("/moderation/?lang=en").get_data(as_text=True)
    assert "3 contributions wait." in html and "CPR number" in html and "Phone number" in html


def test_a_private_response_is_withheld_and_never_queued(world):
    client, c, _moderator = world
    response = make_response(c, {"fa-1-goal-1": "Kun til sekretariatet."}, consent="private")
    assert contribution_of(response).state is ModerationState.WITHHELD
    assert "0 contributions wait." in client.get("/moderation/?lang=en").get_data(as_text=True)


def test_the_queue_is_oldest_first_and_filters(world):
    client, c, _moderator = world
    other = make_consultation()
    with time_machine.travel(utcnow() - timedelta(days=4), tick=False):
        old = make_response(c, {"fa-2-goal-1": "Gammelt input om rehabilitering."})
    clean = make_response(c, {"fa-1-goal-1": "Nyt input uden persondata."})
    flagged = make_response(c, {"fa-1-goal-2": CPR_TEXT})
    make_response(other, {"fa-1-goal-1": "Andet udkast."})
    html = client.get(f"/moderation/?consultation={c.id}&lang=en").get_data(as_text=True)
    assert "3 contributions wait." in html
    assert html.index("Gammelt input") < html.index("Nyt input") < html.index("Min mor har cpr")
    html = client.get(f"/moderation/?consultation={c.id}&flag=cpr").get_data(as_text=True)
    assert "Min mor har cpr" in html and "Nyt input" not in html
    html = client.get(f"/moderation/?consultation={c.id}&flag=clean").get_data(as_text=True)
    assert "Nyt input" in html and "Min mor har cpr" not in html
    html = client.get(f"/moderation/?consultation={c.id}&older_than=3").get_data(as_text=True)
    assert "Gammelt input" in html and "Nyt input" not in html
    goal = contribution_of(clean).item_id
    html = client.get(f"/moderation/?consultation={c.id}&item={goal}").get_data(as_text=True)
    assert "Nyt input" in html and "Gammelt input" not in html
    # Unknown filter values are ignored, never an error.
    assert client.get("/moderation/?flag=<script>&older_than=x&item=y").status_code == 200
    assert old and flagged


def test_bulk_publish_takes_only_clean_contributions_and_mails_once(world):
    client, c, _moderator = world
    one = make_response(
        c,
        {"fa-1-goal-1": "Rent input.", "fa-1-goal-2": "Også rent."},
        email="en@example.dk",
        locale="en",
    )
    two = make_response(c, {"fa-1-goal-1": CPR_TEXT}, email="to@example.dk")
    ids = [x.id for x in db.session.scalars(select(Contribution))]
    response = post_form(client, "/moderation/bulk-publish", {"ids": ids}, "/moderation/")
    assert response.status_code == 302
    db.session.expire_all()
    assert {
        x.state
        for x in db.session.scalars(select(Contribution).where(Contribution.response_id == one.id))
    } == {ModerationState.PUBLISHED}
    assert contribution_of(two).state is ModerationState.PENDING
    mails = db.session.scalars(select(OutboxMessage)).all()
    outcome = [m for m in mails if "reviewed" in m.subject]
    # One mail for the response whose review is done, in its language; none for the other.
    assert [m.recipient for m in outcome] == ["en@example.dk"]
    assert "published" in outcome[0].body_text
    assert "Rent input." in public_page(client, c)


def test_publish_shows_the_input_with_a_name_only_by_consent(world):
    client, c, _moderator = world
    named = make_response(
        c,
        {"fa-1-goal-1": "Vi ønsker flere tværsektorielle teams."},
        type_code="patient-association",
        organisation="Ældre Sagen Hovedstaden",
    )
    anonymous = make_response(
        c, {"fa-1-goal-1": ("oppose", "Jeg er uenig.", "")}, name="Karen Jensen"
    )
    for response in (named, anonymous):
        assert review(client, contribution_of(response), "publish").status_code == 302
    html = public_page(client, c, lang="en")
    assert "Vi ønsker flere tværsektorielle teams." in html and "Jeg er uenig." in html
    assert "Ældre Sagen Hovedstaden" in html
    assert "Karen Jensen" not in html
    assert "I oppose the goal (1)" in html and "Patient association (1)" in html
    goal_page = (
        client.application.test_client()
        .get(f"/consultations/{c.slug}/items/fa-1-goal-1")
        .get_data(as_text=True)
    )
    assert "Jeg er uenig." in goal_page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "moderation.publish"))
    assert event.actor_id is not None and event.subject_type == "contribution"


def test_redact_replaces_the_chosen_spans_in_each_language_and_keeps_the_original(world):
    client, c, moderator = world
    response = make_response(
        c,
        {"fa-1-goal-1": ("support", CPR_TEXT, "Alle kontakter Jens Hansen på 22 33 44 55.")},
    )
    contribution = contribution_of(response)
    flagged = [f"{f.field}:{f.start}:{f.end}" for f in contribution.flags]
    assert len(flagged) >= 2
    result = review(
        client,
        contribution,
        "redact",
        {"spans": flagged, "phrases": "ingen hjælp", "reason": "personal_data", "note": ""},
    )
    assert result.status_code == 302
    danish, english = public_page(client, c), public_page(client, c, lang="en")
    assert "010190-1234" not in danish and "22 33 44 55" not in danish
    assert "ingen hjælp" not in danish and "[fjernet]" in danish
    assert "[removed]" in english and "Min mor har cpr" in english
    # Staff still read the original, with the flags marked.
    staff = client.get(f"/moderation/contributions/{contribution.id}").get_data(as_text=True)
    assert "010190-1234" in staff and '<mark class="flag flag--cpr">' in staff
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "moderation.redact"))
    assert event.reason == "personal_data" and event.actor_id == moderator.id
    assert "010190" not in event.details  # the audit log never copies what was removed


def test_redaction_refuses_words_that_are_not_there(world):
    client, c, _moderator = world
    contribution = contribution_of(make_response(c, {"fa-1-goal-1": "Helt almindelig tekst."}))
    html = review(
        client, contribution, "redact", {"phrases": "findes ikke", "reason": "personal_data"}
    ).get_data(as_text=True)
    assert "findes ikke" in html and contribution.state is ModerationState.PENDING
    html = review(client, contribution, "redact", {"reason": "personal_data"}).get_data(
        as_text=True
    )
    assert 'class="error-summary"' in html


def test_hide_needs_a_reason_and_the_respondent_is_told_in_their_language(world):
    client, c, _moderator = world
    response = make_response(
        c, {"fa-1-goal-1": "Køb billig medicin her"}, email="spam@example.com", locale="en"
    )
    contribution = contribution_of(response)
    html = review(client, contribution, "hide", {"reason": "other", "note": ""}).get_data(
        as_text=True
    )
    assert 'class="error-summary"' in html
    assert review(client, contribution, "hide", {"reason": "spam"}).status_code == 302
    db.session.expire_all()
    assert contribution_of(response).state is ModerationState.HIDDEN
    assert "Køb billig" not in public_page(client, c)
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "spam@example.com")
    )
    assert "not published (spam)" in mail.body_text


def test_a_changed_text_goes_back_to_the_queue_and_a_stale_review_is_refused(world):
    client, c, _moderator = world
    from consult.drafts.services import current_version
    from consult.drafts.services import load_tree
    from consult.responses import services as responses

    response = make_response(c, {"fa-1-goal-1": "Første udgave."})
    contribution = contribution_of(response)
    stale = contribution.fingerprint
    review(client, contribution, "publish")
    db.session.expire_all()  # the review ran in the request's own session
    node = load_tree(current_version(c)).by_key["fa-1-goal-1"]
    responses.save_input(
        response,
        node,
        stance=None,
        importance=None,
        text="Anden udgave med 22 33 44 55.",
        proposed_wording="",
        preferred_alternative_id=None,
    )
    db.session.expire_all()
    contribution = contribution_of(response)
    assert contribution.state is ModerationState.PENDING and contribution.flags
    assert "Første udgave." not in public_page(client, c)
    result = post_form(
        client,
        f"/moderation/contributions/{contribution.id}/publish",
        {"publish-fingerprint": stale},
        form_url=f"/moderation/contributions/{contribution.id}?lang=en",
    )
    assert "changed the text while you read it" in result.get_data(as_text=True)
    db.session.expire_all()
    assert contribution_of(response).state is ModerationState.PENDING


def test_reports_send_it_back_and_three_addresses_hide_it(app, world):
    client, c, _moderator = world
    contribution = contribution_of(make_response(c, {"fa-1-goal-1": "Et synligt input."}))
    review(client, contribution, "publish")
    url = f"/consultations/{c.slug}/contributions/{contribution.id}/report"

    def report(address: str):
        """Report from a new browser at ``address``."""
        visitor = app.test_client()
        visitor.environ_base["REMOTE_ADDR"] = address
        return post_form(visitor, url, {"reason": "offensive", "text": "Grimt sprog"})

    assert report("127.0.0.1").status_code == 302
    assert report("127.0.0.1").status_code == 302  # the same address counts once
    db.session.expire_all()
    assert contribution_of_id(contribution.id).report_count == 1
    # Back in the queue, still public.
    assert "Et synligt input." in public_page(client, c)
    assert "1 report" in client.get("/moderation/?lang=en").get_data(as_text=True)
    report("10.0.0.2")
    report("10.0.0.3")
    db.session.expire_all()
    hidden = contribution_of_id(contribution.id)
    assert hidden.state is ModerationState.PENDING and hidden.report_count == 3
    assert "Et synligt input." not in public_page(client, c)
    # A moderator looks again and publishes: the reports are dealt with.
    review(client, hidden, "publish")
    db.session.expire_all()
    assert contribution_of_id(contribution.id).report_count == 0
    assert "Et synligt input." in public_page(client, c)


def contribution_of_id(contribution_id):
    return db.session.get(Contribution, contribution_id)


def test_reports_are_rate_limited_per_address(app, world):
    client, c, _moderator = world
    contributions = []
    for n in range(7):
        contribution = contribution_of(make_response(c, {"fa-1-goal-1": f"Input nummer {n}."}))
        review(client, contribution, "publish")
        contributions.append(contribution)
    visitor = app.test_client()
    statuses = [
        post_form(
            visitor,
            f"/consultations/{c.slug}/contributions/{x.id}/report",
            {"reason": "spam"},
        ).status_code
        for x in contributions
    ]
    assert statuses[:5] == [302] * 5 and 429 in statuses[5:]


def test_an_unpublished_contribution_cannot_be_reported(app, world):
    _client, c, _moderator = world
    contribution = contribution_of(make_response(c, {"fa-1-goal-1": "Venter stadig."}))
    visitor = app.test_client()
    url = f"/consultations/{c.slug}/contributions/{contribution.id}/report"
    assert visitor.get(url).status_code == 404


def test_an_organisations_whole_response_is_one_public_page(app, world):
    client, c, _moderator = world
    response = make_response(
        c,
        {"fa-1-goal-1": "Vi støtter målet.", "fa-2-goal-1": "Vi foreslår ændringer."},
        comment="Samlet set et godt udkast.",
        type_code="interest-organisation",
        organisation="Danske Handicaporganisationer",
    )
    for x in db.session.scalars(
        select(Contribution).where(Contribution.response_id == response.id)
    ).all():
        review(client, x, "publish")
    page = app.test_client().get(f"/consultations/{c.slug}/responses/{response.id}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Danske Handicaporganisationer" in html
    assert "Vi støtter målet." in html and "Samlet set et godt udkast." in html
    # An individual's response has no such page, nor has a response nobody published yet.
    person = make_response(c, {"fa-1-goal-1": "Mit eget input."}, name="Ole", consent="named")
    review(client, contribution_of(person), "publish")
    assert (
        app.test_client().get(f"/consultations/{c.slug}/responses/{person.id}").status_code == 404
    )


def test_the_respondent_sees_where_moderation_stands(app, world):
    client, c, _moderator = world
    user = make_user(email="borger@example.dk")
    response = make_response(c, {"fa-1-goal-1": "Mit input."}, email=user.email)
    response.respondent.user_id = user.id
    db.session.flush()
    own = app.test_client()
    sign_in(own, user)
    html = own.get(f"/consultations/{c.slug}/respond/?lang=en").get_data(as_text=True)
    assert "Awaiting review" in html
    review(client, contribution_of(response), "hide", {"reason": "off_topic"})
    html = own.get(f"/consultations/{c.slug}/respond/?lang=en").get_data(as_text=True)
    assert "Not published" in html


def test_the_queue_takes_a_fixed_number_of_queries(world, count_queries):
    client, c, _moderator = world
    make_response(c, {"fa-1-goal-1": "Et.", "fa-1-goal-2": CPR_TEXT})
    with count_queries() as few:
        client.get("/moderation/")
    for n in range(6):
        make_response(c, {"fa-1-goal-1": f"Flere {n}.", "fa-2-goal-1": CPR_TEXT}, comment="Hej")
    with count_queries() as many:
        client.get("/moderation/")
    assert many.count == few.count


def test_a_letter_is_public_only_once_published_and_cannot_be_redacted(app, world):
    from io import BytesIO

    from consult.responses import letters
    from tests.helpers import PDF

    client, c, _moderator = world
    response = make_response(
        c,
        {"fa-1-goal-1": "Se vores brev."},
        type_code="patient-association",
        organisation="Hjerteforeningen",
        submit=False,
    )
    letters.attach_letter(response, BytesIO(PDF), "brev.pdf")
    from consult.responses.services import submit_response

    submit_response(response, key="letter")
    letter = contribution_of(response, ContributionKind.LETTER)
    for x in db.session.scalars(
        select(Contribution).where(
            Contribution.response_id == response.id, Contribution.kind == ContributionKind.INPUT
        )
    ):
        review(client, x, "publish")
    public = app.test_client()
    url = f"/consultations/{c.slug}/responses/{response.id}/letter"
    assert public.get(url).status_code == 404
    staff = client.get(f"/moderation/contributions/{letter.id}/letter")
    assert staff.status_code == 200 and staff.data == PDF
    staff.close()
    client.get("/?lang=en")
    html = review(client, letter, "redact", {"reason": "personal_data"}).get_data(as_text=True)
    assert "Parts of a letter cannot be removed" in html
    review(client, letter, "publish")
    download = public.get(url)
    assert download.status_code == 200 and download.data == PDF
    download.close()
