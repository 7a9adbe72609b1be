"""The ranking results against values computed by hand, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.analysis import rankings
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.reference.models import Municipality
from consult.reference.seed import load_reference_data
from consult.responses import services as responses
from tests.factories import make_consultation
from tests.factories import make_response
from tests.helpers import type_id


@pytest.fixture
def data(ctx):
    """Four respondents rank two focus areas (cap 3) and goals within them (cap 2).

    | who      | cluster of  | focus areas | goals in fa-1 | goals in fa-2 |
    |----------|-------------|-------------|---------------|---------------|
    | citizen  | Hvidovre    | fa-2, fa-1  | g2            | g1, g2        |
    | citizen  | Hillerød    | fa-1        | g1, g2        | –             |
    | relative | Hvidovre    | fa-2        | –             | g2            |
    | citizen  | (none)      | fa-1, fa-2  | g1            | –             |
    A fifth, unsubmitted response ranks fa-2 and must not count.
    """
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    tree = load_tree(current_version(c))
    k = {key: tree.by_key[key].item.id for key in tree.by_key}
    fa1, fa2 = k["fa-1"], k["fa-2"]

    def rank(town, areas, goals, type_code="citizen", submit=True):
        response = make_response(c, submit=False, type_code=type_code, comment="Min rangering")
        if town:
            municipality = db.session.scalar(select(Municipality).where(Municipality.code == town))
            response.respondent.municipality = municipality
            response.respondent.cluster = municipality.clusters[0]
        responses.set_ranking(response, tree, areas, goals)
        if submit:
            responses.submit_response(response, key=f"rank-{len(areas)}-{id(response)}")
        return response

    rank(
        "hvidovre", [fa2, fa1], {fa1: [k["fa-1-goal-2"]], fa2: [k["fa-2-goal-1"], k["fa-2-goal-2"]]}
    )
    rank("hilleroed", [fa1], {fa1: [k["fa-1-goal-1"], k["fa-1-goal-2"]]})
    rank("hvidovre", [fa2], {fa2: [k["fa-2-goal-2"]]}, type_code="relative")
    rank(None, [fa1, fa2], {fa1: [k["fa-1-goal-1"]]})
    rank("hvidovre", [fa2], {}, submit=False)
    db.session.flush()
    hvidovre = db.session.scalar(select(Municipality).where(Municipality.code == "hvidovre"))
    return c, k, hvidovre.clusters[0].id


def test_focus_areas_mean_rank_borda_and_top_share(data):
    c, k, _cluster = data
    r = rankings.ranking(c)
    assert (r.everyone, r.cap, r.top_k) == (4, 3, 3)
    # fa-1: ranks 2, 1, 1 -> Borda 2+3+3 = 8, mean 4/3; fa-2: ranks 1, 1, 2 -> 3+3+2 = 8, mean 4/3.
    # A tie on both: the lower item id first.
    by_id = {row.item_id: row for row in r.rows}
    assert (by_id[k["fa-1"]].borda, by_id[k["fa-1"]].ranked_by) == (8, 3)
    assert by_id[k["fa-1"]].mean_rank == pytest.approx(4 / 3)
    assert by_id[k["fa-2"]].top_share == pytest.approx(3 / 4)
    assert [row.item_id for row in r.rows] == [k["fa-1"], k["fa-2"]]


def test_filters_by_group_and_by_cluster(data):
    c, k, hvidovre_cluster = data
    relatives = rankings.ranking(c, type_id=type_id("relative"))
    assert relatives.everyone == 1 and [(x.item_id, x.borda) for x in relatives.rows] == [
        (k["fa-2"], 3)
    ]
    cluster = rankings.ranking(c, cluster_id=hvidovre_cluster)
    # Hvidovre's cluster: the first citizen (fa-2, fa-1) and the relative (fa-2).
    assert cluster.everyone == 2
    assert [(x.item_id, x.borda, x.ranked_by) for x in cluster.rows] == [
        (k["fa-2"], 6, 2),
        (k["fa-1"], 2, 1),
    ]


def test_goals_within_each_focus_area(data):
    c, k, _cluster = data
    goals = rankings.goal_rankings(c)
    fa1 = goals[k["fa-1"]]
    # fa-1 goals: ranked by three people; g1 at 1 and 1, g2 at 1 and 2. Cap 2: first = 2 points.
    assert (fa1.everyone, fa1.cap, fa1.top_k) == (3, 2, 1)
    rows = {r.item_id: r for r in fa1.rows}
    g1, g2 = rows[k["fa-1-goal-1"]], rows[k["fa-1-goal-2"]]
    assert (g1.borda, g1.mean_rank, g1.ranked_by) == (4, 1.0, 2)
    assert (g2.borda, g2.mean_rank, g2.ranked_by) == (3, 1.5, 2)
    assert g1.top_share == pytest.approx(2 / 3) and g2.top_share == pytest.approx(1 / 3)
    assert [r.item_id for r in fa1.rows] == [k["fa-1-goal-1"], k["fa-1-goal-2"]]
    # One focus area's goals alone give the same as the batch.
    alone = rankings.ranking(c, "goal", focus_area_id=k["fa-2"])
    assert [(r.item_id, r.borda) for r in alone.rows] == [
        (r.item_id, r.borda) for r in goals[k["fa-2"]].rows
    ]
    assert [(r.item_id, r.borda) for r in alone.rows] == [
        (k["fa-2-goal-2"], 3),  # 1 + 2
        (k["fa-2-goal-1"], 2),
    ]


def test_breakdown_by_group_and_cluster(data):
    c, k, hvidovre_cluster = data
    by_type = rankings.breakdown(c, "type")
    codes = [g.code for g in by_type.groups]
    assert set(codes) == {"citizen", "relative"}
    relative = type_id("relative")
    assert by_type.everyone[relative] == 1
    assert by_type.cells[k["fa-2"]][relative].borda == 3
    assert relative not in by_type.cells[k["fa-1"]]
    by_cluster = rankings.breakdown(c, "cluster")
    assert by_cluster.groups[-1] is None  # the citizen without a cluster
    assert by_cluster.everyone[None] == 1 and by_cluster.everyone[hvidovre_cluster] == 2
    assert by_cluster.cells[k["fa-1"]][None].mean_rank == 1.0


def test_the_page_shows_areas_goals_and_both_breakdowns_in_words(data, client):
    from consult.accounts.models import Role
    from tests.factories import make_user
    from tests.factories import sign_in

    c, k, hvidovre_cluster = data
    sign_in(client, make_user(Role.SECRETARIAT))
    base = f"/staff/consultations/{c.slug}/analysis/ranking"
    page = client.get(base + "?lang=en").get_data(as_text=True)
    assert "4 respondents ranked the focus areas." in page
    assert "Goals within each focus area" in page
    assert "3 respondents ranked goals in this focus area." in page
    assert "Focus areas by respondent group" in page and "Focus areas by health cluster" in page
    assert "First choice" in page and "In the top 3" in page
    filtered = client.get(f"{base}?cluster={hvidovre_cluster}").get_data(as_text=True)
    assert "2 respondents ranked the focus areas." in filtered
    # Values that name nothing show everyone, never an error.
    for bad in ("cluster=999999", "cluster=x", "type=-1"):
        response = client.get(f"{base}?{bad}")
        assert response.status_code == 200 and "4 respondents" in response.get_data(as_text=True)
    chart = client.get(
        f"/staff/consultations/{c.slug}/analysis/charts/ranking.svg?cluster={hvidovre_cluster}"
    )
    assert chart.mimetype == "image/svg+xml"
