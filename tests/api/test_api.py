"""The read API: public data only without a token, everything with a live staff token.

The public view must never show pending, hidden or withheld input, an e-mail address or a name
without consent; redaction shows "[fjernet]"; errors answer JSON; tokens are for the
secretariat and stop working when revoked or when their user is demoted.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis import services as analysis
from consult.analysis.models import Disposition
from consult.api import services
from consult.api.models import ApiToken
from consult.api.openapi import build_spec
from consult.db import utcnow
from consult.drafts.models import Status
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.moderation.models import HideReason
from consult.moderation.models import ModerationState
from consult.reference.seed import load_reference_data
from consult.responses import services as responding
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in

CPR_TEXT = "Min mor har cpr 010190-1234 og fik ingen hjælp efter udskrivelsen."
PUBLIC_KEYS = {
    "id",
    "kind",
    "goal_key",
    "stance",
    "importance",
    "preferred_alternative",
    "text",
    "proposed_wording",
    "is_redacted",
    "respondent_type",
    "name",
    "channel",
    "published_at",
}


@pytest.fixture
def world():
    load_reference_data()
    consultation = make_consultation(focus_areas=2, goals_per_area=2)
    return consultation, make_user(Role.MODERATOR)


def contribution_of(response) -> Contribution:
    return db.session.scalar(
        select(Contribution)
        .where(Contribution.response_id == response.id, Contribution.input_id.is_not(None))
        .order_by(Contribution.id)
    )


def published(consultation, moderator, answers, **kwargs):
    response = make_response(consultation, answers, **kwargs)
    moderation.publish(contribution_of(response), moderator)
    return response


def get_json(client, url, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get(url, headers=headers)
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:500]
    return response, response.get_json()


def make_token(client, name="Power BI") -> str:
    """Make a token on the page, as the signed-in user, and return it."""
    response = post_form(client, "/api/v1/tokens", {"name": name})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    match = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))
    assert match, "the new token is shown once on the page"
    return match.group(1)


# --- the public view -------------------------------------------------------------------------


def test_public_input_is_published_input_only_with_names_only_by_consent(client, world):
    c, moderator = world
    named = published(
        c,
        moderator,
        {"fa-1-goal-1": ("support_with_changes", "Et godt mål.", "Bedre formulering")},
        name="Anna Andersen",
        consent="named",
        email="anna@example.dk",
    )
    published(
        c,
        moderator,
        {"fa-1-goal-1": ("oppose", "Anonym mening.", "")},
        name="Bo Bentsen",
        consent="anonymous",
        email="bo@example.dk",
    )
    published(
        c,
        moderator,
        {"fa-1-goal-2": "Foreningens svar."},
        type_code="patient-association",
        organisation="Danske Patienter",
        name="Carl Carlsen",
        consent="named",
        email="carl@example.dk",
    )
    make_response(c, {"fa-1-goal-1": "Venter stadig på moderation."}, email="dan@example.dk")
    hidden = make_response(c, {"fa-1-goal-2": "Køb billig medicin her."}, email="eva@example.dk")
    moderation.hide(contribution_of(hidden), moderator, HideReason.SPAM)
    private = make_response(
        c, {"fa-2-goal-1": "Kun til sekretariatet."}, consent="private", email="finn@example.dk"
    )
    assert contribution_of(private).state is ModerationState.WITHHELD
    gone = published(c, moderator, {"fa-2-goal-2": "Trukket tilbage."}, email="gry@example.dk")
    responding.withdraw_response(gone)

    response, data = get_json(client, f"/api/v1/consultations/{c.slug}/inputs")

    assert response.status_code == 200
    assert data["view"] == "public" and data["total"] == 3
    body = response.get_data(as_text=True)
    for secret in (
        "Venter stadig",
        "billig medicin",
        "Kun til sekretariatet",
        "Trukket tilbage",
        "Bo Bentsen",
        "Carl Carlsen",  # the organisation speaks, not the person who filled in the form
        "@",
    ):
        assert secret not in body
    by_text = {item["text"]: item for item in data["items"]}
    assert set(by_text) == {"Et godt mål.", "Anonym mening.", "Foreningens svar."}
    assert all(set(item) == PUBLIC_KEYS for item in data["items"])
    anna = by_text["Et godt mål."]
    assert anna["name"] == "Anna Andersen"
    assert anna["respondent_type"] == "citizen"
    assert anna["stance"] == "support_with_changes"
    assert anna["proposed_wording"] == "Bedre formulering"
    assert anna["goal_key"] == "fa-1-goal-1" and anna["channel"] == "online"
    assert anna["published_at"].endswith("Z")
    assert anna["id"] == named.inputs[0].id
    assert by_text["Anonym mening."]["name"] is None
    assert by_text["Foreningens svar."]["name"] == "Danske Patienter"
    assert by_text["Foreningens svar."]["respondent_type"] == "patient-association"


def test_redacted_parts_read_fjernet(client, world):
    c, moderator = world
    response = make_response(c, {"fa-1-goal-1": ("support", CPR_TEXT, "Ring 22 33 44 55.")})
    contribution = contribution_of(response)
    moderation.redact(
        contribution,
        moderator,
        {"text": [(CPR_TEXT.index("010190"), CPR_TEXT.index("010190") + 11)], "wording": [(5, 16)]},
        HideReason.PERSONAL_DATA,
    )

    _response, data = get_json(client, f"/api/v1/consultations/{c.slug}/inputs")

    [item] = data["items"]
    assert item["text"] == "Min mor har cpr [fjernet] og fik ingen hjælp efter udskrivelsen."
    assert item["proposed_wording"] == "Ring [fjernet]."
    assert item["is_redacted"] is True
    assert "\ue000" not in json.dumps(data) and "010190" not in json.dumps(data)


def test_pagination_and_its_bounds(client, world):
    c, moderator = world
    texts = [f"Input nummer {n}." for n in range(5)]
    for text in texts:
        published(c, moderator, {"fa-1-goal-1": text})
    url = f"/api/v1/consultations/{c.slug}/inputs"

    pages = [get_json(client, f"{url}?per_page=2&page={n}")[1] for n in (1, 2, 3, 4)]

    assert [[i["text"] for i in p["items"]] for p in pages] == [
        texts[0:2],
        texts[2:4],
        texts[4:],
        [],
    ]
    assert {(p["total"], p["pages"], p["per_page"]) for p in pages} == {(5, 3, 2)}
    assert get_json(client, f"{url}?per_page=500")[1]["total"] == 5
    assert get_json(client, url)[1]["per_page"] == 100
    for query in (
        "page=abc",
        "page=-1",
        "page=0",
        "page=1.5",
        "page=",
        "page=%201",
        "page=100001",
        "page=99999999999999999999",
        "per_page=0",
        "per_page=501",
        "per_page=100000",
        "per_page=%D9%A1",  # an Arabic-Indic one: a digit to Python, not to the API
    ):
        response, data = get_json(client, f"{url}?{query}")
        assert response.status_code == 400, query
        assert data["error"] == "bad_request" and data["message"], query


def test_drafts_and_unknown_consultations_are_404_json(client, world):
    c, _moderator = world
    draft = make_consultation(status=Status.DRAFT)
    for path in ("", "/inputs", "/summary"):
        for slug in (draft.slug, "no-such-consultation"):
            response, data = get_json(client, f"/api/v1/consultations/{slug}{path}")
            assert response.status_code == 404
            assert data["error"] == "not_found" and data["message"]
    slugs = [x["slug"] for x in get_json(client, "/api/v1/consultations")[1]["consultations"]]
    assert c.slug in slugs and draft.slug not in slugs
    response, data = get_json(client, "/api/v1/no/such/thing")
    assert response.status_code == 404 and data["error"] == "not_found"


def test_the_structure_reuses_the_item_tree(client, world):
    c, _moderator = world
    _response, data = get_json(client, f"/api/v1/consultations/{c.slug}")
    assert data["version"] == {"number": 1, "label_da": "1. udkast", "label_en": "First draft"}
    assert [i["kind"] for i in data["items"]] == [
        "vision",
        "principle",
        "focus_area",
        "focus_area",
    ]
    area = data["items"][2]
    goal, _goal_2, initiative = area["children"]
    assert goal["key"] == "fa-1-goal-1"
    assert [(a["letter"], a["text_da"]) for a in goal["alternatives"]] == [
        ("A", "Formulering A"),
        ("B", "Formulering B"),
    ]
    assert initiative["funds_dkk"] == 2_000_000
    assert initiative["political_goals"] == [{"text_da": "Flere udskrives trygt", "text_en": None}]
    assert data["opens_at"].endswith("Z") and data["phase"] == "open"


def test_summary_counts_every_submitted_input_by_stance_without_texts(client, world):
    c, moderator = world
    published(c, moderator, {"fa-1-goal-1": ("support", "Offentlig.", "")})
    make_response(c, {"fa-1-goal-1": ("oppose", "Venter.", "")})
    make_response(c, {"fa-1-goal-1": ("oppose", "Privat.", "")}, consent="private")
    make_response(c, {"fa-1-goal-1": ("support", "Kladde.", "")}, submit=False)

    response, data = get_json(client, f"/api/v1/consultations/{c.slug}/summary")

    goals = {g["key"]: g for g in data["goals"]}
    assert list(goals) == [
        "fa-1-goal-1",
        "fa-1-goal-2",
        "fa-1-initiative",
        "fa-2-goal-1",
        "fa-2-goal-2",
        "fa-2-initiative",
    ]
    assert goals["fa-1-goal-1"]["total"] == 3
    assert goals["fa-1-goal-1"]["stances"] == {
        "support": 1,
        "support_with_changes": 0,
        "oppose": 2,
        "no_position": 0,
        "unspecified": 0,
    }
    assert goals["fa-2-goal-1"]["total"] == 0
    assert goals["fa-1-initiative"]["kind"] == "initiative"
    assert goals["fa-1-goal-1"]["focus_area"] == "fa-1"
    body = response.get_data(as_text=True)
    assert "Offentlig" not in body and "Venter" not in body


def test_public_answers_may_be_cached_and_errors_may_not(client, world):
    c, _moderator = world
    response, _data = get_json(client, f"/api/v1/consultations/{c.slug}/inputs")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Authorization" in response.headers["Vary"]
    response, _data = get_json(client, "/api/v1/consultations/nope")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_page_of_input_takes_the_same_number_of_queries_whatever_its_size(
    client, world, count_queries
):
    c, moderator = world
    published(c, moderator, {"fa-1-goal-1": "En."})
    user = make_user(Role.SECRETARIAT)
    _row, token = services.create_token(user, "test")
    url = f"/api/v1/consultations/{c.slug}/inputs"
    get_json(client, url, token)  # writes last_used_at once; not counted below
    counts = []
    for extra in (0, 6):
        for n in range(extra):
            published(c, moderator, {"fa-2-goal-1": f"Flere {n}."}, name=f"N{n}", consent="named")
        with count_queries() as public_count:
            get_json(client, url)
        with count_queries() as staff_count:
            get_json(client, url, token)
        counts.append((public_count.count, staff_count.count))
    assert counts[0] == counts[1]


# --- errors ----------------------------------------------------------------------------------


def test_too_many_requests_answer_json(app, client, world, monkeypatch):
    c, _moderator = world
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    statuses = [client.get(f"/api/v1/consultations/{c.slug}").status_code for _ in range(2)]
    response, data = get_json(client, "/api/v1/consultations")
    assert statuses == [200, 200]  # one budget for the whole API, not one per endpoint
    assert response.status_code == 429
    assert data["error"] == "too_many_requests" and data["message"]
    assert int(response.headers["Retry-After"]) >= 1


def test_a_server_error_answers_json_and_rolls_back(app, client, world, monkeypatch):
    from consult.audit.models import AuditEvent
    from consult.audit.services import record

    def broken(**kwargs):
        record(None, "test.half_done", "consultation", 0)  # written, then the request fails
        db.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "list_consultations", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response, data = get_json(client, "/api/v1/consultations")
    assert response.status_code == 500
    assert data["error"] == "server_error" and "boom" not in data["message"]
    left = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.half_done")
    )
    assert left == 0


def test_the_token_page_keeps_html_error_pages(client):
    sign_in(client, make_user(Role.SECRETARIAT))
    response = post_form(client, "/api/v1/tokens/999999/revoke", {}, form_url="/api/v1/tokens")
    assert response.status_code == 404 and response.mimetype == "text/html"


# --- staff tokens ----------------------------------------------------------------------------


def test_a_staff_token_reads_every_submitted_input_until_revoked(client, app, world):
    c, moderator = world
    secretariat = make_user(Role.SECRETARIAT)
    sign_in(client, secretariat)
    public = published(c, moderator, {"fa-1-goal-1": "Offentlig."}, name="Ida", consent="named")
    pending = make_response(c, {"fa-1-goal-2": ("oppose", "Venter.", "Anden ordlyd")})
    hidden = make_response(c, {"fa-1-goal-2": "Skjult."})
    moderation.hide(contribution_of(hidden), moderator, HideReason.SPAM)
    private = make_response(c, {"fa-2-goal-1": "Privat."}, consent="private")
    make_response(c, {"fa-2-goal-1": "Kladde."}, submit=False)
    tag = analysis.create_tag(c.id, "datadeling")
    analysis.tag_inputs(tag, [pending.inputs[0].id])
    analysis.save_reply(
        c.id,
        secretariat,
        [pending.inputs[0].id],
        text="Tak.",
        disposition=Disposition.NOTED,
        reason="",
        ready=True,
    )
    draft = make_consultation(status=Status.DRAFT)

    token = make_token(client)
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == secretariat.id))
    assert stored.token_hash == services.hash_token(token) and token not in stored.token_hash
    anonymous = app.test_client()
    response, data = get_json(anonymous, f"/api/v1/consultations/{c.slug}/inputs", token)

    assert response.status_code == 200 and data["view"] == "staff"
    assert response.headers["Cache-Control"] == "private, no-store"
    by_id = {item["id"]: item for item in data["items"]}
    assert data["total"] == 4 and "Kladde." not in response.get_data(as_text=True)
    waiting = by_id[pending.inputs[0].id]
    assert waiting["text"] == "Venter." and waiting["proposed_wording"] == "Anden ordlyd"
    assert waiting["moderation_state"] == "pending" and waiting["public_text"] is None
    assert waiting["tags"] == ["datadeling"]
    assert waiting["reply_state"] == "drafted" and waiting["disposition"] == "noted"
    assert waiting["published_at"] is None and waiting["submitted_at"].endswith("Z")
    assert by_id[hidden.inputs[0].id]["moderation_state"] == "hidden"
    assert by_id[private.inputs[0].id]["moderation_state"] == "withheld"
    assert by_id[private.inputs[0].id]["consent"] == "private"
    assert by_id[public.inputs[0].id]["public_text"] == "Offentlig."
    assert by_id[public.inputs[0].id]["reply_state"] == "new"
    listing = get_json(anonymous, "/api/v1/consultations", token)[1]["consultations"]
    assert draft.slug in [x["slug"] for x in listing]
    response, data = get_json(anonymous, f"/api/v1/consultations/{draft.slug}", token)
    assert response.status_code == 200 and data["phase"] == "hidden"
    response, _data = get_json(anonymous, f"/api/v1/consultations/{draft.slug}/summary", token)
    assert response.status_code == 200
    db.session.expire_all()
    assert stored.last_used_at is not None

    page = client.get("/api/v1/tokens").get_data(as_text=True)
    assert "Power BI" in page and token not in page  # shown once, never again
    revoked = post_form(client, f"/api/v1/tokens/{stored.id}/revoke", {}, form_url="/api/v1/tokens")
    assert revoked.status_code == 302

    response, data = get_json(anonymous, f"/api/v1/consultations/{c.slug}/inputs", token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert data["error"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "bearer " + "x" * 300])
def test_a_bad_token_is_refused_not_answered_publicly(client, world, header):
    c, _moderator = world
    url = f"/api/v1/consultations/{c.slug}/inputs"
    response = client.get(url, headers={"Authorization": header})
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_another_authorization_scheme_is_the_public_view(client, world):
    """A proxy's Basic login in front of the site must not break the public API."""
    c, _moderator = world
    response = client.get(
        f"/api/v1/consultations/{c.slug}/inputs", headers={"Authorization": "Basic dXNlcjpwdw=="}
    )
    assert response.status_code == 200 and response.get_json()["view"] == "public"


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.FACILITATOR, Role.RESPONDENT])
def test_only_the_secretariat_may_make_tokens(client, no_csrf, role):
    user = make_user(role)
    sign_in(client, user)
    assert client.get("/api/v1/tokens").status_code == 403
    assert client.post("/api/v1/tokens", data={"name": "mine"}).status_code == 403
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None
    with pytest.raises(PermissionError):
        services.create_token(user, "mine")


def test_a_token_stops_working_when_its_user_is_demoted_or_disabled(client, world):
    c, _moderator = world
    user = make_user(Role.SECRETARIAT)
    _row, token = services.create_token(user, "report")
    url = f"/api/v1/consultations/{c.slug}/inputs"
    assert get_json(client, url, token)[1]["view"] == "staff"
    user.role = Role.RESPONDENT
    db.session.flush()
    assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    user.role = Role.ADMIN
    user.is_disabled = True
    db.session.flush()
    assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_token_use_is_written_at_most_once_a_minute(world):
    user = make_user(Role.SECRETARIAT)
    row, token = services.create_token(user, "report")
    start = utcnow()
    assert services.authenticate(token, now=start).touched
    assert not services.authenticate(token, now=start + timedelta(seconds=59)).touched
    assert row.last_used_at == start
    assert services.authenticate(token, now=start + timedelta(seconds=61)).touched


def test_a_secretariat_user_sees_and_revokes_only_their_own_tokens(client, world):
    mine, theirs = make_user(Role.SECRETARIAT), make_user(Role.SECRETARIAT)
    services.create_token(mine, "Mit token")
    other, _token = services.create_token(theirs, "Deres token")
    sign_in(client, mine)
    page = client.get("/api/v1/tokens").get_data(as_text=True)
    assert "Mit token" in page and "Deres token" not in page
    response = post_form(client, f"/api/v1/tokens/{other.id}/revoke", {}, form_url="/api/v1/tokens")
    db.session.expire_all()
    assert response.status_code == 404 and other.revoked_at is None
    admin = make_user(Role.ADMIN)
    sign_in(client, admin)
    assert "Deres token" in client.get("/api/v1/tokens").get_data(as_text=True)
    response = post_form(client, f"/api/v1/tokens/{other.id}/revoke", {}, form_url="/api/v1/tokens")
    db.session.expire_all()
    assert response.status_code == 302 and other.revoked_at is not None


def test_a_token_needs_a_name(client):
    sign_in(client, make_user(Role.SECRETARIAT))
    response = post_form(client, "/api/v1/tokens", {"name": "  "})
    assert response.status_code == 400 and 'class="error-summary"' in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(ApiToken)) is None


# --- the document ----------------------------------------------------------------------------


def test_the_openapi_document_describes_every_api_endpoint(app, client):
    response, spec = get_json(client, "/api/v1/openapi.json")
    assert spec == json.loads(json.dumps(build_spec()))
    assert spec["openapi"] == "3.0.3" and spec["servers"] == [{"url": "/api/v1"}]
    documented = {f"/api/v1{path}" for path in spec["paths"]}
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        and rule.endpoint not in {"api.list_tokens", "api.create_token", "api.revoke_token"}
        and rule.endpoint != "api.not_found"
    }
    assert routes == documented
    inputs = spec["paths"]["/consultations/{slug}/inputs"]["get"]
    per_page = next(p for p in inputs["parameters"] if p.get("name") == "per_page")
    assert per_page["schema"]["maximum"] == 500 and per_page["schema"]["minimum"] == 1
    assert inputs["security"] == [{}, {"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_keyset_pages_follow_next_after_to_the_end(client, world):
    c, moderator = world
    texts = [f"Input nummer {n}." for n in range(5)]
    for text in texts:
        published(c, moderator, {"fa-1-goal-1": text})
    hidden = make_response(c, {"fa-2-goal-1": "Skjult."})
    moderation.hide(contribution_of(hidden), moderator, HideReason.SPAM)
    url = f"/api/v1/consultations/{c.slug}/inputs?per_page=2"

    seen, after, answers = [], None, []
    while True:
        _response, data = get_json(client, url + (f"&after={after}" if after is not None else ""))
        answers.append(data)
        seen += [i["text"] for i in data["items"]]
        after = data["next_after"]
        if after is None:
            break
        assert after == data["items"][-1]["id"]

    assert seen == texts
    assert [len(a["items"]) for a in answers] == [2, 2, 1]
    assert {a["total"] for a in answers} == {5}
    # The staff view pages the same way, over every submitted input.
    user = make_user(Role.SECRETARIAT)
    _row, token = services.create_token(user, "test")
    _response, first = get_json(client, url, token)
    base = f"/api/v1/consultations/{c.slug}/inputs"
    _response, rest = get_json(client, f"{base}?per_page=10&after={first['next_after']}", token)
    assert first["total"] == 6 and len(first["items"]) + len(rest["items"]) == 6
    assert rest["next_after"] is None


def test_bad_after_values_are_400_with_a_message(client, world):
    c, moderator = world
    published(c, moderator, {"fa-1-goal-1": "En."})
    url = f"/api/v1/consultations/{c.slug}/inputs"
    for query in (
        "after=abc",
        "after=-1",
        "after=1.5",
        "after=",
        "after=%201",
        "after=1e3",
        "after=9999999999",
        "after=99999999999999999999",
        "after=%D9%A1",
        "after=1&page=2",
    ):
        response, data = get_json(client, f"{url}?{query}")
        assert response.status_code == 400, query
        assert data["error"] == "bad_request" and data["message"], query
    _response, data = get_json(client, f"{url}?after=0")
    assert len(data["items"]) == 1
    _response, data = get_json(client, f"{url}?after=999999999")
    assert data["items"] == [] and data["next_after"] is None
