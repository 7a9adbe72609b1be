"""The YAML draft format: valid files import, bad ones name the line and field and store nothing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult.drafts.importer import DraftFormatError
from consult.drafts.importer import import_draft
from consult.drafts.importer import parse_draft
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import ItemKind
from consult.drafts.models import ItemRevision
from consult.extensions import db

DEMO = Path(__file__).parents[2] / "consult" / "demo"

VALID = textwrap.dedent(
    """\
    consultation:
      slug: test-draft
      title: {da: "Testaftale", en: "Test agreement"}
      summary:
        da: |
          Første afsnit.

          Andet afsnit.
      status: open
      opens_at: "2027-01-10 09:00"
      closes_at: "2027-07-10 12:00"
    version:
      number: 1
      label: {da: "1. udkast"}
    items:
      - kind: vision
        key: vision-1
        title: {da: "En vision"}
      - kind: focus_area
        key: fa-1
        title: {da: "Et fokusområde", en: "A focus area"}
        children:
          - kind: goal
            key: fa-1-goal-1
            title: {da: "Et mål"}
            alternatives:
              - {da: "Formulering A"}
              - {da: "Formulering B", en: "Wording B"}
          - kind: initiative
            key: fa-1-initiative
            title: {da: "En indsats"}
            political_goals:
              - {da: "Flere udskrives trygt"}
            funds:
              amount_dkk: 2000000
              note: {da: "2 årsværk"}
    """
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_valid_file_imports_tree_and_converts_times_to_utc(ctx):
    consultation = import_draft(VALID)
    db.session.expire_all()
    assert consultation.title_en == "Test agreement"
    # 09:00 in Copenhagen in January is 08:00 UTC; 12:00 in July is 10:00 UTC.
    assert consultation.opens_at.hour == 8 and consultation.closes_at.hour == 10
    assert consultation.summary_da == "Første afsnit.\n\nAndet afsnit."
    goal = db.session.scalar(select(Item).where(Item.key == "fa-1-goal-1"))
    assert goal.parent.key == "fa-1" and goal.kind is ItemKind.GOAL
    revision = goal.revisions[0]
    assert [a.text_da for a in revision.alternatives] == ["Formulering A", "Formulering B"]
    initiative = db.session.scalar(select(Item).where(Item.key == "fa-1-initiative")).revisions[0]
    assert initiative.funds_dkk == 2_000_000
    assert initiative.political_goals[0].text_da == "Flere udskrives trygt"


def test_importing_the_same_slug_again_makes_the_next_version(ctx):
    import_draft(VALID)
    second = VALID.replace("number: 1", "number: 2").replace('"Et mål"', '"Et bedre mål"')
    consultation = import_draft(second)
    assert [v.number for v in consultation.versions] == [1, 2]
    goal = db.session.scalar(select(Item).where(Item.key == "fa-1-goal-1"))
    assert sorted(r.title_da for r in goal.revisions) == ["Et bedre mål", "Et mål"]
    with pytest.raises(DraftFormatError, match="higher number"):
        import_draft(second)


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        (("status: open", "status: ajar"), 9, "consultation.status", "not one of"),
        (
            ('opens_at: "2027-01-10 09:00"', "opens_at: 10/01/2027"),
            10,
            "consultation.opens_at",
            "YYYY-MM-DD",
        ),
        (
            ('closes_at: "2027-07-10 12:00"', 'closes_at: "2026-01-01 12:00"'),
            11,
            "consultation.closes_at",
            "after",
        ),
        (
            ('title: {da: "Et mål"}', 'title: {en: "A goal"}'),
            25,
            "items[2].children[1].title.da",
            "required",
        ),
        (
            ("key: fa-1-initiative", "key: fa-1-goal-1"),
            30,
            "items[2].children[2].key",
            "used twice",
        ),
        (("key: vision-1", "key: Vision 1"), 17, "items[1].key", "lower-case"),
        (
            ("amount_dkk: 2000000", "amount_dkk: lots"),
            35,
            "items[2].children[2].funds.amount_dkk",
            "whole number",
        ),
        (("  - kind: vision", "  - kind: goal"), 16, "items[1].kind", "inside a focus_area"),
        (("  label:", "  lable:"), 14, "version.lable", "unknown key"),
        (
            ('  - {da: "Formulering A"}\n', ""),
            27,
            "items[2].children[1].alternatives",
            "at least two",
        ),
    ],
)
def test_malformed_file_names_line_and_field(ctx, change, line, field, message):
    old, new = change
    assert old in VALID
    source = VALID.replace(old, new)
    with pytest.raises(DraftFormatError) as raised:
        parse_draft(source)
    error = raised.value
    assert error.path == field
    assert error.line == line
    assert message in error.message
    assert f"line {line}" in str(error) and field in str(error)


def test_broken_yaml_names_the_line(ctx):
    with pytest.raises(DraftFormatError) as raised:
        parse_draft("consultation:\n  slug: [unclosed\nversion: 1\n")
    assert raised.value.line == 3 and "not valid YAML" in str(raised.value)


def test_cli_rejects_bad_file_with_nonzero_exit_and_stores_nothing(app, tmp_path):
    # The error is found while storing (an existing version number), after items were added.
    good = tmp_path / "draft.yaml"
    good.write_text(VALID, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["consult", "import-draft", str(good)])
    assert result.exit_code == 0, result.output
    before = (count(Consultation), count(Item), count(ItemRevision))
    again = tmp_path / "again.yaml"
    again.write_text(VALID.replace("key: vision-1", "key: vision-new"), encoding="utf-8")
    result = runner.invoke(args=["consult", "import-draft", str(again)])
    assert result.exit_code != 0
    assert "version.number" in result.output
    assert (count(Consultation), count(Item), count(ItemRevision)) == before


def test_cli_reports_line_and_field(app, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(VALID.replace("status: open", "status: ajar"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["consult", "import-draft", str(bad)])
    assert result.exit_code == 1
    assert "line 9" in result.output and "consultation.status" in result.output
    assert count(Consultation) == 0


def test_markup_in_a_file_is_stored_as_plain_text(ctx):
    source = VALID.replace('"En vision"', '"En <script>alert(1)</script><b>vision</b>"')
    import_draft(source)
    vision = db.session.scalar(select(Item).where(Item.key == "vision-1")).revisions[0]
    assert "<" not in vision.title_da and "vision" in vision.title_da


@pytest.mark.parametrize(
    "name", ["sundhedsaftale-2024-2027.yaml", "psykiatri-sundhedsaftale-iii.yaml"]
)
def test_demo_files_are_valid(name):
    draft = parse_draft((DEMO / name).read_text(encoding="utf-8"))
    assert draft.items


def test_ranking_caps_default_to_the_drafts_rule_and_can_be_set(ctx):
    assert (parse_draft(VALID).max_ranked_focus_areas, parse_draft(VALID).max_ranked_goals) == (
        3,
        2,
    )
    source = VALID.replace("  status: open\n", "  status: open\n  ranking: {max_focus_areas: 2}\n")
    consultation = import_draft(source)
    assert (consultation.max_ranked_focus_areas, consultation.max_ranked_goals) == (2, 2)
    bad = VALID.replace("  status: open\n", "  status: open\n  ranking: {max_focus_areas: 0}\n")
    with pytest.raises(DraftFormatError) as raised:
        parse_draft(bad)
    assert raised.value.path == "consultation.ranking.max_focus_areas" and raised.value.line == 10
