"""General comments and letters are inputs like any other for the secretariat (issue 13, 1):
the browser lists, filters and searches them, tags, replies and assignment work on them, and
the duplicates finder and whole-consultation themes read them. Per-goal figures do not."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.models import Role
from consult.analysis import duplicates
from consult.analysis import figures
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.demo.responses import letter_pdf
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.reference.seed import load_reference_data
from consult.responses import letters
from consult.responses import services as responding
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.themes import service as themes
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in
from tests.helpers import PDF

COMMENT = "Kommunerne mangler hænder, og aftalen siger intet om finansieringen."
LETTER = "Vi ønsker befordring til behandling og tolkebistand skrevet ind i aftalen."


def with_letter(response, pdf: bytes, name: str = "brev.pdf") -> None:
    letters.attach_letter(response, BytesIO(pdf), name)


@pytest.fixture
def desk(client):
    """Two goal inputs, an organisation's general comment and letter, a citizen's comment."""
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    make_response(c, {"fa-1-goal-1": "Hjemmeplejen skal styrkes."})
    organisation = make_response(
        c,
        {"fa-2-goal-1": "Et godt mål."},
        comment=COMMENT,
        type_code="patient-association",
        organisation="Danske Patienter",
        submit=False,
    )
    with_letter(organisation, letter_pdf("Danske Patienter", [LETTER]), "Høringssvar.pdf")
    responding.submit_response(organisation, key="org")
    make_response(c, comment="Tak for et læsevenligt udkast.")
    user = make_user(Role.SECRETARIAT, name="Sara Sekretariat")
    sign_in(client, user)
    client.get("/?lang=en")
    return client, c, user


def browse(client, c, query: str = "") -> str:
    return client.get(f"/staff/consultations/{c.slug}/inputs/?{query}").get_data(as_text=True)


def found(client, c, query: str) -> int:
    return int(re.search(r"(\d+) inputs? found", browse(client, c, query)).group(1))


def the(kind: InputKind, text: str | None = None) -> Input:
    query = select(Input).where(Input.kind == kind)
    if text is not None:
        query = query.where(Input.text == text)
    return db.session.scalar(query)


def test_comments_and_letters_are_inputs_with_no_goal(desk):
    _client, c, _user = desk
    letter = the(InputKind.LETTER)
    assert LETTER in " ".join(letter.text.split())  # read out of the PDF
    assert letter.item_id is None and letter.revision_id is None
    assert the(InputKind.COMMENT, COMMENT).item_id is None
    # Each is under moderation as before, and points at its input.
    kinds = dict(
        db.session.execute(
            select(Contribution.input_id, Contribution.kind).where(
                Contribution.input_id.in_([letter.id, the(InputKind.COMMENT, COMMENT).id])
            )
        ).all()
    )
    assert sorted(kinds.values()) == [ContributionKind.COMMENT, ContributionKind.LETTER]


def test_the_browser_lists_and_filters_them_by_what_they_are(desk):
    client, c, _user = desk
    assert found(client, c, "") == 5
    assert found(client, c, "what=goal") == 2
    assert found(client, c, "what=comment") == 2
    assert found(client, c, "what=letter") == 1
    assert found(client, c, "what=<script>") == 5  # not an allowed value: ignored
    html = browse(client, c, "what=letter")
    letter = the(InputKind.LETTER)
    contribution = db.session.scalar(select(Contribution).where(Contribution.input_id == letter.id))
    assert "Letter (PDF)" in html and "Høringssvar.pdf" in html
    assert f'href="/moderation/contributions/{contribution.id}/letter"' in html
    assert 'value="letter" selected' in html
    assert "General comment" in browse(client, c, "what=comment")
    # The letter's own page: its text, and the file through the staff letter view.
    page = client.get(f"/staff/consultations/{c.slug}/inputs/{letter.id}").get_data(as_text=True)
    assert "Text read from the letter" in page and "befordring" in page
    assert client.get(f"/moderation/contributions/{contribution.id}/letter").status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kommune", {COMMENT}),  # kommunerne, in a general comment
        ("befordringen", {LETTER}),  # in the letter's text
        ("hjemmepleje", {"Hjemmeplejen skal styrkes."}),
    ],
)
def test_search_finds_words_in_comments_and_letters(desk, query, expected):
    client, c, _user = desk
    html = " ".join(browse(client, c, f"q={query}").split())
    hits = {t for t in (COMMENT, LETTER, "Hjemmeplejen skal styrkes.") if t[:40] in html}
    assert hits == expected


def test_a_comment_is_tagged_assigned_and_answered_like_any_input(app, desk):
    client, c, user = desk
    base = f"/staff/consultations/{c.slug}/inputs"
    post_form(client, f"{base}/tags", {"name": "Økonomi"})
    tag = db.session.scalar(select(Tag))
    # The whole filtered selection: the general comments only.
    post_form(client, f"{base}/tag?what=comment", {"scope": "all", "tag": str(tag.id)}, base + "/")
    tagged = db.session.scalars(select(input_tags.c.input_id)).all()
    assert sorted(tagged) == sorted(i.id for i in db.session.scalars(
        select(Input).where(Input.kind == InputKind.COMMENT)
    ))  # fmt: skip
    assert found(client, c, f"tag={tag.id}") == 2
    post_form(
        client, f"{base}/assign?what=letter", {"scope": "all", "assignee": str(user.id)}, base + "/"
    )
    assert the(InputKind.LETTER).assignee_id == user.id
    # A reply to the organisation's comment, approved by a colleague.
    comment = the(InputKind.COMMENT, COMMENT)
    url = f"{base}/{comment.id}"
    post_form(
        client,
        url,
        {"text": "Tak. Finansieringen beskrives i bilaget.", "disposition": "partly",
         "reason": "Økonomien aftales særskilt.", "ready": "y"},
    )  # fmt: skip
    reply = db.session.scalar(select(Reply))
    db.session.refresh(comment)
    assert comment.reply_id == reply.id and reply.state is ReplyState.DRAFTED
    colleague = app.test_client()
    sign_in(colleague, make_user(Role.SECRETARIAT))
    post_form(colleague, f"{base}/replies/{reply.id}/approve", {}, form_url=url)
    db.session.expire_all()
    assert db.session.get(Reply, reply.id).state is ReplyState.APPROVED
    assert found(client, c, "what=comment&state=approved") == 1
    assert "General comment" in client.get(url).get_data(as_text=True)


def test_goal_figures_keep_counting_input_on_goals_and_the_dashboard_says_the_rest(desk):
    client, c, _user = desk
    board = figures.dashboard(c)
    assert board.inputs == 2 and (board.comments, board.letters) == (2, 1)
    assert sum(board.reply_states.values()) == 2 and None not in board.goals
    html = client.get(f"/staff/consultations/{c.slug}/analysis/").get_data(as_text=True)
    words = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "2 inputs on goals" in words and "2 general comments · 1 letter" in words
    assert figures.goal(c, the_goal(c)).inputs == 1
    # What the memo and the exports page say still waits for a moderator: input on goals.
    from consult.readside import quotes

    assert sum(quotes.waiting_by_goal(c.id).values()) == 2
    assert None not in quotes.waiting_by_goal(c.id)


def the_goal(c) -> int:
    return db.session.scalar(select(Input.item_id).where(Input.kind == InputKind.GOAL).limit(1))


def test_duplicates_and_whole_consultation_themes_read_them(desk):
    _client, c, _user = desk
    statements = {the(InputKind.LETTER).id, the(InputKind.COMMENT, COMMENT).id}
    assert statements <= set(db.session.scalars(themes.scope_ids(c.id)))
    # A goal's scope has none of them.
    assert not statements & set(db.session.scalars(themes.scope_ids(c.id, the_goal(c))))
    texts = dict(duplicates._stream_inputs(c.id))
    assert statements <= texts.keys()


def test_a_letter_with_no_readable_text_is_still_taken(desk):
    _client, c, _user = desk
    organisation = make_response(
        c, type_code="municipality", organisation="Gribskov Kommune", submit=False
    )
    with_letter(organisation, PDF)  # a PDF with no page at all: nothing to read
    letter = db.session.scalar(
        select(Input).where(Input.response_id == organisation.id, Input.kind == InputKind.LETTER)
    )
    assert letter is not None and letter.text == ""
    # Replacing the letter keeps one letter input, with the new text; removing it removes it.
    with_letter(organisation, letter_pdf("Gribskov Kommune", [LETTER]))
    rows = db.session.scalars(
        select(Input).where(Input.response_id == organisation.id, Input.kind == InputKind.LETTER)
    ).all()
    assert len(rows) == 1 and "tolkebistand" in rows[0].text
    letters.detach_letter(organisation)
    assert (
        db.session.scalar(
            select(func.count()).where(
                Input.response_id == organisation.id, Input.kind == InputKind.LETTER
            )
        )
        == 0
    )


def test_the_browser_takes_a_fixed_number_of_queries_with_comments_and_letters(desk, count_queries):
    client, c, _user = desk
    url = f"/staff/consultations/{c.slug}/inputs/"
    with count_queries() as few:
        client.get(url)
    for n in range(6):
        response = make_response(
            c, comment=f"Kommentar nummer {n}.", type_code="municipality",
            organisation=f"Kommune {n}", submit=False,
        )  # fmt: skip
        with_letter(response, letter_pdf(f"Kommune {n}", [f"Brev nummer {n}."]))
        responding.submit_response(response, key=f"k-{n}")
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count


def test_letters_stored_before_their_text_was_read_are_read_by_the_cli(app, desk):
    letter = the(InputKind.LETTER)
    letter.text = ""  # as the migration leaves a letter uploaded before
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["consult", "letters", "read-text"])
    assert result.exit_code == 0 and "Letters read: 1, with text: 1." in result.output
    db.session.expire_all()
    assert "befordring" in the(InputKind.LETTER).text
    # Nothing left to read: a second run reads nothing.
    result = app.test_cli_runner().invoke(args=["consult", "letters", "read-text"])
    assert "Letters read: 0," in result.output


def test_a_sent_letter_replaced_keeps_its_input_and_goes_back_to_the_moderators(desk):
    letter = the(InputKind.LETTER)
    response = letter.response
    old_sha = response.letter.sha256
    with_letter(response, letter_pdf("Danske Patienter", ["Et nyt brev om hjemmeplejen."]))
    after = db.session.scalar(select(Contribution).where(Contribution.input_id == letter.id))
    db.session.refresh(letter)
    assert "hjemmeplejen" in letter.text and after.letter_id == response.letter.id
    assert after.fingerprint == response.letter.sha256 != old_sha  # the new file is reviewed
    letters.detach_letter(response)
    assert the(InputKind.LETTER) is None
    assert (
        db.session.scalar(
            select(func.count()).where(
                Contribution.response_id == response.id,
                Contribution.kind == ContributionKind.LETTER,
            )
        )
        == 0
    )
