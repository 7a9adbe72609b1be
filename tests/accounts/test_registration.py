"""Registration and e-mail confirmation, over real SMTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.models import Role
from consult.accounts.models import User
from consult.db import utcnow
from consult.extensions import db
from consult.mail.models import OutboxMessage
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_user
from tests.factories import post_form

GOOD_PASSWORD = "a long enough password"


def register(
    client, email="ny@example.dk", password=GOOD_PASSWORD, url="/account/register", **extra
):
    data = {
        "email": email,
        "password": password,
        "password_confirm": password,
        "name": "Ny Borger",
        "csrf_token": csrf_token(client, url),
        **extra,
    }
    return client.post(url, data=data)


def user_with(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_register_confirm_and_sign_in(client, smtp_server, send_mail):
    response = register(client, email="Ny@Example.dk")
    assert response.status_code == 200
    assert "ny@example.dk" in response.get_data(as_text=True)
    user = user_with("ny@example.dk")
    assert user.role is Role.RESPONDENT and not user.is_confirmed
    assert user.name == "Ny Borger" and user.locale == "da"
    assert user.password_hash.startswith("$argon2id$")
    assert send_mail().exit_code == 0
    confirm = smtp_server.link_to("ny@example.dk")
    assert confirm.startswith("/account/confirm/")
    # Opening the link (as an e-mail scanner does) confirms nothing: its button does.
    for _ in range(2):
        page = client.get(confirm + "?lang=en")
        assert page.status_code == 200
        assert "Confirm my e-mail address" in page.get_data(as_text=True)
    db.session.expire_all()
    assert not user_with("ny@example.dk").is_confirmed
    assert client.post(confirm).status_code == 400  # no CSRF token: a page, not a confirmation
    db.session.expire_all()
    assert not user_with("ny@example.dk").is_confirmed
    assert post_form(client, confirm, {}).status_code == 302
    db.session.expire_all()
    assert user_with("ny@example.dk").is_confirmed
    assert client.get(confirm[:-3] + "xyz").status_code == 400  # a forged token
    login(client, user, GOOD_PASSWORD)
    assert "ny@example.dk" in client.get("/account/").get_data(as_text=True)


def test_a_new_account_takes_the_language_of_the_page(client, smtp_server, send_mail):
    client.get("/?lang=en")
    register(client, email="english@example.dk")
    assert user_with("english@example.dk").locale == "en"
    send_mail()
    assert smtp_server.subject_to("english@example.dk") == "Confirm your e-mail address"


def test_registering_a_taken_address_reveals_nothing_and_mails_the_owner(
    client, smtp_server, send_mail
):
    owner = make_user(email="taken@example.dk", locale="da")
    client.get("/?lang=en")  # the person trying is reading English; the owner reads Danish
    taken = register(client, email="taken@example.dk").get_data(as_text=True)
    fresh = register(client, email="fresh@example.dk").get_data(as_text=True)
    assert taken.replace("taken@", "X@") == fresh.replace("fresh@", "X@")
    send_mail()
    mail = smtp_server.last_to(owner.email)
    assert smtp_server.subject_to(owner.email) == "Du har allerede en konto"
    body = mail.get_payload(decode=True).decode()
    assert "http://consult.test/account/login" in body
    assert "http://consult.test/account/forgot-password" in body
    db.session.expire_all()
    assert db.session.get(User, owner.id).name != "Ny Borger"  # nothing of the attempt is kept
    assert db.session.scalar(select(func.count()).where(User.email == "taken@example.dk")) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address"}, "valid e-mail"),
        ({"email": ""}, "Enter your e-mail address."),
        ({"password": "short", "password_confirm": "short"}, "at least 10"),
        ({"password_confirm": "something else entirely"}, "not the same"),
        (
            {
                "email": "same@example.dk",
                "password": "Same@Example.dk",
                "password_confirm": "Same@Example.dk",
            },
            "cannot be your e-mail",
        ),
    ],
)
def test_register_validation_keeps_what_was_typed(client, data, message):
    fields = {
        "email": "x@example.dk",
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
        "name": "Typed Name",
    }
    fields.update(data)
    fields["csrf_token"] = csrf_token(client, "/account/register?lang=en")
    response = client.post("/account/register", data=fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'value="Typed Name"' in html
    assert 'aria-invalid="true"' in html and 'role="alert"' in html
    assert GOOD_PASSWORD not in html  # never echoed back
    assert outbox_count() == 0


def test_the_register_form_is_accessible(client):
    html = client.get("/account/register").get_data(as_text=True)
    for name, autocomplete in (
        ("name", "name"),
        ("email", "email"),
        ("password", "new-password"),
        ("password_confirm", "new-password"),
    ):
        assert f'<label for="{name}">' in html
        assert f'autocomplete="{autocomplete}"' in html
    assert 'aria-describedby="password-hint"' in html and 'id="password-hint"' in html
    assert "style=" not in html and "<script" not in html


def test_errors_are_summarised_with_links_to_their_fields(client):
    html = client.post(
        "/account/register?lang=en",
        data={"csrf_token": csrf_token(client, "/account/register"), "email": "x"},
    ).get_data(as_text=True)
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#email"' in summary and 'href="#password"' in summary
    assert 'aria-describedby="email-hint email-error"' in html and 'id="email-error"' in html
    assert html.count('id="email-error"') == 1


def test_the_name_is_stored_as_plain_text(client):
    register(client, email="tags@example.dk", name="<b>Karen</b>\x07 Jensen")
    assert user_with("tags@example.dk").name == "Karen Jensen"


def test_a_confirmation_link_expires(app, client, smtp_server, send_mail):
    register(client, email="late@example.dk")
    send_mail()
    link = smtp_server.link_to("late@example.dk")
    later = utcnow() + timedelta(seconds=app.config["CONFIRM_TOKEN_MAX_AGE"] + 60)
    with time_machine.travel(later):
        response = client.get(link)
    assert response.status_code == 400
    assert not user_with("late@example.dk").is_confirmed


def test_an_unconfirmed_user_signs_in_and_asks_for_a_new_link(client, smtp_server, send_mail):
    register(client, email="slow@example.dk")
    user = user_with("slow@example.dk")
    response = login(client, user, GOOD_PASSWORD)
    assert response.headers["Location"] == "/account/"  # where the banner is
    page = client.get("/account/?lang=en").get_data(as_text=True)
    assert "Your e-mail address is not confirmed yet." in page
    assert 'action="/account/confirm"' in page
    response = client.post("/account/confirm", data={"csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 302
    assert send_mail().exit_code == 0
    assert len([m for m in smtp_server.messages if m["To"] == "slow@example.dk"]) == 2
    confirmed = post_form(client, smtp_server.link_to("slow@example.dk"), {})
    assert confirmed.headers["Location"] == "/account/"
    db.session.expire_all()
    assert user_with("slow@example.dk").is_confirmed
    assert "not confirmed" not in client.get("/account/").get_data(as_text=True)


def test_asking_for_new_confirmation_links_is_rate_limited(app, client):
    user = make_user(confirmed=False)
    login(client, user)
    token = csrf_token(client, "/account/")
    limit = int(app.config["MAIL_RATE_LIMIT"].split()[0])
    statuses = [
        client.post("/account/confirm", data={"csrf_token": token}).status_code
        for _ in range(limit + 1)
    ]
    assert statuses == [302] * limit + [429]
    assert outbox_count() == limit


def test_a_confirmed_user_gets_no_new_link(client):
    login(client, make_user(confirmed=True))
    client.post("/account/confirm", data={"csrf_token": csrf_token(client, "/account/")})
    assert outbox_count() == 0


def test_registering_while_signed_in_goes_to_the_account(client):
    login(client, make_user())
    assert client.get("/account/register").headers["Location"] == "/account/"
