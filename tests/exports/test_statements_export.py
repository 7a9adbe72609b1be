"""General comments and letters as records of their own in every export (issue 13, 1), and a
reply to a theme answering its inputs in the exports' reply columns and the browser (3)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis import services as analysis
from consult.analysis.models import Disposition
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports import files
from consult.exports import pg_copy
from consult.exports import statements
from consult.exports import xlsx
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.responses.models import Input
from consult.responses.models import InputKind
from tests.analysis.test_statements import COMMENT
from tests.analysis.test_statements import LETTER
from tests.analysis.test_statements import desk  # noqa: F401  (a fixture)
from tests.exports.test_rankings_export import _sheet
from tests.factories import make_response
from tests.factories import make_user

CPR_COMMENT = "Ring til mig, mit CPR er 010203-1234, og læs MRKPRIVAT."
MASKED = "[…]"


def _tree(c):
    return load_tree(current_version(c))


def _csv(text: str, delimiter: str = ";") -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


def _publish(response) -> None:
    moderator = make_user(Role.MODERATOR)
    for contribution in db.session.scalars(
        select(Contribution).where(Contribution.response_id == response.id)
    ):
        moderation.publish(contribution, moderator)


@pytest.fixture
def world(desk):  # noqa: F811
    client, c, user = desk
    # A private citizen's comment with a CPR number: staff read it masked, never the public.
    make_response(c, comment=CPR_COMMENT, consent="private")
    db.session.commit()
    return client, c, user


def the_input(kind: InputKind, text: str) -> Input:
    return db.session.scalar(select(Input).where(Input.kind == kind, Input.text.contains(text)))


def test_the_secretariats_csv_files_of_comments_and_letters(world):
    client, c, _user = world
    response = client.get(f"/staff/consultations/{c.slug}/exports/comments.csv?lang=en")
    assert response.status_code == 200
    assert f"{c.slug}-comments.csv" in response.headers["Content-Disposition"]
    rows = _csv(response.get_data(as_text=True))
    assert list(rows[0]) == list(statements.FULL["comments"])
    assert len(rows) == 3  # the organisation's, the citizen's and the private citizen's
    by_text = {row["text"]: row for row in rows}
    organisation = by_text[COMMENT]
    assert organisation["name_or_organisation"] == "Danske Patienter"
    assert organisation["organisation"] == "Danske Patienter"
    assert organisation["consent"] and organisation["moderation_state"] == "Awaiting review"
    assert organisation["reply_state"] == "New"
    # CPR numbers masked as staff read them (the stored masked text).
    private = next(row for row in rows if "MRKPRIVAT" in row["text"])
    assert "010203-1234" not in private["text"] and MASKED in private["text"]
    assert private["name_or_organisation"] == ""  # the naming rule: no consent, no name
    letters = _csv(
        client.get(f"/staff/consultations/{c.slug}/exports/letters.csv?delimiter=comma").text,
        ",",
    )
    assert list(letters[0]) == list(statements.FULL["letters"])
    assert len(letters) == 1
    letter = letters[0]
    assert letter["filename"] == "Høringssvar.pdf" and int(letter["size_bytes"]) > 100
    assert LETTER in letter["text"]  # the text read out of the PDF: staff only
    assert letter["input_id"] == str(the_input(InputKind.LETTER, LETTER).id)


def test_the_public_files_carry_published_comments_and_name_letters_only(world):
    client, c, _user = world
    tree = _tree(c)

    def public_json():
        return json.loads("".join(files.text_chunks("json", c, tree, public=True)))

    document = public_json()
    assert document["comments"] == [] and document["letters"] == []
    organisation = the_input(InputKind.COMMENT, COMMENT).response
    _publish(organisation)
    db.session.commit()
    document = public_json()
    assert document["record_columns"]["comments"] == list(statements.PUBLIC["comments"])
    assert [row["text"] for row in document["comments"]] == [COMMENT]
    assert document["comments"][0]["name_or_organisation"] == "Danske Patienter"
    [letter] = document["letters"]
    assert letter["filename"] == "Høringssvar.pdf" and "text" not in letter
    everything = json.dumps(document, ensure_ascii=False)
    assert LETTER not in everything and "MRKPRIVAT" not in everything
    # The open data's CSV files, on the public report's page (once the memo is published).
    for kind in ("comments", "letters"):
        text = "".join(files.statement_chunks(kind, c, public=True, lang="da"))
        rows = _csv(text)
        assert len(rows) == 1 and list(rows[0]) == list(statements.PUBLIC[kind])
        assert LETTER not in text and "MRKPRIVAT" not in text and "Tak for" not in text
    workbook = io.BytesIO()
    xlsx.write_xlsx(c, tree, workbook, public=True, lang="en")
    comments = _sheet(workbook.getvalue(), "General comments")
    assert comments[0] == list(statements.PUBLIC["comments"])
    assert [row[5] for row in comments[1:]] == [COMMENT]
    letters = _sheet(workbook.getvalue(), "Letters")
    assert len(letters) == 2 and "Høringssvar.pdf" in letters[1]
    assert LETTER not in str(letters)


@pytest.mark.parametrize("lang,names", [("da", ("Generelle bemærkninger", "Høringsbreve")),
                                        ("en", ("General comments", "Letters"))])  # fmt: skip
def test_the_workbook_and_json_of_the_secretariat(world, lang, names):
    _client, c, _user = world
    tree = _tree(c)
    workbook = io.BytesIO()
    xlsx.write_xlsx(c, tree, workbook, lang=lang)
    comments = _sheet(workbook.getvalue(), names[0])
    assert comments[0] == list(statements.FULL["comments"])
    texts = {row[comments[0].index("text")] for row in comments[1:]}
    assert COMMENT in texts and len(comments) == 4
    letters = _sheet(workbook.getvalue(), names[1])
    header = letters[0]
    assert letters[1][header.index("filename")] == "Høringssvar.pdf"
    assert LETTER in letters[1][header.index("text")]
    document = json.loads("".join(files.text_chunks("json", c, tree)))
    assert len(document["comments"]) == 3 and len(document["letters"]) == 1
    assert set(document["comments"][0]) == set(statements.FULL["comments"])
    assert document["comments"][0]["moderation_state"] == "pending"  # codes in JSON
    assert LETTER in document["letters"][0]["text"]
    # The inputs on goals are still the inputs: no comment among them.
    assert COMMENT not in {row["text"] for row in document["inputs"]}


def test_a_theme_reply_answers_its_inputs_in_the_exports_and_the_browser(world):
    client, c, user = world
    goal_input = db.session.scalar(
        select(Input).where(Input.kind == InputKind.GOAL, Input.text == "Et godt mål.")
    )
    comment = the_input(InputKind.COMMENT, COMMENT)
    tag = analysis.create_tag(c.id, "finansiering")
    analysis.tag_inputs(tag, [goal_input.id, comment.id])
    db.session.commit()
    base = f"/staff/consultations/{c.slug}/inputs/"
    new = client.get(f"{base}?state=new").get_data(as_text=True)
    assert "Et godt mål." in new
    # A reply to the theme on every goal, approved by a colleague.
    reply = analysis.save_theme_reply(
        user, tag, None, text="Finansieringen aftales i budgettet.",
        disposition=Disposition.NOTED, reason="", ready=True,
    )  # fmt: skip
    analysis.approve_reply(reply, make_user(Role.SECRETARIAT))
    db.session.commit()
    new = client.get(f"{base}?state=new").get_data(as_text=True)
    approved = client.get(f"{base}?state=approved").get_data(as_text=True)
    assert "Et godt mål." not in new and "Et godt mål." in approved
    assert "Answered through the theme “finansiering”" in approved  # the row says why
    tree = _tree(c)
    for public in (False, True):
        document = json.loads("".join(files.text_chunks("json", c, tree, public=public)))
        [row] = [r for r in document["inputs"] if r["input_id"] == goal_input.id] or [None]
        if public:
            assert row is None  # not published: not in the open data
            continue
        assert row["reply_state"] == "approved" and row["disposition"] == "noted"
        assert row["reply"] == (  # the JSON's words in its language (Danish by default)
            "Besvaret gennem temaet “finansiering”: Finansieringen aftales i budgettet."
        )
        [statement] = [r for r in document["comments"] if r["input_id"] == comment.id]
        assert statement["reply_state"] == "approved"
        assert statement["reply"].endswith("Finansieringen aftales i budgettet.")
        assert statement["tags"] == "finansiering"
    # The CSV in words, the same cells on PostgreSQL's COPY path.
    out = io.BytesIO()
    files.write_to(out, "csv", c, tree, lang="da")
    rows = _csv(out.getvalue().decode("utf-8"))
    row = next(r for r in rows if r["input_id"] == str(goal_input.id))
    assert row["reply_state"] == "Godkendt" and row["disposition"] == "Taget til efterretning"
    assert row["reply"].startswith("Besvaret gennem temaet “finansiering”:")
    if pg_copy.available():
        python = "".join(files.text_chunks("csv", c, tree, lang="da"))
        assert rows == _csv(python)
