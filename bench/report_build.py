"""The public report built as a job. Run: .venv/bin/python -m bench.report_build [--inputs 10000].

Fills a scratch database with ``--inputs`` synthetic inputs (bench/generate.py) on the open
demo, publishes the consultation (which queues the build, consult/exports/report_jobs.py) and
runs that job here, as a worker would, timing each step (memo, PDF, DOCX per language). Then
reads the report page and the PDF from storage, and runs the job once more (nothing to do),
for the ratios against the build in the same run. Results go in docs/performance.md; no test
asserts a time.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bench.generate import _ensure_database
from bench.generate import generate
from bench.generate import prepare
from consult import create_app
from consult.config import TestConfig
from consult.db import utcnow
from consult.demo import OPEN_DEMO
from consult.drafts.models import Status
from consult.drafts.services import get_consultation
from consult.extensions import db


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_get(client, url: str, times: int = 5) -> tuple[float, int, int]:
    """Median seconds of ``times`` GETs of ``url``; the status and size of the last."""
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        response.close()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent), response.status_code, len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite file)")
    parser.add_argument("--storage", default="local", help="FILE_STORAGE: local or database")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    url = args.db or f"sqlite:///{scratch / 'bench.db'}"
    _ensure_database(url)
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "FILE_STORAGE": args.storage,
        "FILE_DIR": str(scratch / "files"),
        "SERVER_NAME": None,
        "RATELIMIT_ENABLED": False,
    }
    app = create_app(type("Bench", (TestConfig,), settings))
    with app.app_context():
        from flask_migrate import upgrade

        from consult import jobs
        from consult.exports import report_jobs
        from consult.jobs import runner

        upgrade()
        prepare(60)
        generate(args.inputs, seed=7)
        consultation = get_consultation(OPEN_DEMO)
        consultation.status = Status.PUBLISHED
        consultation.closes_at = utcnow() - timedelta(days=1)
        db.session.commit()  # queues the build
        job = db.session.scalar(
            select(jobs.Job).where(jobs.Job.kind == report_jobs.KIND).order_by(jobs.Job.id.desc())
        )
        steps = ["memo da", "PDF da", "DOCX da", "memo en", "PDF en", "DOCX en"]
        marks: list[float] = []
        start = time.perf_counter()
        cpu = time.process_time()
        runner.run(job.id, on_progress=lambda done, total: marks.append(time.perf_counter()))
        built, built_cpu = time.perf_counter() - start, time.process_time() - cpu
        job = db.session.get(jobs.Job, job.id, populate_existing=True)
        print(f"{args.inputs:,} inputs, storage {args.storage}, database {url.split(':')[0]}")
        print(f"job {job.state.value} {job.result}: {built:.1f} s wall, {built_cpu:.1f} s CPU")
        previous = start
        for name, mark in zip(steps, marks, strict=False):
            print(f"  {name:<8}{mark - previous:>8.1f} s")
            previous = mark
        from consult import storage

        for key in storage.keys(f"reports/{consultation.id}-"):
            print(f"  {key:<48}{storage.size(key) / 2**20:>8.1f} MiB")
        print(f"peak RSS {_peak_rss_mib():,.0f} MiB")

        again = report_jobs.request_build(consultation)
        db.session.commit()
        start = time.perf_counter()
        runner.run(again.id)
        noop = time.perf_counter() - start

        client = app.test_client()
        base = f"/consultations/{OPEN_DEMO}/report"
        page, page_status, page_size = _median_get(client, f"{base}/")
        pdf, pdf_status, pdf_size = _median_get(client, f"{base}/report.pdf")
        print(f"a second run (built already): {noop * 1000:.0f} ms ({built / noop:,.0f}x less)")
        print(
            f"report page from storage: {page * 1000:.0f} ms median ({page_status}, "
            f"{page_size / 1024:,.0f} KiB); the build is {built / page:,.0f}x that"
        )
        print(
            f"PDF download from storage: {pdf * 1000:.0f} ms median ({pdf_status}, "
            f"{pdf_size / 2**20:,.1f} MiB); the build is {built / pdf:,.0f}x that"
        )
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
