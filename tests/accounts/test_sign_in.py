"""Signing in: the generic refusal, throttling, disabled accounts, landing pages, rehashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from consult.accounts.passwords import needs_rehash
from consult.extensions import db
from tests.factories import PASSWORD
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_user

GENERIC = "The e-mail address or the password is wrong."


def post_login(client, email, password, token=None, **kwargs):
    token = token or csrf_token(client, "/account/login")
    return client.post(
        "/account/login",
        data={"email": email, "password": password, "csrf_token": token},
        **kwargs,
    )


def is_signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def test_wrong_password_and_unknown_address_get_the_same_generic_message(client):
    user = make_user()
    client.get("/?lang=en")
    for email, password in ((user.email, "wrong password!"), ("nobody@example.dk", PASSWORD)):
        response = post_login(client, email, password)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert GENERIC in html and 'role="alert"' in html
        assert f'value="{email}"' in html  # the address is kept, the password never
        assert password not in html
    assert not is_signed_in(client)


def test_the_address_is_matched_whatever_its_case_and_spacing(client):
    user = make_user(email="case@example.dk")
    assert post_login(client, "  Case@Example.DK ", PASSWORD).status_code == 302
    assert is_signed_in(client)
    assert user.email == "case@example.dk"


def test_disabled_user_cannot_sign_in(client):
    user = make_user()
    user.is_disabled = True
    db.session.flush()
    html = post_login(client, user.email, PASSWORD, query_string={"lang": "en"}).get_data(
        as_text=True
    )
    assert GENERIC in html  # no hint that the password was right
    assert not is_signed_in(client)


def _limit(app) -> int:
    return int(app.config["LOGIN_RATE_LIMIT"].split()[0])


def test_login_is_throttled_per_address_and_shows_the_friendly_page(app, client):
    user = make_user()
    token = csrf_token(client, "/account/login")
    limit = _limit(app)
    statuses = [
        post_login(client, user.email, "wrong password", token).status_code for _ in range(limit)
    ]
    assert statuses == [200] * limit
    # Now even the right password is refused, with the friendly page.
    response = post_login(client, user.email, PASSWORD, token, query_string={"lang": "en"})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many attempts" in html and "Please wait" in html
    assert PASSWORD not in html
    assert not is_signed_in(client)


def test_one_address_is_throttled_even_from_many_places(app, client):
    user = make_user()
    token = csrf_token(client, "/account/login")
    statuses = [
        post_login(
            client, user.email, "wrong password", token, environ_base={"REMOTE_ADDR": f"10.0.0.{i}"}
        ).status_code
        for i in range(_limit(app) + 1)
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}
    # Another address from a fresh place is not affected.
    other = make_user()
    fresh = post_login(
        client, other.email, PASSWORD, token, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert fresh.status_code == 302


def test_one_place_is_throttled_even_across_many_addresses(app, client):
    token = csrf_token(client, "/account/login")
    statuses = [
        post_login(client, f"guess{i}@example.dk", "wrong password", token).status_code
        for i in range(_limit(app) + 1)
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}


def test_showing_the_login_form_is_not_throttled(app, client):
    for _ in range(_limit(app) + 2):
        assert client.get("/account/login").status_code == 200


def test_staff_land_where_their_work_is_and_respondents_on_the_front_page(app, client):
    assert login(client, make_user("secretariat")).headers["Location"] == "/staff/"
    # Not /staff/, which is the secretariat's: a moderator landed on a 403 there.
    assert login(app.test_client(), make_user("moderator")).headers["Location"] == "/moderation/"
    assert login(app.test_client(), make_user("facilitator")).headers["Location"] == "/sessions/"
    assert login(app.test_client(), make_user("respondent")).headers["Location"] == "/"


def test_signing_in_again_while_signed_in_just_redirects(client):
    user = make_user()
    login(client, user)
    assert client.get("/account/login").headers["Location"] == "/"


def test_signing_in_uses_the_accounts_language(client):
    login(client, make_user(locale="en"))
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_production_hashes_use_rfc_9106_and_upgrade_weaker_ones_at_sign_in(
    app, client, monkeypatch
):
    """The suite hashes cheaply; this is the one test of the parameters production uses."""
    from consult.config import Config

    monkeypatch.setitem(app.config, "ARGON2_PROFILE", Config.ARGON2_PROFILE)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    user = make_user()
    user.password_hash = weak.hash(PASSWORD)
    db.session.flush()
    assert needs_rehash(user.password_hash)
    login(client, user)
    db.session.expire_all()
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not needs_rehash(user.password_hash)
    login(client.application.test_client(), user)  # the same password still works


@pytest.mark.parametrize("email", ["", "a" * 300 + "@example.dk"])
def test_odd_input_is_refused_politely(client, email):
    response = post_login(client, email, "x" * 500, query_string={"lang": "en"})
    assert response.status_code == 200
    assert 'role="alert"' in response.get_data(as_text=True)
