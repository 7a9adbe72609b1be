"""What staff read: every input in full, as written, but never a CPR number.

The secretariat's pages, exports and API answers show the respondent's own words, with every
CPR number the personal-data guard finds masked. The one exception is the moderator's review
of a single contribution (``consult.moderation.views``), which must show what was written.
"""

from __future__ import annotations

from consult.readside.masking import mask_cpr


def text(raw: str | None) -> str:
    """Return an input's text (or proposed wording, or comment) as staff may read it."""
    return mask_cpr(raw)
