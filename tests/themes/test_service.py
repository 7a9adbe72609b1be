"""The theme service: runs stored by a job, a person's decisions, quotes, seeded themes."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.audit.models import AuditEvent
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.extensions import db
from consult.responses.models import Input
from consult.themes import service
from consult.themes.jobs import suggest_job
from consult.themes.models import SuggestionState
from consult.themes.models import ThemeSuggestion
from consult.themes.models import theme_suggestion_inputs
from tests.factories import make_consultation
from tests.factories import make_response
from tests.themes.conftest import CPR
from tests.themes.conftest import THEMES
from tests.themes.conftest import UNPUBLISHED


def members_of(suggestion) -> set[int]:
    return set(
        db.session.scalars(
            select(theme_suggestion_inputs.c.input_id).where(
                theme_suggestion_inputs.c.suggestion_id == suggestion.id
            )
        )
    )


def tagged(tag_id: int) -> set[int]:
    return set(
        db.session.scalars(select(input_tags.c.input_id).where(input_tags.c.tag_id == tag_id))
    )


def actions() -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.action.startswith("themes."))
            .order_by(AuditEvent.id)
        )
    )


@pytest.fixture
def run(world, run_jobs):
    run = service.request_run(world.consultation, world.secretariat, k=3)
    db.session.commit()
    assert service.suggestions_of(run) == []  # nothing before a worker has run it
    assert run_jobs() == 1
    db.session.expire_all()
    job = db.session.get(type(run), run.id).job
    assert job.state.value == "done", (job.state, job.error)
    return db.session.get(type(run), run.id)


def test_a_run_stores_every_input_in_one_suggestion(world, run):
    everyone = {i for ids in world.by_theme.values() for i in ids}
    suggestions = service.suggestions_of(run)
    assert run.finished_at is not None and run.k_used == 3 and len(suggestions) == 3
    assert run.input_count == len(everyone) == 24
    seen = [i for s in suggestions for i in members_of(s)]
    assert len(seen) == len(set(seen)) and set(seen) | set() <= everyone
    assert len(seen) + run.unassigned == 24
    assert all(s.size == len(members_of(s)) and s.words for s in suggestions)
    assert all(s.state is SuggestionState.OPEN for s in suggestions)
    assert actions() == ["themes.request"]


def test_the_job_is_safe_to_run_twice(world, run):
    before = [(s.id, s.words, s.size) for s in service.suggestions_of(run)]
    assert suggest_job(None, run_id=run.id, k=3) == {"suggestions": 3}
    assert [(s.id, s.words, s.size) for s in service.suggestions_of(run)] == before


def test_a_scope_of_one_goal_reads_only_its_input(world, run_jobs):
    tree = load_tree(current_version(world.consultation))
    goal = tree.by_key["fa-1-goal-1"].item.id
    area = tree.by_key["fa-1"].item.id
    assert (
        db.session.scalar(
            select(func.count()).select_from(
                service.scope_ids(world.consultation.id, goal).subquery()
            )
        )
        == 12
    )
    # A focus area covers its goals.
    run = service.request_run(world.consultation, world.secretariat, item_id=area)
    assert run.input_count == 12
    db.session.commit()
    run_jobs()
    members = {i for s in service.suggestions_of(run) for i in members_of(s)}
    assert members <= set(db.session.scalars(service.scope_ids(world.consultation.id, goal)))


def test_requests_the_rules_refuse(world):
    other = make_consultation()

    foreign = load_tree(current_version(other)).by_key["fa-1-goal-1"].item.id
    for kwargs, code in (({"item_id": foreign}, "scope"), ({"k": 1}, "k"), ({"k": 99}, "k")):
        with pytest.raises(service.ThemeError) as error:
            service.request_run(world.consultation, world.secretariat, **kwargs)
        assert error.value.code == code
    with pytest.raises(service.ThemeError) as error:
        service.request_run(other, world.secretariat)
    assert error.value.code == "empty"


def test_accept_tags_the_members_with_the_name_given(world, run):
    first, second, _third = service.suggestions_of(run)
    n = service.accept(first, world.secretariat, "  Ventetider ")
    tag = db.session.get(Tag, first.tag_id)
    assert (tag.name, first.name, first.state) == (
        "Ventetider",
        "Ventetider",
        SuggestionState.ACCEPTED,
    )
    assert tagged(tag.id) == members_of(first) and n == first.size
    # The same name again (any case) adds to that tag instead of making a second one.
    service.accept(second, world.secretariat, "ventetider")
    assert second.tag_id == tag.id and tagged(tag.id) == members_of(first) | members_of(second)
    with pytest.raises(service.ThemeError) as error:
        service.accept(first, world.secretariat, "Igen")
    assert error.value.code == "decided"
    with pytest.raises(service.ThemeError) as error:
        service.accept(_third, world.secretariat, "   ")
    assert error.value.code == "name"
    assert actions() == ["themes.request", "themes.accept", "themes.accept"]


def test_rename_before_and_after_accepting(world, run):
    first, second, _third = service.suggestions_of(run)
    service.rename(first, world.secretariat, "Lange ventetider")
    assert first.name == "Lange ventetider" and first.tag_id is None
    service.accept(first, world.secretariat, first.name)
    service.rename(first, world.secretariat, "Ventetid")
    assert db.session.get(Tag, first.tag_id).name == "Ventetid"
    service.accept(second, world.secretariat, "Transport")
    with pytest.raises(service.ThemeError) as error:
        service.rename(first, world.secretariat, "transport")
    assert error.value.code == "tag_taken"
    assert actions().count("themes.rename") == 2


def test_reject_tags_nothing(world, run):
    first = service.suggestions_of(run)[0]
    service.reject(first, world.secretariat)
    assert first.state is SuggestionState.REJECTED and first.decided_by_id == world.secretariat.id
    assert db.session.scalar(select(func.count()).select_from(input_tags)) == 0
    with pytest.raises(service.ThemeError):
        service.reject(first, world.secretariat)


def test_merge_makes_one_suggestion_of_all_their_inputs(world, run):
    first, second, third = service.suggestions_of(run)
    union = members_of(first) | members_of(second)
    merged = service.merge([first, second], world.secretariat, "Ventetid og transport")
    assert members_of(merged) == union and merged.size == len(union)
    assert merged.name == "Ventetid og transport" and merged.state is SuggestionState.OPEN
    first, second = (
        db.session.get(ThemeSuggestion, first.id),
        db.session.get(ThemeSuggestion, second.id),
    )
    assert {first.state, second.state} == {SuggestionState.MERGED}
    assert first.merged_into_id == merged.id
    assert set(merged.words.split(", ")) >= {
        first.words.split(", ")[0],
        second.words.split(", ")[0],
    }
    for chosen in ([third], [third, third], [first, third]):
        with pytest.raises(service.ThemeError):
            service.merge(chosen, world.secretariat)
    assert actions()[-1] == "themes.merge"


def test_split_runs_the_engine_again_on_the_members(world, run, run_jobs):
    first = service.suggestions_of(run)[0]
    service.request_split(first, world.secretariat, 2)
    db.session.commit()
    with pytest.raises(service.ThemeError) as error:  # one thing at a time per run
        service.request_split(service.suggestions_of(run)[1], world.secretariat, 2)
    assert error.value.code == "busy"
    db.session.rollback()
    assert run_jobs() == 1
    first = db.session.get(ThemeSuggestion, first.id)
    parts = db.session.scalars(
        select(ThemeSuggestion).where(ThemeSuggestion.parent_id == first.id)
    ).all()
    assert first.state is SuggestionState.SPLIT and len(parts) == 2
    assert set().union(*(members_of(p) for p in parts)) <= members_of(first)
    assert sum(p.size for p in parts) <= first.size
    assert all(p.state is SuggestionState.OPEN for p in parts)
    # Run again (a worker died after storing): nothing changes.
    assert suggest_job(None, run_id=run.id, k=2, split_of=first.id) == {"suggestions": 0}
    tiny = parts[-1]
    with pytest.raises(service.ThemeError) as error:
        service.request_split(tiny, world.secretariat, 6)
    assert error.value.code == "too_small"


def test_quotes_are_published_text_only_and_groups_add_up(world, run):
    suggestions = service.suggestions_of(run)
    quotes = service.quotes_of([s.id for s in suggestions])
    quoted = [q for qs in quotes.values() for q in qs]
    assert quoted and all(q.input_id in world.published for q in quoted)
    assert all(len(qs) <= 3 for qs in quotes.values())
    assert not any(UNPUBLISHED in q.text or CPR in q.text for q in quoted)
    groups = service.by_group([s.id for s in suggestions])
    assert all(sum(n for _t, n in groups[s.id]) == s.size for s in suggestions)
    assert all(len(groups[s.id]) == 2 for s in suggestions if s.size > 3)


def test_the_engine_reads_staff_text_with_cpr_numbers_masked(world):
    texts = dict(service.read_texts(service.scope_ids(world.consultation.id)))
    assert UNPUBLISHED in texts[world.secret] and CPR not in texts[world.secret]


def test_seeded_ranks_the_rest_and_says_why(world):
    waiting = world.by_theme[THEMES[0]]
    seeded = service.seed_matches(world.consultation.id, "Ventetider", waiting[1:4])
    assert seeded.scope_size == 24 and seeded.examples == waiting[1:4]
    ranked = [m.id for m in seeded.matches]
    assert not set(waiting[1:4]) & set(ranked)
    scores = [m.score for m in seeded.matches]
    assert scores == sorted(scores, reverse=True)
    # The other waiting-time inputs rank above the rest on the whole.
    top = set(ranked[:5])
    assert len(top & set(waiting)) >= 3
    assert all(m.words for m in seeded.matches[:5])
    for args, code in (
        (("", waiting[:1]), "name"),
        (("X", []), "examples"),
        (("X", [10**9]), "example_scope"),
    ):
        with pytest.raises(service.ThemeError) as error:
            service.seed_matches(world.consultation.id, *args)
        assert error.value.code == code


def test_apply_seeded_tags_only_this_consultations_input(world):
    other = make_response(make_consultation(), {"fa-1-goal-1": "Ventetiden er lang."})
    foreign = db.session.scalar(select(Input.id).where(Input.response_id == other.id))
    ids = world.by_theme[THEMES[0]][:3] + [foreign]
    tag, n = service.apply_seeded(world.consultation.id, world.secretariat, "Ventetider", ids)
    assert n == 3 and tagged(tag.id) == set(ids[:3])
    assert actions() == ["themes.apply_seeded"]
    with pytest.raises(service.ThemeError):
        service.apply_seeded(world.consultation.id, world.secretariat, "Ventetider", [])
