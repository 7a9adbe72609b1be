"""The queue under the jobs: Huey, storing its queue where CONSULT_JOBS_URL says.

``sqlite:///…`` (the default: ``instance/jobs.db``, so ``make run`` needs no server),
``redis://…`` or ``postgresql://…`` in production, ``memory://`` in the tests. The queue only
carries job ids (and the names of scheduled jobs to run now); the Job rows say what to do.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask
from flask import current_app
from huey import Huey
from huey import MemoryHuey
from huey import PostgresHuey
from huey import RedisHuey
from huey import SqliteHuey
from sqlalchemy.engine import make_url

from consult.jobs import registry

#: Seconds to wait for the queue's server before calling it unreachable.
CONNECT_TIMEOUT = 5


def default_url(app: Flask) -> str:
    """The embedded default: a SQLite file beside the app's own under instance/."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / 'jobs.db'}"


def make_huey(url: str, name: str) -> Huey:
    """Return a Huey instance storing its queue at ``url``; no results are kept (Job rows are)."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    options = {"results": False, "utc": True}
    if scheme == "sqlite":
        path = make_url(url).database
        if not path:
            raise ValueError("CONSULT_JOBS_URL: a SQLite queue needs a file, sqlite:///path")
        return SqliteHuey(name, filename=path, timeout=CONNECT_TIMEOUT, **options)
    if scheme in ("redis", "rediss", "unix"):
        from redis import ConnectionPool

        # BRPOP waits one second at a time, so reads may take a little longer than that.
        pool = ConnectionPool.from_url(
            url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT + 5
        )
        return RedisHuey(name, connection_pool=pool, **options)
    if scheme in ("postgresql", "postgres"):
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresHuey(
            name, dsn=dsn, connect_timeout=CONNECT_TIMEOUT, table_prefix="huey", **options
        )
    if scheme == "memory":
        return MemoryHuey(name, **options)
    raise ValueError(f"CONSULT_JOBS_URL: no queue for {scheme!r} (sqlite, redis, postgresql)")


class _AppQueue:
    """One app's queue; Huey is made on first use (after gunicorn forks, never before)."""

    def __init__(self, app: Flask):
        self.app = app
        self.url = app.config.get("JOBS_URL") or default_url(app)
        self.name = app.config["JOBS_NAME"]
        self._huey: Huey | None = None
        self._tasks: dict = {}
        self._lock = threading.Lock()

    @property
    def huey(self) -> Huey:
        if self._huey is None:
            with self._lock:
                if self._huey is None:
                    self._huey = self._build()
        return self._huey

    def _build(self) -> Huey:
        from consult.jobs import runner

        app = self.app
        huey = make_huey(self.url, self.name)

        @huey.task(name="run_job")
        def run_job(job_id: int) -> None:
            with app.app_context():
                runner.run(job_id)

        @huey.task(name="run_scheduled")
        def run_scheduled(kind: str) -> None:
            with app.app_context():
                runner.run_scheduled(kind)

        for spec in registry.REGISTRY.values():
            if spec.schedule is not None:
                huey.periodic_task(spec.schedule, name=f"every_{spec.kind.replace('.', '_')}")(
                    _scheduled(app, spec.kind)
                )
        self._tasks = {"run_job": run_job, "run_scheduled": run_scheduled}
        return huey

    def _task(self, name: str):
        _ = self.huey  # made on first use
        return self._tasks[name]

    def dispatch(self, job_id: int, delay: float | None = None) -> None:
        """Hand a job's id to the workers, now or after ``delay`` seconds."""
        if delay:
            self._task("run_job").schedule(args=(job_id,), delay=delay)
        else:
            self._task("run_job")(job_id)

    def kick(self, kind: str) -> None:
        """Have a worker run the scheduled job ``kind`` now, without a Job row."""
        self._task("run_scheduled")(kind)

    def pending(self) -> int:
        """How many messages wait in the queue; raises when it cannot be reached."""
        return self.huey.pending_count()


def _scheduled(app: Flask, kind: str):
    def run_on_schedule() -> None:
        from consult.jobs import runner

        with app.app_context():
            runner.run_scheduled(kind)

    run_on_schedule.__doc__ = f"Run {kind} on its schedule."
    return run_on_schedule


class JobQueue:
    """The extension: ``job_queue.init_app(app)``; then ``job_queue.current`` in a context."""

    def init_app(self, app: Flask) -> None:
        app.config.setdefault("JOBS_URL", None)
        app.config.setdefault("JOBS_NAME", "consult")
        registry.load(app.config.get("JOBS_IMPORTS") or ())
        app.extensions["consult.jobs"] = _AppQueue(app)

    @property
    def current(self) -> _AppQueue:
        return current_app.extensions["consult.jobs"]

    def of(self, app: Flask) -> _AppQueue:
        return app.extensions["consult.jobs"]


job_queue = JobQueue()
