"""The høringsnotat sums up: its body before the appendix stays short at any size.

A Danish authority's høringsnotat gives the main points and the answers; every input is in the
appendix (Bilag). At the demo's size (~1,000 inputs) the body is at most 15,000 words (about
30 pages), at 10,000 inputs at most 20,000. Counted in the DOCX (as Word would read it) and on
the public report's page, from a consultation generated as bench/generate.py makes one and
worked on as the demo secretariat works (consult/demo/workspace.py and themes.py).
"""

from __future__ import annotations

import re
from io import BytesIO

import docx
import pytest
from docx.oxml.ns import qn
from flask import render_template
from sqlalchemy import func
from sqlalchemy import select

from bench.generate import build_search_index
from bench.generate import generate
from bench.generate import prepare
from consult.accounts.models import Role
from consult.analysis.models import Reply
from consult.demo import OPEN_DEMO
from consult.demo.themes import load_demo_themes
from consult.demo.workspace import load_demo_workspace
from consult.drafts.services import current_version
from consult.drafts.services import get_consultation
from consult.drafts.services import load_tree
from consult.exports.docx import render_docx
from consult.exports.memo import build_memo
from consult.extensions import db
from consult.responses.models import Input
from consult.responses.models import Response
from consult.responses.models import ResponseState
from tests.factories import make_user


def worked_on(inputs: int):
    """A consultation of about ``inputs`` inputs, with its høringsliste, themes and replies."""
    prepare(days=30)
    _made, ids = generate(inputs, seed=7, batch_size=5_000)
    build_search_index(db.session.connection(), ids)  # SQLite's FTS table, as the bench does
    author, approver = make_user(Role.SECRETARIAT), make_user(Role.SECRETARIAT)
    load_demo_workspace(OPEN_DEMO, author, approver)
    assert load_demo_themes(OPEN_DEMO, author, approver) > 0
    consultation = get_consultation(OPEN_DEMO)
    return consultation, load_tree(current_version(consultation))


def docx_words(memo) -> tuple[int, int, int]:
    """Words before the appendix's heading, words in all, and inputs quoted in the appendix.

    python-docx opens the file; its paragraphs are read as XML (its style lookups would scan
    the styles once per paragraph)."""
    out = BytesIO()
    render_docx(memo, out)
    document = docx.Document(BytesIO(out.getvalue()))
    styles = {s.style_id: s.name for s in document.styles}
    body = total = quotes = 0
    in_body = True
    for paragraph in document.element.body.iterchildren(qn("w:p")):
        text = "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        name = styles.get(style.get(qn("w:val"))) if style is not None else None
        if name == "Heading 1" and text == memo.words["appendix"]:
            in_body = False
        words = len(text.split())
        total += words
        body += words if in_body else 0
        # Each quoted input ends with who sent it, in the muted character style.
        muted = [styles.get(r.get(qn("w:val"))) for r in paragraph.iter(qn("w:rStyle"))]
        quotes += not in_body and "Memo Muted" in muted
    assert document.element.body[-1].tag == qn("w:sectPr")
    return body, total, quotes


def page_words(consultation, memo) -> int:
    """Words of the public report's page before its appendix."""
    html = render_template(
        "exports/report_show.html",
        consultation=consultation,
        memo=memo,
        is_updating=False,
        refresh_seconds=5,
        quotes_shown=3,
        chart_src=lambda goal: "data:image/png;base64,",
    )
    main = html.split('<h2 id="appendix">')[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return len(re.sub(r"<[^>]+>", " ", main).split())


def submitted_inputs(consultation) -> int:
    return db.session.scalar(
        select(func.count(Input.id))
        .join(Response, Response.id == Input.response_id)
        .where(
            Response.consultation_id == consultation.id,
            Response.state == ResponseState.SUBMITTED,
            Input.item_id.is_not(None),
        )
    )


def test_the_memo_of_a_thousand_inputs_sums_up_in_under_15000_words(ctx):
    consultation, tree = worked_on(1_000)
    memo = build_memo(consultation, tree, public=False, lang="da")
    body, total, quoted = docx_words(memo)
    assert body <= 15_000, body
    # The appendix quotes (or, not yet moderated, lists) every input; the body none of them.
    assert quoted >= submitted_inputs(consultation) - 5
    assert total > 2 * body
    text = "\n".join(p for goal in memo.areas[0].goals for p in goal.notes)
    assert "Endnu ikke besvaret:" in text
    # Main points with answers, largest first; replies to themes answer them.
    points = [p for area in memo.areas for goal in area.goals for p in goal.points]
    assert any(p.answer and p.answer.disposition for p in points)
    for goal in (g for area in memo.areas for g in area.goals):
        assert [p.count for p in goal.points] == sorted(
            (p.count for p in goal.points), reverse=True
        )
    assert db.session.scalar(select(func.count(Reply.id)).where(Reply.tag_id.is_not(None))) >= 3

    public = build_memo(consultation, tree, public=True, lang="da")
    public_body, _total, _quoted = docx_words(public)
    assert public_body <= 15_000
    assert page_words(consultation, public) <= 15_000
    # The public report names only the themes the secretariat answered, with approved replies.
    for goal in (g for area in public.areas for g in area.goals):
        assert all(p.answer is not None and not p.answer.state for p in goal.points)


@pytest.mark.only_on("sqlite")  # generating 10,000 inputs: the 1,000 case covers the SQL
def test_the_memo_of_ten_thousand_inputs_sums_up_in_under_20000_words(ctx):
    consultation, tree = worked_on(10_000)
    memo = build_memo(consultation, tree, public=False, lang="da")
    body, _total, quoted = docx_words(memo)
    assert body <= 20_000, body
    assert quoted >= submitted_inputs(consultation) - 50
