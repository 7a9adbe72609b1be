"""Rankings in every export (issue 13): the XLSX sheet, the JSON records and the CSV file hold
exactly the figures of consult.analysis.rankings, for everyone, each respondent group and each
cluster; public files hold aggregates of five respondents or more only. Both databases."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis import rankings as analysis
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports import files
from consult.exports import rankings
from consult.exports import xlsx
from consult.extensions import db
from consult.reference.models import HealthCluster
from consult.reference.models import Municipality
from consult.reference.models import RespondentType
from consult.reference.seed import load_reference_data
from consult.responses import services as responses
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import sign_in

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@pytest.fixture
def data(ctx):
    """Eight respondents rank the focus areas (cap 3) and goals within them (cap 2): six
    citizens in two clusters or none, a relative and a patient association; one unsubmitted
    response that must not count."""
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    tree = load_tree(current_version(c))
    k = {key: tree.by_key[key].item.id for key in tree.by_key}
    fa1, fa2 = k["fa-1"], k["fa-2"]
    g11, g12, g21, g22 = (k[f"fa-{a}-goal-{g}"] for a in (1, 2) for g in (1, 2))

    def rank(town, areas, goals, type_code="citizen", submit=True, organisation=""):
        response = make_response(
            c, submit=False, type_code=type_code, organisation=organisation, comment="Rangering"
        )
        if town:
            municipality = db.session.scalar(select(Municipality).where(Municipality.code == town))
            response.respondent.municipality = municipality
            response.respondent.cluster = municipality.clusters[0]
        responses.set_ranking(response, tree, areas, goals)
        if submit:
            responses.submit_response(response, key=f"rank-{id(response)}")

    rank("hvidovre", [fa2, fa1], {fa1: [g12], fa2: [g21, g22]})
    rank("hilleroed", [fa1], {fa1: [g11, g12]})
    rank("hvidovre", [fa2], {fa2: [g22]}, type_code="relative")
    rank(None, [fa1, fa2], {fa1: [g11]})
    rank("hvidovre", [fa1, fa2], {fa1: [g11, g12], fa2: [g22]})
    rank("hilleroed", [fa2, fa1], {fa2: [g21]})
    rank("hvidovre", [fa1], {fa1: [g12, g11]})
    rank("hilleroed", [fa2], {}, type_code="patient-association", organisation="Danske Patienter")
    rank("hvidovre", [fa2], {}, submit=False)
    db.session.flush()
    return c, tree


def _expected(c) -> dict[tuple, tuple]:
    """Every figure rankings.py gives, keyed like the export's records."""
    out = {}

    def add(level, area, group_by, group, ranking):
        for row in ranking.rows:
            out[(level, area, row.item_id, group_by, group)] = (
                ranking.everyone,
                row.ranked_by,
                pytest.approx(row.mean_rank),
                row.borda,
                ranking.top_k,
                pytest.approx(row.top_share),
            )

    add("focus_area", None, "all", None, analysis.ranking(c))
    for area, ranking in analysis.goal_rankings(c).items():
        add("goal", area, "all", None, ranking)
    for group_by, model, key in (
        ("respondent_type", RespondentType, "type_id"),
        ("cluster", HealthCluster, "cluster_id"),
    ):
        for group in db.session.scalars(select(model)):
            add("focus_area", None, group_by, group.id, analysis.ranking(c, **{key: group.id}))
            for area, ranking in analysis.goal_rankings(c, **{key: group.id}).items():
                add("goal", area, group_by, group.id, ranking)
    return out


def _key(record: rankings.Record) -> tuple:
    group = None if record.group is None else record.group.id
    return (record.level, record.area_id, record.item_id, record.group_by, group)


def _figures(record: rankings.Record) -> tuple:
    return (
        record.respondents,
        record.ranked_by,
        record.mean_rank,
        record.borda,
        record.top_k,
        record.top_share,
    )


def test_the_records_are_rankings_py_figures_for_everyone_each_group_and_cluster(data):
    c, _tree = data
    records = rankings.records(c)
    expected = _expected(c)
    known = {_key(r): _figures(r) for r in records if r.group_by == "all" or r.group is not None}
    assert known == expected
    # The respondents who gave no cluster: one citizen, counted against rankings.py's breakdown.
    none = [r for r in records if r.group_by == "cluster" and r.group is None]
    cells = analysis.breakdown(c, "cluster").cells
    assert {r.item_id for r in none if r.level == "focus_area"} == {
        item for item, by in cells.items() if None in by
    }
    for r in none:
        if r.level == "focus_area":
            cell = cells[r.item_id][None]
            assert (r.ranked_by, r.borda, r.mean_rank) == (
                cell.ranked_by,
                cell.borda,
                pytest.approx(cell.mean_rank),
            )
            assert r.respondents == analysis.breakdown(c, "cluster").everyone[None] == 1


def test_public_records_leave_out_figures_of_fewer_than_five(data):
    c, _tree = data
    staff, public = rankings.records(c), rankings.records(c, public=True)
    assert any(r.respondents < rankings.PUBLIC_MIN_RESPONDENTS for r in staff)
    assert public and all(r.respondents >= rankings.PUBLIC_MIN_RESPONDENTS for r in public)
    assert [_key(r) for r in public] == [
        _key(r) for r in staff if r.respondents >= rankings.PUBLIC_MIN_RESPONDENTS
    ]
    # Everyone's ranking of the focus areas (eight people) is public; the relative's is not.
    assert {(r.level, r.group_by) for r in public} >= {("focus_area", "all")}
    assert not [r for r in public if r.group_by == "respondent_type" and r.group.code == "relative"]


def _sheet(data: bytes, name: str) -> list[list]:
    """The cells of one sheet of a workbook, by its name: strings and numbers."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))  # noqa: S314
        links = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
        targets = {rel.get("Id"): rel.get("Target") for rel in links}
        sheet = next(s for s in workbook.iter(f"{MAIN}sheet") if s.get("name") == name)
        root = ElementTree.fromstring(  # noqa: S314 - our own file
            book.read("xl/" + targets[sheet.get(f"{REL}id")])
        )
    rows = []
    for row in root.iter(f"{MAIN}row"):
        cells = {}
        for cell in row.iter(f"{MAIN}c"):
            column = "".join(ch for ch in cell.get("r") if ch.isalpha())
            index = ord(column) - ord("A")
            if cell.get("t") == "inlineStr":
                cells[index] = "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
            else:
                cells[index] = float(cell.find(f"{MAIN}v").text)
        rows.append([cells.get(i, "") for i in range(max(cells) + 1)])
    return rows


@pytest.mark.parametrize("lang,sheet", [("da", "Prioriteringer"), ("en", "Rankings")])
def test_the_workbook_has_a_rankings_sheet_with_the_figures(data, lang, sheet):
    c, tree = data
    out = io.BytesIO()
    xlsx.write_xlsx(c, tree, out, lang=lang)
    cells = _sheet(out.getvalue(), sheet)
    assert cells[0] == rankings.headings(lang)
    expected = rankings.table(c, tree, public=False, lang=lang)
    assert len(cells) == 1 + len(expected) > 10
    for got, want in zip(cells[1:], expected, strict=True):
        assert got[:6] == [w or "" for w in want[:6]]
        assert got[6:] == [pytest.approx(float(w)) for w in want[6:]]
    # The open data's workbook: the same sheet, figures of five respondents or more only.
    public = io.BytesIO()
    xlsx.write_xlsx(c, tree, public, public=True, lang=lang)
    shown = _sheet(public.getvalue(), sheet)
    assert len(shown) == 1 + len(rankings.records(c, public=True)) < len(cells)
    assert all(row[6] >= rankings.PUBLIC_MIN_RESPONDENTS for row in shown[1:])
    words = set(cells[1][:6]) | {row[4] for row in cells[1:]}
    if lang == "da":
        assert {"Fokusområde", "Alle", "Respondenttype", "Sundhedsklynge"} <= words
    else:
        assert {"Focus area", "Everyone", "Respondent type", "Health cluster"} <= words


@pytest.mark.parametrize("public", [False, True], ids=["staff", "public"])
def test_the_json_carries_the_rankings_as_records_of_their_own(data, public):
    c, tree = data
    document = json.loads("".join(files.text_chunks("json", c, tree, public=public)))
    records = rankings.records(c, public=public)
    got = document["rankings"]
    keys = {node.item.id: key for key, node in tree.by_key.items()}
    assert len(got) == len(records) > 0
    assert set(got[0]) == set(rankings.KEYS)
    for item, record in zip(got, records, strict=True):
        assert item["level"] == record.level and item["group_by"] == record.group_by
        assert item["item"] == keys[record.item_id]
        assert item["group"] == (None if record.group is None else record.group.code)
        assert (item["respondents"], item["ranked_by"], item["borda"], item["top_k"]) == (
            record.respondents,
            record.ranked_by,
            record.borda,
            record.top_k,
        )
        assert item["mean_rank"] == pytest.approx(record.mean_rank, abs=1e-4)
        assert item["top_share"] == pytest.approx(record.top_share, abs=1e-4)
    assert {item["item"] for item in got} <= set(keys.values())
    assert {item["focus_area"] for item in got if item["level"] == "goal"} <= {"fa-1", "fa-2"}


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_the_rankings_csv_for_the_secretariat_and_for_the_public(data, client):
    c, tree = data
    sign_in(client, make_user(Role.SECRETARIAT))
    response = client.get(f"/staff/consultations/{c.slug}/exports/rankings.csv?lang=da")
    assert response.status_code == 200
    assert f"{c.slug}-rankings.csv" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == rankings.headings("da")
    table = rankings.table(c, tree, public=False, lang="da")
    assert len(rows) == 1 + len(table)
    for got, want in zip(rows[1:], table, strict=True):
        assert got[:6] == want[:6]
        assert [int(got[6]), int(got[7]), int(got[9]), int(got[10])] == [
            want[6],
            want[7],
            want[9],
            want[10],
        ]
        # Danish Excel reads a decimal comma: "1,33", and the share in percent.
        assert float(got[8].replace(",", ".")) == pytest.approx(want[8], abs=0.005)
        assert float(got[11].replace(",", ".")) == pytest.approx(want[11] * 100, abs=0.05)
    assert any("," in row[8] for row in rows[1:])
    english = _csv(client.get(f"/staff/consultations/{c.slug}/exports/rankings.csv?lang=en"))
    assert english[0][0] == "Level" and "." in "".join(row[8] for row in english[1:])

    public = client.get(f"/consultations/{c.slug}/report/rankings.csv")
    assert public.status_code == 200
    published = _csv(public)
    assert len(published) == 1 + len(rankings.records(c, public=True)) < len(rows)
    assert all(int(row[6]) >= rankings.PUBLIC_MIN_RESPONDENTS for row in published[1:])
