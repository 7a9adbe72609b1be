"""Theme suggestions for the secretariat: runs stored for review, decisions made by a person.

- ``request_run`` stores a run and hands it to a worker (``consult.themes.jobs``), which
  reads the scope's input as staff may read it (CPR numbers masked), calls the engine and
  stores the suggestions (``compute_run``, ``compute_split``).
- A person then accepts (a tag on the members, with the name given), renames, merges,
  splits (the engine again, on the members) or rejects each suggestion; every decision goes
  to the audit log.
- Seeded: ``seed_matches`` ranks the scope's input against a named theme and its examples;
  ``apply_seeded`` tags the ones a person ticked.

Services flush and never commit; the engine itself reads no table (``consult.themes``).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update

from consult import jobs
from consult.analysis import services as analysis
from consult.analysis.figures import submitted
from consult.analysis.models import Tag
from consult.audit import services as audit
from consult.db import utcnow
from consult.drafts.models import Item
from consult.extensions import db
from consult.readside import quotes as quoting
from consult.readside import staff
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.sanitize import clean_text
from consult.themes.models import SuggestionState
from consult.themes.models import ThemeRun
from consult.themes.models import ThemeSuggestion
from consult.themes.models import theme_suggestion_inputs as members

KIND = "themes.suggest"
#: The k a person may ask for (None: the engine chooses from 4 to 14).
K_CHOICES = range(2, 21)
#: A suggestion needs this many members to be split.
SPLIT_MIN = 4
#: Rows per fetch when reading a scope's input (and per progress report).
CHUNK = 2000
NAME_MAX = 80

Progress = Callable[[int, int | None], None]


class ThemeError(ValueError):
    """A decision the rules do not allow; ``code`` says which, for a translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def topic(run: ThemeRun) -> str:
    return f"theme_run:{run.id}"


# --- reading the scope


def scope_item_ids(consultation_id: int, item_id: int | None) -> list[int] | None:
    """The items a scope covers: a goal, a focus area with its goals, or None (everything)."""
    if item_id is None:
        return None
    item = db.session.get(Item, item_id)
    if item is None or item.consultation_id != consultation_id:
        raise ThemeError("scope")
    children = db.session.scalars(select(Item.id).where(Item.parent_id == item_id)).all()
    return [item_id, *children]


def scope_ids(consultation_id: int, item_id: int | None = None):
    """A select of the ids of the submitted input with text in a scope."""
    query = (
        select(Input.id)
        .join(Response, Response.id == Input.response_id)
        .where(submitted(consultation_id), Input.text != "")
    )
    items = scope_item_ids(consultation_id, item_id)
    if items is not None:
        query = query.where(Input.item_id.in_(items))
    return query


def read_texts(ids, progress: Progress | None = None) -> list[tuple[int, str]]:
    """Return ``[(id, text)]`` for the ids ``ids`` selects, as staff may read them."""
    total = db.session.scalar(select(func.count()).select_from(ids.subquery()))
    out: list[tuple[int, str]] = []
    rows = db.session.execute(
        select(Input.id, Input.text).where(Input.id.in_(ids)).order_by(Input.id),
        execution_options={"yield_per": CHUNK},
    )
    for id_, text in rows:
        out.append((id_, staff.text(text)))
        if progress is not None and len(out) % CHUNK == 0:
            progress(len(out), total)
    if progress is not None:
        progress(len(out), total)
    return out


# --- runs


def request_run(consultation, actor, *, item_id: int | None = None, k: int | None = None):
    """Store a run for a scope and hand it to a worker; return it (flushed)."""
    scope_item_ids(consultation.id, item_id)  # refuses an item of another consultation
    if k is not None and k not in K_CHOICES:
        raise ThemeError("k")
    count = db.session.scalar(
        select(func.count()).select_from(scope_ids(consultation.id, item_id).subquery())
    )
    if not count:
        raise ThemeError("empty")
    run = ThemeRun(
        consultation_id=consultation.id,
        item_id=item_id,
        k=k,
        input_count=count,
        requested_by_id=actor.id,
    )
    db.session.add(run)
    db.session.flush()
    job = jobs.enqueue(KIND, topic=topic(run), requested_by=actor, run_id=run.id, k=k)
    run.job_id = job.id
    audit.record(actor, "themes.request", "theme_run", run.id, consultation_id=consultation.id, k=k)
    db.session.flush()
    return run


def _store(run: ThemeRun, themes, parent: ThemeSuggestion | None = None) -> int:
    for number, theme in enumerate(themes):
        suggestion = ThemeSuggestion(
            run_id=run.id,
            parent_id=parent.id if parent is not None else None,
            # The parts of a split suggestion stand where it stood.
            position=parent.position if parent is not None else number,
            words=", ".join(theme.words),
            size=theme.size,
        )
        db.session.add(suggestion)
        db.session.flush()
        rows = [
            {"suggestion_id": suggestion.id, "input_id": id_, "score": theme.scores[id_]}
            for id_ in theme.ids
        ]
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(members), rows[start : start + CHUNK])
    return len(themes)


def compute_run(run: ThemeRun, progress: Progress | None = None) -> tuple[list[tuple], object]:
    """Read the run's input and ask the engine (no writes): return the texts and suggestions."""
    from consult.themes import suggest_themes  # scikit-learn: loaded when first used

    texts = read_texts(scope_ids(run.consultation_id, run.item_id), progress)
    return texts, suggest_themes(texts, k=run.k)


def store_run(run: ThemeRun, suggestions, input_count: int) -> int:
    """Store the engine's suggestions for ``run``, replacing any a former attempt stored."""
    db.session.execute(delete(ThemeSuggestion).where(ThemeSuggestion.run_id == run.id))
    stored = _store(run, suggestions.themes)
    run.k_used = suggestions.k
    run.unassigned = len(suggestions.unassigned)
    run.input_count = input_count
    run.finished_at = utcnow()
    db.session.flush()
    return stored


def request_split(suggestion: ThemeSuggestion, actor, k: int) -> None:
    """Have a worker run the engine again on the suggestion's members, into ``k`` parts."""
    _open(suggestion)
    if k not in K_CHOICES:
        raise ThemeError("k")
    if suggestion.size < max(SPLIT_MIN, k):
        raise ThemeError("too_small")
    run = suggestion.run
    if jobs.active(KIND, topic(run)) is not None:
        raise ThemeError("busy")
    job = jobs.enqueue(
        KIND, topic=topic(run), requested_by=actor, run_id=run.id, k=k, split_of=suggestion.id
    )
    run.job_id = job.id
    audit.record(
        actor,
        "themes.split",
        "theme_suggestion",
        suggestion.id,
        consultation_id=run.consultation_id,
        k=k,
    )
    db.session.flush()


def member_ids(suggestion: ThemeSuggestion):
    return select(members.c.input_id).where(members.c.suggestion_id == suggestion.id)


def member_ids_list(suggestion: ThemeSuggestion) -> list[int]:
    return list(db.session.scalars(member_ids(suggestion)))


def compute_split(suggestion: ThemeSuggestion, k: int):
    from consult.themes import suggest_themes

    texts = read_texts(member_ids(suggestion))
    return suggest_themes(texts, k=k)


def store_split(suggestion: ThemeSuggestion, suggestions) -> int:
    """Store the parts of a split suggestion (replacing a former attempt's) and mark it split."""
    db.session.execute(delete(ThemeSuggestion).where(ThemeSuggestion.parent_id == suggestion.id))
    stored = _store(suggestion.run, suggestions.themes, parent=suggestion)
    suggestion.state = SuggestionState.SPLIT
    db.session.flush()
    return stored


# --- decisions


def _open(suggestion: ThemeSuggestion) -> None:
    if suggestion.state is not SuggestionState.OPEN:
        raise ThemeError("decided")


def _name(name: str) -> str:
    name = clean_text(name or "", multiline=False)[:NAME_MAX].strip()
    if not name:
        raise ThemeError("name")
    return name


def _decided(suggestion: ThemeSuggestion, state: SuggestionState, actor) -> None:
    suggestion.state = state
    suggestion.decided_by_id = actor.id
    suggestion.decided_at = utcnow()


def tag_named(consultation_id: int, name: str) -> Tag:
    """The consultation's tag of that name (whatever its case), made when there is none."""
    tag = db.session.scalar(
        select(Tag).where(
            Tag.consultation_id == consultation_id, func.lower(Tag.name) == name.lower()
        )
    )
    return tag or analysis.create_tag(consultation_id, name)


def accept(suggestion: ThemeSuggestion, actor, name: str) -> int:
    """Make the suggestion a theme: a tag called ``name`` on every member; return how many
    inputs got it (an existing tag of that name is reused)."""
    _open(suggestion)
    name = _name(name)
    run = suggestion.run
    tag = tag_named(run.consultation_id, name)
    added = analysis.tag_inputs(tag, member_ids(suggestion))
    suggestion.name, suggestion.tag_id = name, tag.id
    _decided(suggestion, SuggestionState.ACCEPTED, actor)
    audit.record(
        actor,
        "themes.accept",
        "theme_suggestion",
        suggestion.id,
        consultation_id=run.consultation_id,
        tag=tag.id,
        inputs=added,
    )
    db.session.flush()
    return added


def rename(suggestion: ThemeSuggestion, actor, name: str) -> None:
    """Give the suggestion a name; once accepted, its tag is renamed too."""
    name = _name(name)
    if suggestion.state not in (SuggestionState.OPEN, SuggestionState.ACCEPTED):
        raise ThemeError("decided")
    run = suggestion.run
    tag = suggestion.tag
    if tag is not None and tag.name.lower() != name.lower():
        taken = db.session.scalar(
            select(Tag.id).where(
                Tag.consultation_id == run.consultation_id, func.lower(Tag.name) == name.lower()
            )
        )
        if taken:
            raise ThemeError("tag_taken")
    if tag is not None:
        tag.name = name
    audit.record(
        actor,
        "themes.rename",
        "theme_suggestion",
        suggestion.id,
        consultation_id=run.consultation_id,
        note=name,
    )
    suggestion.name = name
    db.session.flush()


def reject(suggestion: ThemeSuggestion, actor) -> None:
    _open(suggestion)
    _decided(suggestion, SuggestionState.REJECTED, actor)
    audit.record(
        actor,
        "themes.reject",
        "theme_suggestion",
        suggestion.id,
        consultation_id=suggestion.run.consultation_id,
    )
    db.session.flush()


def merge(suggestions: list[ThemeSuggestion], actor, name: str = "") -> ThemeSuggestion:
    """Merge two or more open suggestions of one run into a new one; return it.

    Its members are all of theirs (an input in two keeps its better score); its words are
    theirs, each suggestion's best first.
    """
    if len({s.id for s in suggestions}) < 2:
        raise ThemeError("merge_two")
    run = suggestions[0].run
    for suggestion in suggestions:
        _open(suggestion)
        if suggestion.run_id != run.id:
            raise ThemeError("scope")
    words: list[str] = []
    lists = [[w for w in s.words.split(", ") if w] for s in suggestions]
    for rank in range(max(len(w) for w in lists)):
        for ws in lists:
            if rank < len(ws) and ws[rank] not in words:
                words.append(ws[rank])
    merged = ThemeSuggestion(
        run_id=run.id,
        position=min(s.position for s in suggestions),
        words=", ".join(words[:6]),
        name=_name(name) if name.strip() else "",
    )
    db.session.add(merged)
    db.session.flush()
    ids = [s.id for s in suggestions]
    best = (
        select(members.c.input_id, func.max(members.c.score).label("score"))
        .where(members.c.suggestion_id.in_(ids))
        .group_by(members.c.input_id)
        .subquery()
    )
    db.session.execute(
        insert(members).from_select(
            ["suggestion_id", "input_id", "score"],
            select(merged.id, best.c.input_id, best.c.score),
        )
    )
    merged.size = db.session.scalar(
        select(func.count()).where(members.c.suggestion_id == merged.id)
    )
    db.session.execute(
        update(ThemeSuggestion)
        .where(ThemeSuggestion.id.in_(ids))
        .values(
            state=SuggestionState.MERGED,
            merged_into_id=merged.id,
            decided_by_id=actor.id,
            decided_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    audit.record(
        actor,
        "themes.merge",
        "theme_suggestion",
        merged.id,
        consultation_id=run.consultation_id,
        merged=ids,
    )
    db.session.flush()
    db.session.expire_all()
    return merged


# --- what a run's page shows


def suggestions_of(run: ThemeRun) -> list[ThemeSuggestion]:
    """Every suggestion of the run: open ones first, in the engine's order."""
    found = db.session.scalars(
        select(ThemeSuggestion)
        .where(ThemeSuggestion.run_id == run.id)
        .order_by(ThemeSuggestion.position, ThemeSuggestion.id)
    ).all()
    order = {SuggestionState.OPEN: 0, SuggestionState.ACCEPTED: 1}
    return sorted(found, key=lambda s: order.get(s.state, 2))


def by_group(suggestion_ids: Iterable[int]) -> dict[int, list[tuple[int | None, int]]]:
    """Each suggestion's members counted by respondent group (type id; None: a session's
    groups), largest first, in one query."""
    ids = list(suggestion_ids)
    out: dict[int, list[tuple[int | None, int]]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = db.session.execute(
        select(members.c.suggestion_id, Respondent.respondent_type_id, func.count())
        .join(Input, Input.id == members.c.input_id)
        .join(Response, Response.id == Input.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(members.c.suggestion_id.in_(ids))
        .group_by(members.c.suggestion_id, Respondent.respondent_type_id)
    ).all()
    for suggestion_id, type_id, n in rows:
        out[suggestion_id].append((type_id, n))
    for counts in out.values():
        counts.sort(key=lambda pair: (-pair[1], pair[0] or 0))
    return out


def quotes_of(suggestion_ids: Iterable[int]) -> dict[int, list[quoting.RankedQuote]]:
    """The three best-fitting members of each suggestion that may be quoted (moderated)."""
    ranked = select(
        members.c.suggestion_id.label("group_id"),
        members.c.input_id.label("input_id"),
        members.c.score.label("score"),
    ).where(members.c.suggestion_id.in_(list(suggestion_ids)))
    return quoting.best_published(ranked, per_group=3)


def members_page(suggestion: ThemeSuggestion):
    """A select of the suggestion's inputs, best fit first."""
    return (
        select(Input)
        .join(members, members.c.input_id == Input.id)
        .where(members.c.suggestion_id == suggestion.id)
        .order_by(members.c.score.desc(), Input.id)
    )


def scores(suggestion: ThemeSuggestion, input_ids: list[int]) -> dict[int, float]:
    """How well each of these members fits the suggestion, 0..1."""
    return dict(
        db.session.execute(
            select(members.c.input_id, members.c.score).where(
                members.c.suggestion_id == suggestion.id, members.c.input_id.in_(input_ids)
            )
        ).all()
    )


# --- seeded


@dataclass
class Seeded:
    """A named theme's examples, and the rest of the scope ranked by fit."""

    name: str
    examples: list[int]
    #: Every other input of the scope that has usable words, best fit first.
    matches: list
    #: Inputs in the scope in all (examples included).
    scope_size: int


def seed_matches(
    consultation_id: int, name: str, example_ids: list[int], item_id: int | None = None
) -> Seeded:
    """Rank the scope's input by how well it fits the theme ``name`` and its examples."""
    name = _name(name)
    if not example_ids:
        raise ThemeError("examples")
    texts = read_texts(scope_ids(consultation_id, item_id))
    known = {id_ for id_, _ in texts}
    examples = [i for i in dict.fromkeys(example_ids) if i in known]
    if len(examples) != len(set(example_ids)):
        raise ThemeError("example_scope")
    # Words only: this runs in the request, and the language model can take a minute on a
    # busy server at 1,000 inputs (docs/analysis.md, Speed); suggestions use it in a job.
    from consult.themes import match_themes

    found = match_themes(texts, {name: examples}, semantic=False)
    ranked = sorted((m for m in found if m.theme is not None), key=lambda m: (-m.score, m.id))
    return Seeded(name=name, examples=examples, matches=ranked, scope_size=len(texts))


def apply_seeded(consultation_id: int, actor, name: str, ids: list[int]) -> tuple[Tag, int]:
    """Put the tag ``name`` on the inputs a person ticked (of this consultation's submitted
    input); return the tag and how many got it."""
    name = _name(name)
    if not ids:
        raise ThemeError("nothing")
    tag = tag_named(consultation_id, name)
    chosen = scope_ids(consultation_id).where(Input.id.in_(ids))
    added = analysis.tag_inputs(tag, chosen)
    audit.record(
        actor,
        "themes.apply_seeded",
        "tag",
        tag.id,
        consultation_id=consultation_id,
        inputs=added,
        ticked=len(ids),
    )
    db.session.flush()
    return tag, added
