"""Theme suggestions as a job: the secretariat's "Suggest themes" and "Split" buttons enqueue
it; it reads the scope's input, calls the engine and stores the suggestions."""

from __future__ import annotations

from consult import jobs
from consult.db import write_lock
from consult.extensions import db
from consult.themes import service
from consult.themes.models import SuggestionState
from consult.themes.models import ThemeRun
from consult.themes.models import ThemeSuggestion

KIND = service.KIND


@jobs.job(KIND)
def suggest_job(job, run_id: int, k: int | None = None, split_of: int | None = None) -> dict:
    """Suggest themes for a run (or split one of its suggestions) and store them.

    Safe to run twice: a run already stored, or a suggestion already split, is left alone,
    and a run cut short stores its suggestions again from the start.
    """
    run = db.session.get(ThemeRun, run_id)
    if run is None:
        return {"suggestions": 0}
    if split_of is not None:
        parent = db.session.get(ThemeSuggestion, split_of)
        if parent is None or parent.state is not SuggestionState.OPEN:
            return {"suggestions": 0}
        suggestions = service.compute_split(parent, k or 2)
        db.session.commit()  # read without SQLite's write lock (that may take a while)
        with write_lock():
            parent = db.session.get(ThemeSuggestion, split_of)
            if parent is None or parent.state is not SuggestionState.OPEN:
                return {"suggestions": 0}
            stored = service.store_split(parent, suggestions)
            db.session.commit()
        return {"suggestions": stored}
    if run.finished_at is not None:
        return {"suggestions": len(service.suggestions_of(run))}
    texts, suggestions = service.compute_run(
        run, lambda done, total: jobs.progress(job, done, total)
    )
    db.session.commit()
    with write_lock():
        run = db.session.get(ThemeRun, run_id)
        stored = service.store_run(run, suggestions, len(texts))
        db.session.commit()
    return {"suggestions": stored}
