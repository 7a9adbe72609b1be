"""Open a file in LibreOffice the way a person's machine would: convert it, headless."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LIBREOFFICE = "/usr/bin/libreoffice"


def convert(source: Path, to: str, outdir: Path) -> subprocess.CompletedProcess:
    """Convert ``source`` with the filter ``to`` into ``outdir``, with a profile of its own.

    Skips the test where LibreOffice is missing (.ci/run installs it); fails when the
    conversion does.
    """
    if shutil.which(LIBREOFFICE) is None:
        pytest.skip(f"LibreOffice is not installed at {LIBREOFFICE} (CI installs it)")
    profile = (outdir.parent / f"lo-profile-{outdir.name}").as_uri()
    result = subprocess.run(
        [
            LIBREOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result
