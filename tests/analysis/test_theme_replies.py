"""A reply to a theme: written from the theme's page, approved by a second user, and the
answer to every input with the tag that has no reply of its own."""

from __future__ import annotations

from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis import services
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.audit.models import AuditEvent
from consult.extensions import db
from consult.responses.models import Input
from tests.analysis.test_workspace import TEXTS
from tests.analysis.test_workspace import desk  # noqa: F401  (a fixture)
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in


def _answered(public: bool) -> set[str]:
    return set(db.session.scalars(select(Input.text).where(services.answered(public=public))))


def test_a_theme_reply_answers_the_theme_and_needs_a_second_user(app, desk):  # noqa: F811
    client, c, author = desk
    tag = services.create_tag(c.id, "udskrivelse")
    services.tag_inputs(
        tag, select(Input.id).where(Input.text.in_([TEXTS["sygehus"], TEXTS["kommunens"]]))
    )
    goal_id = db.session.scalar(select(Input.item_id).where(Input.text == TEXTS["sygehus"]))
    db.session.commit()
    url = f"/staff/consultations/{c.slug}/inputs/tags/{tag.id}"
    page = client.get(url).get_data(as_text=True)
    assert "udskrivelse" in page and "Write a reply to the theme" in page
    # Validated on the server: a ready reply that is not incorporated needs a reason.
    html = post_form(
        client,
        url,
        {"goal": str(goal_id), "text": "Tak.", "disposition": "not_incorporated", "ready": "y"},
    ).get_data(as_text=True)
    assert "Say why, when the input is not or only partly incorporated." in html
    assert db.session.scalar(select(Reply)) is None
    # A goal that is not the consultation's is refused, not stored.
    response = post_form(client, url, {"goal": "999999", "text": "Tak.", "disposition": "noted"})
    assert response.status_code == 200 and db.session.scalar(select(Reply)) is None
    assert _answered(public=False) == set()
    post_form(
        client,
        url,
        {
            "goal": str(goal_id),
            "text": "Udskrivelser følges i den fælles indsats.",
            "disposition": "partly",
            "reason": "Weekendudskrivelser aftales lokalt.",
            "ready": "y",
        },
    )
    reply = db.session.scalar(select(Reply))
    assert (reply.tag_id, reply.item_id, reply.state) == (tag.id, goal_id, ReplyState.DRAFTED)
    # Only inputs with the tag are answered; the public sees nothing until it is approved.
    assert _answered(public=False) == {TEXTS["sygehus"], TEXTS["kommunens"]}
    assert _answered(public=True) == set()
    # The same theme and goal again changes the one reply, not a second one.
    post_form(client, url, {"goal": str(goal_id), "text": "Nyt svar.", "disposition": "noted",
                            "ready": "y"})  # fmt: skip
    assert db.session.scalar(select(Reply.text)) == "Nyt svar."
    assert len(db.session.scalars(select(Reply)).all()) == 1
    reply = db.session.scalar(select(Reply))
    approve = f"/staff/consultations/{c.slug}/inputs/replies/{reply.id}/approve"
    post_form(client, approve, {"next": url}, form_url=url)
    db.session.expire_all()
    assert db.session.get(Reply, reply.id).state is ReplyState.DRAFTED  # not by its author
    colleague = app.test_client()
    sign_in(colleague, make_user(Role.SECRETARIAT))
    post_form(colleague, approve, {"next": url}, form_url=url)
    db.session.expire_all()
    assert db.session.get(Reply, reply.id).state is ReplyState.APPROVED
    assert _answered(public=True) == {TEXTS["sygehus"], TEXTS["kommunens"]}
    # The list of tags says where the theme's answer stands.
    tags_page = client.get(f"/staff/consultations/{c.slug}/inputs/tags").get_data(as_text=True)
    assert "1 approved reply" in tags_page and "See or change the reply" in tags_page
    # Changing an approved reply makes it a draft again.
    post_form(client, url, {"goal": str(goal_id), "text": "Rettet.", "disposition": "noted"})
    db.session.expire_all()
    assert db.session.get(Reply, reply.id).state is ReplyState.IN_PROGRESS
    assert _answered(public=True) == set()
    # A reply on every goal is a second, separate reply.
    post_form(client, url, {"goal": "None", "text": "Til alle mål.", "disposition": "noted"})
    assert {r.item_id for r in db.session.scalars(select(Reply))} == {goal_id, None}
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("analysis.theme_reply") == 4 and actions.count("analysis.approve") == 1


def test_the_theme_page_is_the_consultations_own(app, desk):  # noqa: F811
    client, c, _user = desk
    from tests.factories import make_consultation

    other = make_consultation(slug="anden")
    tag = services.create_tag(other.id, "andet")
    db.session.commit()
    assert client.get(f"/staff/consultations/{c.slug}/inputs/tags/{tag.id}").status_code == 404
