"""The account page: name, language, the facts about the account."""

from __future__ import annotations

from consult.extensions import db
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_user


def save_profile(client, name, locale):
    return client.post(
        "/account/",
        data={
            "profile-name": name,
            "profile-locale": locale,
            "profile-submit": "1",
            "csrf_token": csrf_token(client, "/account/"),
        },
    )


def test_the_page_shows_the_account(client):
    user = make_user("moderator", name="Mona Moderator")
    login(client, user)
    html = client.get("/account/?lang=en").get_data(as_text=True)
    assert user.email in html and "Mona Moderator" in html and "Moderator" in html
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    assert "Users and roles" not in html  # for admins only


def test_the_language_preference_is_saved_on_the_account(app, client):
    user = make_user(locale="da")
    login(client, user)
    response = save_profile(client, "Karen", "en")
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    db.session.expire_all()
    assert user.locale == "en" and user.name == "Karen"
    # Another browser follows the account, whatever it asks for.
    other = app.test_client()
    login(other, user)
    html = other.get("/", headers={"Accept-Language": "da"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_an_unknown_language_is_refused(client):
    user = make_user(locale="da")
    login(client, user)
    assert save_profile(client, "Karen", "xx").status_code == 200
    db.session.expire_all()
    assert user.locale == "da"


def test_control_characters_and_tags_never_reach_the_database(client):
    user = make_user()
    login(client, user)
    save_profile(client, "<i>Ka\x00ren</i>\x07", "da")
    db.session.expire_all()
    assert user.name == "Karen"
