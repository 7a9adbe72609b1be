"""Reference data: loaded once from Region Hovedstaden's lists, then edited by the secretariat."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult.extensions import db
from consult.reference.models import HealthCluster
from consult.reference.models import Municipality
from consult.reference.models import RespondentType
from consult.reference.seed import load_reference_data
from tests.factories import csrf_token
from tests.factories import make_user
from tests.factories import sign_in


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def by_code(model, code):
    return db.session.scalar(select(model).where(model.code == code))


def test_seed_has_29_municipalities_in_5_clusters_and_is_idempotent(ctx):
    assert load_reference_data() > 0
    assert count(Municipality) == 29 and count(HealthCluster) == 5 and count(RespondentType) == 11
    copenhagen = by_code(Municipality, "koebenhavn")
    assert {c.code for c in copenhagen.clusters} == {"byen", "syd"}
    assert copenhagen.name_en == "Copenhagen" and copenhagen.region.code == "hovedstaden"
    south = by_code(HealthCluster, "syd")
    assert len(south.municipalities) == 11  # as the cluster's rules of procedure list them
    assert all(m.clusters for m in db.session.scalars(select(Municipality)))
    assert by_code(RespondentType, "patient-association").is_organisation
    assert by_code(RespondentType, "professional").asks_sector
    # Running again adds nothing and keeps edits.
    copenhagen.name_da = "Københavns Kommune"
    assert load_reference_data() == 0
    assert by_code(Municipality, "koebenhavn").name_da == "Københavns Kommune"


@pytest.fixture
def secretariat(client, ctx):
    load_reference_data()
    sign_in(client, make_user("secretariat"))
    return client


def test_the_secretariat_adds_a_cluster_and_moves_a_municipality(secretariat):
    client = secretariat
    url = "/staff/reference/clusters/new"
    response = client.post(
        url,
        data={
            "name_da": "Sundhedsråd Øst",
            "name_en": "Health council East",
            "code": "raad-oest",
            "position": "9",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302
    council = by_code(HealthCluster, "raad-oest")
    dragoer = by_code(Municipality, "dragoer")
    edit = f"/staff/reference/municipalities/{dragoer.id}/edit"
    html = client.get(edit).get_data(as_text=True)
    assert "Sundhedsråd Øst" in html and 'type="checkbox"' in html
    syd = by_code(HealthCluster, "syd")
    response = client.post(
        edit,
        data={
            "name_da": "Dragør",
            "name_en": "",
            "code": "dragoer",
            "position": "5",
            "region_id": str(dragoer.region_id),
            "cluster_ids": [str(syd.id), str(council.id)],
            "csrf_token": csrf_token(client, edit),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {c.code for c in by_code(Municipality, "dragoer").clusters} == {"syd", "raad-oest"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name_da": ""}, "The Danish name is required."),
        ({"code": "Not a code!"}, "lower-case letters"),
        ({"code": "citizen"}, "Another entry has this code."),
        ({"position": "-1"}, "Give a whole number from 0."),
        ({"name_da": "<script>alert(1)</script>Borger\x00"}, None),
    ],
)
def test_bad_input_is_explained_and_kept(secretariat, data, message):
    client = secretariat
    url = "/staff/reference/respondent-types/new?lang=en"
    fields = {"name_da": "Studerende", "name_en": "Student", "code": "student", "position": "3"}
    fields.update(data)
    fields["csrf_token"] = csrf_token(client, url)
    response = client.post(url, data=fields)
    if message is None:
        assert response.status_code == 302
        assert by_code(RespondentType, "student").name_da == "alert(1)Borger"
        return
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'value="Student"' in html


def test_retiring_keeps_the_row(secretariat):
    client = secretariat
    citizen = by_code(RespondentType, "citizen")
    url = f"/staff/reference/respondent-types/{citizen.id}/active"
    client.post(url, data={"csrf_token": csrf_token(client, "/staff/reference/respondent-types/")})
    db.session.expire_all()
    assert by_code(RespondentType, "citizen").is_active is False


def test_unknown_kind_is_404(secretariat):
    assert secretariat.get("/staff/reference/planets/").status_code == 404


def test_lists_do_not_query_per_row(secretariat, count_queries):
    with count_queries() as counter:
        assert secretariat.get("/staff/reference/municipalities/").status_code == 200
    assert counter.count <= 8
