"""The text of a letter (PDF), read out for the secretariat: search, tags, themes, duplicates.

pypdf reads the file in pure Python, offline. Whatever goes wrong (an encrypted file, a scan
with no text layer, a broken or hostile file) gives "": reading the text never blocks an
upload, and the letter is still there to open. The text is staff only: the public gets the
file, and only once a moderator published it.
"""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader

from consult.sanitize import strip_controls

#: At most this many pages are read, and this many characters kept: a letter is a few pages;
#: a 10 MB file of text would only slow every search down.
MAX_PAGES = 50
MAX_CHARS = 100_000

log = logging.getLogger(__name__)


def extract_text(data: bytes) -> str:
    """Return the text of a PDF's pages (blank line between pages), or "" when it has none."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return ""
        pages, size = [], 0
        for page in reader.pages[:MAX_PAGES]:
            text = page.extract_text() or ""
            pages.append(text)
            size += len(text)
            if size >= MAX_CHARS:
                break
    except Exception as error:  # noqa: BLE001 - any file a PDF reader chokes on has no text
        # Expected (scans, broken files): said in one line, not as a traceback.
        log.info("a letter's text could not be read: %s", type(error).__name__)
        return ""
    text = strip_controls("\n\n".join(p.strip() for p in pages if p.strip()))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()[:MAX_CHARS]
