"""The theme pages: ask, wait without JavaScript, review, decide; seeded themes; both languages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.extensions import db
from consult.jobs.models import Job
from consult.themes import service
from consult.themes.models import SuggestionState
from consult.themes.models import ThemeRun
from consult.themes.models import ThemeSuggestion
from tests.factories import post_form
from tests.factories import sign_in
from tests.themes.conftest import CPR
from tests.themes.conftest import THEMES
from tests.themes.conftest import UNPUBLISHED


@pytest.fixture
def staff(client, world):
    sign_in(client, world.secretariat)
    db.session.commit()
    client.get("/?lang=en")
    return client


def base(world) -> str:
    return f"/staff/consultations/{world.consultation.slug}/themes"


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def start_run(client, world, run_jobs, k="3") -> ThemeRun:
    response = post_form(client, f"{base(world)}/", {"scope": "", "k": k})
    assert response.status_code == 302
    run = db.session.scalars(select(ThemeRun).order_by(ThemeRun.id.desc())).first()
    assert response.headers["Location"].endswith(f"/themes/runs/{run.id}")
    page = html_of(client, f"{base(world)}/runs/{run.id}")
    assert "The engine is reading the input and looking for themes." in page
    assert f'<a href="{base(world)}/runs/{run.id}">Refresh the page' in page
    assert run_jobs() == 1
    db.session.expire_all()
    return db.session.get(ThemeRun, run.id)


def test_ask_wait_and_review_without_javascript(staff, world, run_jobs):
    page = html_of(staff, f"{base(world)}/")
    assert 'aria-current="page"' in page and "No suggestions asked for yet." in page
    run = start_run(staff, world, run_jobs)
    page = html_of(staff, f"{base(world)}/runs/{run.id}")
    suggestions = service.suggestions_of(run)
    assert len(suggestions) == 3
    for s in suggestions:
        assert f'<h2 id="theme-{s.id}">{s.words}</h2>' in page
        assert f"/themes/suggestions/{s.id}" in page
    # Quotes are moderated text only; the unpublished input (with its CPR number) never shows.
    quotes = re.findall(r'<blockquote class="quote">(.*?)</blockquote>', page, re.S)
    assert len(quotes) >= 3 and all(len(re.findall(r"/inputs/(\d+)", q)) == 1 for q in quotes)
    quoted = {int(re.search(r"/inputs/(\d+)", q).group(1)) for q in quotes}
    assert quoted <= world.published and world.secret not in quoted
    assert not any(UNPUBLISHED in q for q in quotes) and CPR not in page
    assert "Citizen:" in page and "Patient association:" in page
    # The list of runs shows it, with what is still open.
    assert "3 suggestions open" in html_of(staff, f"{base(world)}/")
    # One suggestion's inputs, linked to the staff input page, CPR numbers masked.
    secret_suggestion = next(s for s in suggestions if world.secret in service.member_ids_list(s))
    members = html_of(staff, f"{base(world)}/suggestions/{secret_suggestion.id}")
    assert f"/inputs/{world.secret}" in members and UNPUBLISHED in members
    assert CPR not in members and "[…]" in members


def test_decisions_from_the_page(staff, world, run_jobs):
    run = start_run(staff, world, run_jobs)
    first, second, third = service.suggestions_of(run)
    page = f"{base(world)}/runs/{run.id}"

    response = post_form(
        staff,
        f"{base(world)}/suggestions/{first.id}/accept",
        {f"s{first.id}-name": "Ventetid"},
        page,
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    html = html_of(staff, page)
    assert "Accepted: the tag »Ventetid« is on" in html
    tag = db.session.scalar(select(Tag).where(Tag.name == "Ventetid"))
    assert tag is not None and f"/inputs/?tag={tag.id}" in html
    tagged = set(
        db.session.scalars(select(input_tags.c.input_id).where(input_tags.c.tag_id == tag.id))
    )
    assert len(tagged) == first.size

    post_form(
        staff,
        f"{base(world)}/suggestions/{second.id}/rename",
        {f"s{second.id}-name": "Kørsel"},
        page,
    )
    assert f'<h2 id="theme-{second.id}">Kørsel</h2>' in html_of(staff, page)

    post_form(staff, f"{base(world)}/suggestions/{third.id}/reject", {}, page)
    db.session.expire_all()
    assert db.session.get(ThemeSuggestion, third.id).state is SuggestionState.REJECTED
    assert "Rejected: nothing was tagged." in html_of(staff, page)

    # A decided suggestion cannot be decided again.
    post_form(staff, f"{base(world)}/suggestions/{third.id}/reject", {}, page)
    assert "Someone has already decided on this suggestion." in html_of(staff, page)


def test_merge_and_split_from_the_page(staff, world, run_jobs):
    run = start_run(staff, world, run_jobs)
    first, second, third = service.suggestions_of(run)
    page = f"{base(world)}/runs/{run.id}"
    html = html_of(staff, page)
    assert 'name="merge_ids"' in html
    post_form(staff, f"{page}/merge", {"merge_ids": [first.id, second.id], "merge-name": ""}, page)
    assert "Merged into one suggestion of" in html_of(staff, page)
    db.session.expire_all()
    merged = db.session.get(ThemeSuggestion, first.id).merged_into_id
    assert merged and db.session.get(ThemeSuggestion, merged).size == first.size + second.size

    post_form(staff, f"{page}/merge", {"merge_ids": [third.id]}, page)
    assert "Tick two or more open suggestions to merge them." in html_of(staff, page)

    post_form(staff, f"{base(world)}/suggestions/{third.id}/split", {f"s{third.id}-k": "2"}, page)
    assert "The engine is splitting the suggestion." in html_of(staff, page)
    assert run_jobs() == 1
    db.session.expire_all()
    assert db.session.get(ThemeSuggestion, third.id).state is SuggestionState.SPLIT
    html = html_of(staff, page)
    assert (
        "Split into the suggestions below it" in html
        and html.count("Part of a split suggestion") == 2
    )


def test_seeded_from_the_browser_to_the_tag(staff, world):
    browse = f"/staff/consultations/{world.consultation.slug}/inputs/"
    assert "Use the ticked rows as examples of a theme" in html_of(staff, browse)
    waiting = world.by_theme[THEMES[0]]
    response = post_form(staff, f"{base(world)}/seed/examples", {"ids": waiting[1:4]}, browse)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "/themes/seed?" in location and all(f"ids={i}" in location for i in waiting[1:4])
    # No name yet: the page asks for one.
    assert "Give the theme a name." in html_of(staff, location)

    url = f"{base(world)}/seed?name=Ventetider&ids={waiting[1]}+{waiting[2]}&ids={waiting[3]}"
    html = html_of(staff, url)
    assert "Words that matched" in html and "inputs have words in common with the theme" in html
    ticks = [int(i) for i in re.findall(r'name="ids" value="(\d+)" id="tick-', html)]
    assert ticks and not set(ticks) & set(waiting[1:4])
    assert CPR not in html
    response = post_form(
        staff,
        f"{base(world)}/seed/apply",
        {"name": "Ventetider", "examples": waiting[1:4], "ids": ticks[:2]},
        url,
    )
    tag = db.session.scalar(select(Tag).where(Tag.name == "Ventetider"))
    assert response.headers["Location"].endswith(f"/inputs/?tag={tag.id}")
    tagged = set(
        db.session.scalars(select(input_tags.c.input_id).where(input_tags.c.tag_id == tag.id))
    )
    assert tagged == set(waiting[1:4]) | set(ticks[:2])
    assert "The tag »Ventetider« is on 5 more inputs." in html_of(
        staff, response.headers["Location"]
    )


def test_the_pages_in_danish(staff, world, run_jobs):
    staff.get("/?lang=da")
    html = html_of(staff, f"{base(world)}/")
    assert "Foreslå temaer" in html and "Temaforslag" in html
    post_form(staff, f"{base(world)}/", {"scope": "", "k": ""})
    run_jobs()
    run = db.session.scalars(select(ThemeRun)).one()
    html = html_of(staff, f"{base(world)}/runs/{run.id}")
    assert "Foreslåede temaer" in html and "Godkend som tema" in html and "Afvis" in html
    html = html_of(staff, f"{base(world)}/seed?name=Ventetider&ids={world.by_theme[THEMES[0]][1]}")
    assert "Ord der matchede" in html


def test_the_engine_choosing_k_and_a_failed_job(staff, world, run_jobs):
    post_form(staff, f"{base(world)}/", {"scope": "", "k": ""})
    run = db.session.scalars(select(ThemeRun)).one()
    assert run.k is None
    job = db.session.get(Job, run.job_id)
    job.state, job.error = type(job.state)("failed"), "boom"
    db.session.commit()
    assert "The engine failed." in html_of(staff, f"{base(world)}/runs/{run.id}")


def test_a_run_of_another_consultation_is_not_found(staff, world, run_jobs):
    from tests.factories import make_consultation

    other = make_consultation()
    db.session.commit()
    run = start_run(staff, world, run_jobs)
    s = service.suggestions_of(run)[0]
    other_base = f"/staff/consultations/{other.slug}/themes"
    assert staff.get(f"{other_base}/runs/{run.id}").status_code == 404
    assert staff.get(f"{other_base}/suggestions/{s.id}").status_code == 404
    response = post_form(staff, f"{other_base}/suggestions/{s.id}/reject", {}, f"{base(world)}/")
    assert response.status_code == 404
