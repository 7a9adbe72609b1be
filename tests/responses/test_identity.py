"""Who responds: reading never writes, links work once, devices can be forgotten, and an
account sees a response only once it has proved its address."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from consult.accounts.models import User
from consult.db import utcnow
from consult.extensions import db
from consult.mail.models import OutboxMessage
from consult.reference.seed import load_reference_data
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import RespondentLink
from consult.responses.models import RespondentSession
from consult.responses.models import Response
from consult.responses.models import ResponseState
from tests.factories import about_me
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import post_form as post
from tests.factories import sign_in

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
PASSWORD = "a long enough password"


def register(client, email: str) -> User:
    """Register an account through the form; it stays unconfirmed."""
    url = "/account/register"
    client.post(
        url,
        data={
            "email": email,
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "name": "",
            "csrf_token": csrf_token(client, url),
        },
    )
    return db.session.scalar(select(User).where(User.email == email))


def copy_cookie(source, target) -> None:
    """Give ``target`` the session cookie ``source`` has now, as a thief would."""
    name = source.application.config["SESSION_COOKIE_NAME"]
    domain = source.application.config["SERVER_NAME"]
    target.set_cookie(name, source.get_cookie(name, domain=domain).value, domain=domain)


@pytest.fixture
def consultation():
    load_reference_data()
    return make_consultation(focus_areas=2, goals_per_area=2, closes_in=timedelta(days=3))


def base(c) -> str:
    return f"/consultations/{c.slug}/respond"


def last_link(address: str) -> str:
    """The path of the respond link in the newest mail to ``address``."""
    body = db.session.scalars(
        select(OutboxMessage.body_text)
        .where(OutboxMessage.recipient == address)
        .order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"https?://[^/\s]+(/\S*/respond/link/\S+)", body).group(1)


def mails_to(address: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == address)
    )


def ask_for_link(client, c, address: str) -> str:
    assert post(client, f"{base(c)}/start", {"email": address}).status_code == 200
    return last_link(address)


def open_by_link(client, c, address: str) -> str:
    link = ask_for_link(client, c, address)
    assert post(client, link, {}).status_code == 302
    return link


def respondent_of(address: str) -> Respondent | None:
    db.session.expire_all()
    return db.session.scalar(select(Respondent).where(Respondent.email == address))


def responses_to(c) -> list[Response]:
    db.session.expire_all()
    return list(db.session.scalars(select(Response).where(Response.consultation_id == c.id)))


def pages(c) -> list[str]:
    """Every page of the respond flow a GET can reach."""
    return [
        f"{base(c)}/start",
        f"{base(c)}/about-you",
        f"{base(c)}/items/fa-1-goal-1",
        f"{base(c)}/items/fa-2-initiative",
        f"{base(c)}/ranking",
        f"{base(c)}/comment",
        f"{base(c)}/letter",
        f"{base(c)}/",
        f"{base(c)}/receipt",
        f"{base(c)}/letter/file",
    ]


def get_counting_writes(client, urls, count_queries) -> tuple[dict[str, int], list[str]]:
    with count_queries() as counter:
        statuses = {url: client.get(url).status_code for url in urls}
    return statuses, [s for s in counter.statements if WRITES.match(s)]


# --- GET requests never write --------------------------------------------------------------------


def test_a_new_account_reads_every_page_without_a_write_and_its_first_save_starts(
    client, consultation, count_queries
):
    c = consultation
    user = make_user(email="ny.borger@example.dk")
    sign_in(client, user)
    with time_machine.travel(utcnow(), tick=False):  # no idle-clock bookkeeping either
        statuses, writes = get_counting_writes(client, pages(c), count_queries)
    assert writes == []
    assert statuses[f"{base(c)}/about-you"] == 200
    assert statuses[f"{base(c)}/letter/file"] == 404
    assert respondent_of("ny.borger@example.dk") is None and responses_to(c) == []
    # The first save makes the respondent and the response.
    assert about_me(client, c).status_code == 302
    respondent = respondent_of("ny.borger@example.dk")
    assert respondent.user_id == user.id
    assert [r.respondent_id for r in responses_to(c)] == [respondent.id]


def test_a_one_off_respondent_reads_every_page_without_a_write_and_its_first_post_starts(
    app, client, consultation, count_queries
):
    c = consultation
    address = "foreningen@example.dk"
    # Known from an earlier consultation: profile filled in, nothing saved on this one.
    earlier = make_consultation()
    open_by_link(client, earlier, address)
    about_me(client, earlier, code="patient-association", organisation="Hjerteforeningen")
    unused_link = ask_for_link(app.test_client(), c, address)
    client.get("/?lang=en")
    statuses, writes = get_counting_writes(client, [*pages(c), unused_link], count_queries)
    assert writes == []
    assert statuses == {
        **{url: 200 for url in pages(c)},
        f"{base(c)}/start": 302,
        f"{base(c)}/receipt": 302,
        f"{base(c)}/letter/file": 404,
        unused_link: 200,
    }
    assert responses_to(c) == []
    summary = client.get(f"{base(c)}/").get_data(as_text=True)
    assert "Nothing is saved yet." in summary and "Send my response" not in summary
    # Reading the link used nothing up.
    newest = db.session.scalars(select(RespondentLink).order_by(RespondentLink.id.desc())).first()
    assert newest.used_at is None
    # The first POST starts the response, publishing under the organisation's name by default.
    saved = post(client, f"{base(c)}/items/fa-1-goal-1", {"stance": "support", "text": "Godt."})
    assert saved.status_code == 302
    (response,) = responses_to(c)
    assert response.respondent.email == address and response.consent.value == "named"
    assert db.session.scalar(select(Input.text).where(Input.response_id == response.id)) == "Godt."


def test_a_visitor_nobody_knows_reads_without_a_write(client, consultation, count_queries):
    c = consultation
    statuses, writes = get_counting_writes(client, pages(c), count_queries)
    assert writes == []
    assert statuses[f"{base(c)}/start"] == 200
    assert all(status == 302 for url, status in statuses.items() if not url.endswith("/start"))


# --- a respond link works once -------------------------------------------------------------------


def test_a_link_is_used_by_its_button_once_and_offers_a_fresh_one(app, client, consultation):
    c = consultation
    address = "engang@example.dk"
    link = ask_for_link(client, c, address)
    # An e-mail scanner fetching the link, and the person opening it, use nothing up.
    scanner = app.test_client()
    assert scanner.get(link).status_code == 200
    page = client.get(link + "?lang=en").get_data(as_text=True)
    assert "Continue to your response" in page and 'method="post"' in page
    assert post(client, link, {}).status_code == 302
    assert client.get(f"{base(c)}/").status_code == 302  # known: on to "About you"
    # Opened again on the same device, it simply goes on.
    assert client.get(link).status_code == 302
    # Anywhere else it is spent, also when its button is pressed.
    other = app.test_client()
    other.get("/?lang=en")
    spent = other.get(link)
    html = spent.get_data(as_text=True)
    assert spent.status_code == 400 and "Send me a new link" in html
    assert address not in html
    assert post(other, link, {}).status_code == 400
    assert other.get(f"{base(c)}/about-you").status_code == 302  # still nobody
    # One click sends a fresh link to the same address, for the same consultation.
    sent = mails_to(address)
    renewed = post(other, f"{link}/renew", {}, link)
    assert renewed.status_code == 200 and address in renewed.get_data(as_text=True)
    assert mails_to(address) == sent + 1
    fresh = last_link(address)
    assert fresh != link and fresh.startswith(f"{base(c)}/link/")
    assert post(other, fresh, {}).status_code == 302
    assert other.get(f"{base(c)}/about-you").status_code == 200


def test_a_used_link_is_refused_in_danish_too(client, consultation):
    link = open_by_link(client, consultation, "dansk@example.dk")
    other = client.application.test_client()
    page = other.get(link).get_data(as_text=True)
    assert "Linket virker ikke" in page and "Send mig et nyt link" in page


def test_only_one_of_two_presses_at_once_uses_the_link(app, consultation):
    """Two tabs (or two devices) press the button: the conditional update lets one win."""
    from consult.responses import identity

    link = ask_for_link(app.test_client(), consultation, "to.faner@example.dk")
    with app.test_request_context():
        read_before = identity.find_link(link.rsplit("/", 1)[1], consultation)
        assert identity.link_usable(read_before)
        # The other tab uses the link after this one read it, in its own transaction.
        db.session.execute(
            update(RespondentLink)
            .where(RespondentLink.id == read_before.id)
            .values(used_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        assert read_before.used_at is None  # what this tab still believes
        assert identity.use_link(read_before) is None


def test_a_link_lasts_two_days(app, client, consultation):
    link = ask_for_link(client, consultation, "sent@example.dk")
    max_age = timedelta(seconds=app.config["RESPOND_LINK_MAX_AGE"])
    assert max_age == timedelta(days=2)
    with time_machine.travel(utcnow() + max_age + timedelta(seconds=1)):
        assert client.get(link).status_code == 400
        assert post(client, link, {}).status_code == 400
    with time_machine.travel(utcnow() + max_age - timedelta(minutes=1)):
        assert post(client, link, {}).status_code == 302


def test_asking_for_fresh_links_is_rate_limited(app, client, consultation):
    address = "mange@example.dk"
    link = open_by_link(client, consultation, address)
    other = app.test_client()
    token = csrf_token(other, link)
    limit = int(app.config["MAIL_RATE_LIMIT"].split()[0])
    statuses = [
        other.post(f"{link}/renew", data={"csrf_token": token}).status_code
        for _ in range(limit + 1)
    ]
    assert statuses == [200] * limit + [429]
    assert mails_to(address) == 1 + limit


def test_a_tampered_link_asks_for_the_address_again(client, consultation):
    page = client.get(f"{base(consultation)}/link/not-a-token")
    assert page.status_code == 400
    assert f'href="{base(consultation)}/start"' in page.get_data(as_text=True)
    renew = post(
        client, f"{base(consultation)}/link/not-a-token/renew", {}, f"{base(consultation)}/start"
    )
    assert renew.status_code == 404


# --- forgetting a device -------------------------------------------------------------------------


def test_forgetting_the_device_ends_a_copied_cookie_too(app, client, consultation):
    c = consultation
    open_by_link(client, c, "delt.computer@example.dk")
    about_me(client, c)
    thief = app.test_client()
    copy_cookie(client, thief)
    assert thief.get(f"{base(c)}/").status_code == 200  # the copy works, before forgetting
    post(client, f"{base(c)}/forget", {}, f"{base(c)}/")
    for browser in (client, thief):
        response = browser.get(f"{base(c)}/")
        assert response.status_code == 302 and "/start" in response.headers["Location"]
    device = db.session.scalar(select(RespondentSession))
    db.session.refresh(device)
    assert device.ended_at is not None
    assert responses_to(c)  # the response is kept


def test_a_device_is_kept_no_longer_than_a_respondent_sign_in(app, client, consultation):
    c = consultation
    open_by_link(client, c, "gammel@example.dk")
    about_me(client, c)
    lifetime = timedelta(hours=app.config["RESPONDENT_ABSOLUTE_HOURS"])
    with time_machine.travel(utcnow() + lifetime + timedelta(minutes=1)):
        assert client.get(f"{base(c)}/").status_code == 302


def test_a_one_off_respondents_pages_and_letter_are_never_cached(client, consultation):
    c = consultation
    open_by_link(client, c, "brev@example.dk")
    about_me(client, c, code="patient-association", organisation="Hjerteforeningen")
    url = f"{base(c)}/letter"
    client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "letter": (io.BytesIO(PDF), "b.pdf")},
        content_type="multipart/form-data",
    )
    for page in (f"{base(c)}/", url):
        assert client.get(page).headers["Cache-Control"] == "private, no-store", page
    download = client.get(f"{base(c)}/letter/file")
    download.close()
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "private, no-store"


# --- accounts see a response only with a confirmed address ---------------------------------------


def test_an_unconfirmed_account_cannot_take_over_a_response_given_by_link(app, consultation):
    c = consultation
    victim_address = "offer@example.dk"
    victim = app.test_client()
    open_by_link(victim, c, victim_address)
    about_me(victim, c)
    post(victim, f"{base(c)}/items/fa-1-goal-1", {"stance": "oppose", "text": "Mit eget svar."})
    summary = victim.get(f"{base(c)}/").get_data(as_text=True)
    key = summary.split('name="key" type="hidden" value="')[1].split('"')[0]
    post(victim, f"{base(c)}/submit", {"key": key}, f"{base(c)}/")
    # Someone registers an account with the victim's address and signs in without confirming.
    attacker = app.test_client()
    user = register(attacker, victim_address)
    assert not user.is_confirmed
    login(attacker, user, PASSWORD)
    attacker.get("/?lang=en")
    for url in [p for p in pages(c) if not p.endswith("/start")]:
        response = attacker.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 403, url
        assert "Mit eget svar." not in html and "Confirm your e-mail address first" in html, url
    assert attacker.get(f"{base(c)}/start").status_code == 302
    token = csrf_token(attacker, "/account/")
    attempts = {
        f"{base(c)}/items/fa-1-goal-1": {"stance": "support", "text": "Overtaget."},
        f"{base(c)}/comment": {"general_comment": "Overtaget.", "consent": "named"},
        f"{base(c)}/about-you": {"respondent_type": "1", "municipality": "1"},
        f"{base(c)}/withdraw": {},
        f"{base(c)}/submit": {"key": "stolen"},
        f"{base(c)}/items/fa-1-goal-1/remove": {},
    }
    for url, data in attempts.items():
        assert attacker.post(url, data={**data, "csrf_token": token}).status_code == 403, url
    (response,) = responses_to(c)
    assert response.state is ResponseState.SUBMITTED and response.comment_text == ""
    assert [i.text for i in response.inputs] == ["Mit eget svar."]
    assert response.respondent.user_id is None
    assert db.session.scalar(select(func.count()).select_from(Respondent)) == 1
    # The victim's own device goes on as before.
    assert "Mit eget svar." in victim.get(f"{base(c)}/").get_data(as_text=True)


def test_confirming_the_account_joins_the_response_given_by_link(app, client, consultation):
    c = consultation
    address = "samme@example.dk"
    by_link = app.test_client()
    open_by_link(by_link, c, address)
    about_me(by_link, c)
    post(by_link, f"{base(c)}/items/fa-1-goal-1", {"stance": "support", "text": "Fra linket."})
    user = register(client, address)
    confirm = re.search(
        r"https?://[^/\s]+(/account/confirm/\S+)",
        db.session.scalars(
            select(OutboxMessage.body_text)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id.desc())
        ).first(),
    ).group(1)
    assert post(client, confirm, {}).status_code == 302
    assert respondent_of(address).user_id == user.id  # joined when the address was proved
    login(client, user, PASSWORD)
    assert "Fra linket." in client.get(f"{base(c)}/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Respondent)) == 1


def test_an_unconfirmed_account_is_asked_to_confirm_and_can_resend(app, client, consultation):
    c = consultation
    user = make_user(email="venter@example.dk", confirmed=False)
    login(client, user)
    page = client.get(f"{base(c)}/items/fa-1-goal-1?lang=da")
    html = page.get_data(as_text=True)
    assert page.status_code == 403 and "Bekræft først din e-mailadresse" in html
    assert f'action="/account/confirm?next={base(c)}/items/fa-1-goal-1"' in html
    resent = client.post(
        f"/account/confirm?next={base(c)}/items/fa-1-goal-1",
        data={"csrf_token": csrf_token(client, "/account/")},
    )
    assert resent.headers["Location"] == f"{base(c)}/items/fa-1-goal-1"
    assert mails_to("venter@example.dk") == 1
    assert respondent_of("venter@example.dk") is None


def test_the_services_give_an_unconfirmed_account_no_respondent(ctx):
    from consult.responses import services

    one_off = Respondent(email="samme.adresse@example.dk", email_confirmed_at=utcnow())
    db.session.add(one_off)
    db.session.flush()
    user = make_user(email="samme.adresse@example.dk", confirmed=False)
    assert services.find_respondent_for_user(user) is None
    with pytest.raises(services.ResponseError, match="unconfirmed"):
        services.respondent_for_user(user)
    assert one_off.user_id is None
    user.email_confirmed_at = utcnow()
    assert services.respondent_for_user(user) is one_off and one_off.user_id == user.id
