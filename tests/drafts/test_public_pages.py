"""Public reading of a draft: list, overview, item pages, print view; drafts hidden."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine

from consult.drafts.models import Status
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in


def text(response) -> str:
    return response.get_data(as_text=True)


# Copenhagen's autumn: the 30 days to the deadline cross the end of summer time.
@time_machine.travel(datetime(2026, 10, 10, 21, 30, tzinfo=UTC), tick=False)
def test_front_page_groups_consultations_by_phase(client):
    open_ = make_consultation(title_en="Open one")
    upcoming = make_consultation(opens_in=timedelta(days=3), closes_in=timedelta(days=40))
    closed = make_consultation(
        status=Status.CLOSED, opens_in=-timedelta(days=60), closes_in=-timedelta(days=1)
    )
    past_deadline = make_consultation(opens_in=-timedelta(days=60), closes_in=-timedelta(minutes=1))
    draft = make_consultation(status=Status.DRAFT)
    html = text(client.get("/?lang=en"))
    open_at = html.index("Open for input</h2>")
    upcoming_at = html.index("Upcoming</h2>")
    closed_at = html.index("Closed</h2>")
    assert open_at < html.index(open_.title_en) < upcoming_at
    assert upcoming_at < html.index(upcoming.title_en) < closed_at
    assert closed_at < html.index(closed.title_en)
    assert closed_at < html.index(past_deadline.title_en)
    assert draft.title_en not in html
    assert "(30 days left)" in html


def test_danish_is_the_default_and_dates_are_danish(client):
    c = make_consultation(closes_in=timedelta(days=30))
    html = text(client.get("/"))
    assert '<html lang="da">' in html
    assert "Frist:" in html and " kl. " in html
    assert c.title_da in html


def test_overview_shows_the_whole_tree_with_toc(client):
    c = make_consultation(focus_areas=3, goals_per_area=2)
    html = text(client.get(f"/consultations/{c.slug}/?lang=en"))
    for key in ("vision-1", "principle-1", "fa-1", "fa-2", "fa-3"):
        assert f'id="{key}"' in html
    assert 'href="#fa-3"' in html
    assert f'href="/consultations/{c.slug}/items/fa-2-goal-2"' in html
    assert "How to take part" in html
    assert "Deadline:" in html


def test_goal_page_shows_alternatives_and_focus_area(client):
    c = make_consultation()
    html = text(client.get(f"/consultations/{c.slug}/items/fa-1-goal-1?lang=en"))
    assert "Wording A" in html and "Wording B" in html
    assert "EN Fokusområde 1" in html
    assert 'rel="next"' in html


def test_initiative_page_shows_political_goals_and_funds_in_locale(client):
    c = make_consultation()
    url = f"/consultations/{c.slug}/items/fa-1-initiative"
    assert "2.000.000 kr." in text(client.get(url + "?lang=da"))
    html = text(client.get(url + "?lang=en"))
    assert "2,000,000" in html
    # No English text for the political goal: shown in Danish, marked as Danish.
    assert '<span lang="da">Flere udskrives trygt</span>' in html


@pytest.mark.parametrize("key", ["fa-1", "vision-1", "no-such-item"])
def test_only_goals_and_initiatives_have_pages(client, key):
    c = make_consultation()
    assert client.get(f"/consultations/{c.slug}/items/{key}").status_code == 404


def test_print_view_has_every_item(client):
    c = make_consultation(focus_areas=2)
    html = text(client.get(f"/consultations/{c.slug}/print"))
    for title in ("Vision et", "Princip et", "Mål 2.2", "Indsats 2", "Formulering B"):
        assert title in html


@pytest.mark.parametrize("role", [None, "respondent"])
def test_a_draft_is_hidden_from_the_public(client, role):
    c = make_consultation(status=Status.DRAFT)
    if role:
        sign_in(client, make_user(role))
    for url in (
        f"/consultations/{c.slug}/",
        f"/consultations/{c.slug}/items/fa-1-goal-1",
        f"/consultations/{c.slug}/print",
    ):
        assert client.get(url).status_code == 404
    assert c.title_da not in text(client.get("/"))


@pytest.mark.parametrize("role", ["secretariat", "moderator", "facilitator", "admin"])
def test_staff_can_preview_a_draft(client, role):
    c = make_consultation(status=Status.DRAFT)
    sign_in(client, make_user(role))
    assert client.get(f"/consultations/{c.slug}/").status_code == 200
    assert c.title_da in text(client.get("/"))


def test_overview_query_count_does_not_grow_with_items(client, count_queries):
    small = make_consultation(focus_areas=1, goals_per_area=1)
    large = make_consultation(focus_areas=6, goals_per_area=8)
    counts = []
    for c in (small, large):
        for url in (
            f"/consultations/{c.slug}/",
            f"/consultations/{c.slug}/print",
            f"/consultations/{c.slug}/items/fa-1-goal-1",
        ):
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts.append(counter.count)
    assert counts[:3] == counts[3:], counts
    # The goal page also counts and shows its published input: two queries more.
    assert max(counts) <= 7, counts


def test_unknown_consultation_is_a_friendly_404(client):
    response = client.get("/consultations/nope/?lang=en")
    assert response.status_code == 404
    assert "Page not found" in text(response)
