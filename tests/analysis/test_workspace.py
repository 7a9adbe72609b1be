"""The secretariat's workspace in the browser's forms: filters, search, tags, replies."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.audit.models import AuditEvent
from consult.extensions import db
from consult.reference.seed import load_reference_data
from consult.responses.models import Input
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in

TEXTS = {
    "kommune": "Kommunerne skal have flere hænder i hjemmeplejen.",
    "kommunens": "Det er kommunens ansvar at følge op efter udskrivelsen.",
    "sygehus": "Sygehusene udskriver for tidligt om fredagen.",
    "data": "Datadeling mellem region og kommune virker ikke i dag.",
}


@pytest.fixture
def desk(client):
    """Four answers on fa-1-goal-1 and a secretariat user signed in."""
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    for key, text in TEXTS.items():
        make_response(c, {"fa-1-goal-1": ("oppose" if key == "sygehus" else "support", text, "")})
    make_response(
        c,
        {"fa-2-goal-1": ("support_with_changes", "Et andet mål.", "Ny formulering af målet.")},
        type_code="patient-association",
        organisation="Danske Patienter",
    )
    user = make_user(Role.SECRETARIAT, name="Sara Sekretariat")
    sign_in(client, user)
    client.get("/?lang=en")
    return client, c, user


def found(client, c, query: str) -> int:
    html = client.get(f"/staff/consultations/{c.slug}/inputs/?{query}").get_data(as_text=True)
    return int(re.search(r"(\d+) inputs? found", html).group(1))


def test_filters_live_in_the_url_and_only_allowed_values_count(desk):
    client, c, _user = desk
    assert found(client, c, "") == 5
    assert found(client, c, "stance=oppose") == 1
    assert found(client, c, "channel=online&wording=1") == 1
    assert found(client, c, "stance=<script>&sort=drop table&item=1;2&type=x") == 5
    html = client.get(f"/staff/consultations/{c.slug}/inputs/?stance=oppose").get_data(as_text=True)
    # The page links keep the filter: share the URL, get the same view.
    assert 'value="oppose" selected' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kommune", {"kommune", "kommunens", "data"}),  # kommunerne, kommunens, kommune
        ("sygehus", {"sygehus"}),  # sygehusene
        ("udskrivelse", {"kommunens", "sygehus"}),  # udskrivelsen, udskriver (one stem)
        ("hjemmeplejen kommuner", {"kommune"}),  # every word must match
        ('" OR 1=1 --', set()),  # operators are words, nothing more
    ],
)
def test_search_understands_danish_word_forms(desk, query, expected):
    client, c, _user = desk
    from urllib.parse import quote

    html = client.get(f"/staff/consultations/{c.slug}/inputs/?q={quote(query)}").get_data(
        as_text=True
    )
    hits = {key for key, text in TEXTS.items() if text[:30] in html}
    assert hits == expected


def test_a_tag_goes_on_a_whole_filtered_selection_at_once(desk):
    client, c, _user = desk
    base = f"/staff/consultations/{c.slug}/inputs"
    post_form(client, f"{base}/tags", {"name": "Kommunalt ansvar", "description": ""})
    # The same name again, whatever its case, is refused beside the field.
    html = post_form(client, f"{base}/tags", {"name": "kommunalt ANSVAR"}).get_data(as_text=True)
    assert "There is a tag with that name already." in html
    tag = db.session.scalar(select(Tag))
    response = post_form(
        client, f"{base}/tag?q=kommune", {"scope": "all", "tag": str(tag.id)}, form_url=f"{base}/"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(input_tags)) == 3
    # Again: nothing doubles.
    post_form(client, f"{base}/tag?q=kommune", {"scope": "all", "tag": str(tag.id)}, f"{base}/")
    assert db.session.scalar(select(func.count()).select_from(input_tags)) == 3
    assert found(client, c, f"tag={tag.id}") == 3
    # Only the ticked rows: take it off one.
    one = db.session.scalar(select(input_tags.c.input_id).limit(1))
    post_form(
        client,
        f"{base}/tag",
        {"scope": "ticked", "ids": [str(one)], "tag": str(tag.id), "remove": "y"},
        f"{base}/",
    )
    assert db.session.scalar(select(func.count()).select_from(input_tags)) == 2
    goal = client.get(f"/staff/consultations/{c.slug}/analysis/goals/fa-1-goal-1").get_data(
        as_text=True
    )
    assert '<span lang="da">Kommunalt ansvar</span></a> (2)' in goal


def test_a_reply_needs_a_second_secretariat_user_to_approve_it(app, desk):
    client, c, author = desk
    base = f"/staff/consultations/{c.slug}/inputs"
    target = db.session.scalar(select(Input).where(Input.text == TEXTS["sygehus"]))
    url = f"{base}/{target.id}"
    html = post_form(
        client,
        url,
        {"text": "Tak.", "disposition": "not_incorporated", "reason": "", "ready": "y"},
    ).get_data(as_text=True)
    assert "Say why, when the input is not or only partly incorporated." in html
    post_form(
        client,
        url,
        {
            "text": "Tak for input. Udskrivelser følges i den fælles indsats.",
            "disposition": "partly",
            "reason": "Fredagsudskrivelser er kommunernes og regionens fælles ansvar.",
            "ready": "y",
        },
    )
    reply = db.session.scalar(select(Reply))
    assert reply.state is ReplyState.DRAFTED and reply.written_by_id == author.id
    # The author cannot approve their own reply.
    approve = f"{base}/replies/{reply.id}/approve"
    post_form(client, approve, {}, form_url=url)
    db.session.expire_all()
    assert db.session.get(Reply, reply.id).state is ReplyState.DRAFTED
    colleague = app.test_client()
    sign_in(colleague, make_user(Role.SECRETARIAT))
    post_form(colleague, approve, {}, form_url=url)
    db.session.expire_all()
    approved = db.session.get(Reply, reply.id)
    assert approved.state is ReplyState.APPROVED and approved.approved_by_id != author.id
    assert found(client, c, "state=approved") == 1 and found(client, c, "state=new") == 4
    # Changing an approved reply makes it a draft again.
    post_form(
        client,
        url,
        {"text": "Rettet svar.", "disposition": "noted", "reason": "", "ready": "y"},
    )
    db.session.expire_all()
    assert db.session.get(Reply, reply.id).state is ReplyState.DRAFTED
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("analysis.reply") == 2 and actions.count("analysis.approve") == 1


def test_one_reply_answers_a_whole_selection_and_assigning_moves_it_on(desk):
    client, c, user = desk
    base = f"/staff/consultations/{c.slug}/inputs"
    post_form(
        client,
        f"{base}/reply?q=kommune",
        {"scope": "all", "text": "Samlet svar.", "disposition": "noted", "ready": "y"},
        f"{base}/",
    )
    assert db.session.scalar(select(func.count(Reply.id))) == 1
    assert db.session.scalar(select(func.count(Input.id)).where(Input.reply_id.is_not(None))) == 3
    assert found(client, c, "state=drafted") == 3
    post_form(
        client,
        f"{base}/assign?stance=oppose",
        {"scope": "all", "assignee": str(user.id)},
        f"{base}/",
    )
    assert found(client, c, f"assignee={user.id}") == 1
    assert found(client, c, "state=in_progress") == 1 and found(client, c, "state=new") == 1


def test_the_pages_and_charts_answer(desk):
    client, c, _user = desk
    base = f"/staff/consultations/{c.slug}/analysis"
    for path in ("/", "/goals/fa-1-goal-1", "/ranking", "/ranking?type=1"):
        assert client.get(base + path).status_code == 200, path
    for path in (
        "/charts/participation.svg",
        "/goals/fa-1-goal-1/charts/type.svg",
        "/goals/fa-1-goal-1/charts/cluster.svg",
        "/charts/ranking.svg",
    ):
        response = client.get(base + path)
        assert response.mimetype == "image/svg+xml" and b"<svg" in response.data, path
    assert client.get(base + "/goals/fa-1-goal-1/charts/nope.svg").status_code == 404
    assert client.get(base + "/goals/vision-1").status_code == 404


def test_the_browser_takes_a_fixed_number_of_queries(desk, count_queries):
    client, c, _user = desk
    url = f"/staff/consultations/{c.slug}/inputs/"
    with count_queries() as few:
        client.get(url)
    for n in range(12):
        make_response(c, {"fa-1-goal-2": f"Endnu et input nummer {n}."}, organisation="X")
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count
