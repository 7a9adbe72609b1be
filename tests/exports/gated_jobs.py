"""An export job that waits at a gate once its file is stored (loaded by workers through
CONSULT_JOBS_IMPORTS), so a test can kill its worker between storing and finishing."""

from __future__ import annotations

import time
from pathlib import Path

from consult import jobs
from consult.exports.jobs import build_export

#: How long a run waits at its gate before giving up (a test that never opens it failed).
GATE_TIMEOUT = 120


@jobs.job("tests.gated_export", max_attempts=3)
def gated_export(job, gate: str, **args) -> dict:
    """The real export job, then a wait for the file ``gate`` to appear."""
    result = build_export(job, **args)
    deadline = time.monotonic() + GATE_TIMEOUT
    while not Path(gate).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the gate {gate} never opened")
        time.sleep(0.05)
    return result
