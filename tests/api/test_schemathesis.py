"""The read API keeps its OpenAPI promise: schemathesis generates requests from the document.

The schema is loaded from the app itself, in-process (no network). Each generated case must not
be a server error, and its status code, content type and body must be what the document says.
The data is seeded inside the test's rolled-back transaction (``tests/conftest.py``); every
request gets its own app context through the test client, as on a real server.

Each operation runs as a Hypothesis test over ``operation.as_strategy()`` rather than through
``schema.parametrize()``: schemathesis' lazy pytest loader (``from_fixture``), which a
per-test database needs, sets ``node._nodeid``, which pytest 9 no longer has. This way also
lets the cases use the seeded slug, which random generation would hardly ever hit.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from consult.accounts.models import Role
from consult.api import services
from consult.api.openapi import EXAMPLE_SLUG
from consult.drafts.models import Status
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.moderation.models import HideReason
from consult.reference.seed import load_reference_data
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user

# Generated requests on the production database; tests/api/test_api.py covers both.
pytestmark = pytest.mark.only_on("postgresql")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Few examples per operation: the API is small, and the suite must stay fast.
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,  # no saved examples: each run starts fresh
    suppress_health_check=[HealthCheck.too_slow],
)


def _contribution(response) -> Contribution:
    return db.session.scalar(
        db.select(Contribution)
        .where(Contribution.response_id == response.id, Contribution.input_id.is_not(None))
        .order_by(Contribution.id)
    )


@pytest.fixture
def staff_token(app, monkeypatch) -> str:
    """Seed a consultation (the slug the document shows as its example) with input in every
    moderation state, a draft, and a staff token; lift the API's rate limit for the run."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100000 per minute")
    load_reference_data()
    consultation = make_consultation(slug=EXAMPLE_SLUG)
    make_consultation(status=Status.DRAFT, slug="kladde-til-sundhedsaftale")
    moderator = make_user(Role.MODERATOR)
    named = make_response(
        consultation,
        {"fa-1-goal-1": ("support_with_changes", "Et godt mål.", "Bedre ordlyd")},
        type_code="patient-association",
        organisation="Danske Patienter",
        consent="named",
    )
    moderation.publish(_contribution(named), moderator)
    redacted = make_response(consultation, {"fa-1-goal-2": ("oppose", "Ring 22 33 44 55.", "")})
    moderation.redact(
        _contribution(redacted), moderator, {"text": [(5, 16)]}, HideReason.PERSONAL_DATA
    )
    hidden = make_response(consultation, {"fa-2-goal-1": "Køb billig medicin."})
    moderation.hide(_contribution(hidden), moderator, HideReason.SPAM)
    make_response(consultation, {"fa-2-goal-2": "Venter."})
    make_response(consultation, {"fa-1-initiative": "Privat."}, consent="private")
    _row, token = services.create_token(make_user(Role.SECRETARIAT), "schemathesis")
    return token


def _check_every_operation(app, client, headers: dict[str, str]) -> None:
    """Run generated cases for each operation: valid and invalid ones, on random slugs and on
    the seeded consultation (a generated slug would hardly ever name it).

    Schemathesis leaves out the operation that serves the document itself; test_api reads it.
    """
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ran = []
    for result in api.get_all_operations():
        operation = result.ok()
        ran.append(operation.path)
        strategies = [operation.as_strategy()]
        if "{slug}" in operation.path:
            seeded = {"slug": EXAMPLE_SLUG}
            strategies += [
                operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
                operation.as_strategy(path_parameters=seeded),
            ]
            if len(operation.query):
                # Bad page and per_page on a consultation that exists: 400, never a 500.
                strategies.append(
                    operation.as_strategy(
                        generation_mode=GenerationMode.NEGATIVE, path_parameters=seeded
                    )
                )

        @SETTINGS
        @given(case=st.one_of(strategies))
        def check(case):
            case.headers = {
                **{k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"},
                **headers,
            }
            case.call_and_validate(session=client, checks=CHECKS)

        check()
    assert ran == [
        "/consultations",
        "/consultations/{slug}",
        "/consultations/{slug}/inputs",
        "/consultations/{slug}/summary",
    ]


def test_the_public_api_conforms_to_its_document(app, client, staff_token):
    _check_every_operation(app, client, {})


def test_the_staff_view_conforms_to_its_document(app, client, staff_token):
    _check_every_operation(app, client, {"Authorization": f"Bearer {staff_token}"})
