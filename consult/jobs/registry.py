"""Job functions by kind: ``@job("area.verb")`` registers one; the worker and the web look it up.

Every area keeps its job functions in ``<area>/jobs.py`` (listed in JOB_MODULES), so the web
process, which only enqueues, and the worker, which runs them, know the same kinds.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: Modules holding @job functions; imported by create_app (and CONSULT_JOBS_IMPORTS adds more).
JOB_MODULES = (
    "consult.jobs.sweep",
    "consult.mail.jobs",
    "consult.invitations.jobs",
    "consult.analysis.jobs",
    "consult.analysis.cube",
    "consult.exports.report_jobs",
    "consult.exports.jobs",
    "consult.drafts.jobs",
    "consult.privacy.jobs",
    "consult.themes.jobs",
)


@dataclass(frozen=True)
class JobSpec:
    kind: str
    #: ``func(job, **args)``: ``job`` is the Job row as claimed (detached), or None when the
    #: function runs on its schedule or after a kick, without a row.
    func: Callable[..., Any]
    max_attempts: int
    #: ``schedule(datetime) -> bool`` (huey's crontab): every worker also runs it on this
    #: schedule, so it must be cheap when there is nothing to do and safe to run side by side.
    schedule: Callable[[datetime], bool] | None


REGISTRY: dict[str, JobSpec] = {}


def job(
    kind: str,
    *,
    max_attempts: int = 3,
    schedule: Callable[[datetime], bool] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the job ``kind``.

    The function is called as ``func(job, **args)`` and may run more than once for one job (a
    worker that dies mid-way leaves it to the next): every run must leave the same result.

    :param kind: a dotted name, ``"<area>.<verb>"``.
    :param max_attempts: runs before the job is marked failed.
    :param schedule: also run it on this schedule (``crontab(minute="*")``), with ``job=None``.
    """

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        existing = REGISTRY.get(kind)
        if existing is not None and existing.func is not func:
            raise ValueError(f"job kind {kind!r} is registered twice")
        REGISTRY[kind] = JobSpec(kind, func, max_attempts, schedule)
        return func

    return register


def spec(kind: str) -> JobSpec:
    """Return the registered job ``kind``; KeyError names the kinds there are."""
    try:
        return REGISTRY[kind]
    except KeyError:
        raise KeyError(f"no job kind {kind!r}; known: {sorted(REGISTRY)}") from None


def load(extra: list[str] | tuple[str, ...] = ()) -> None:
    """Import the modules that register job functions."""
    for name in (*JOB_MODULES, *extra):
        importlib.import_module(name)
