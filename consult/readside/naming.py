"""Who sent an input, as an output may say it: one rule for every page, file and API answer.

The organisation's name for an organisation, the person's name for a person, and either only
when the response's consent is "publish with name". The memo, the public report, the open
data, the API and the public pages all ask here; none decides on its own.
"""

from __future__ import annotations

from consult.responses.models import Consent
from consult.responses.models import Response


def shown_name(
    consent: Consent | str | None, is_organisation: bool | None, organisation: str, name: str
) -> str:
    """Return the name an output may show for a response, or "" when it may show none."""
    if consent != Consent.NAMED:
        return ""
    return (organisation if is_organisation else name) or ""


def public_name(response: Response) -> str | None:
    """Return the name the public may see for ``response`` (see ``shown_name``), or None."""
    respondent = response.respondent
    kind = respondent.respondent_type
    return (
        shown_name(
            response.consent,
            kind is not None and kind.is_organisation,
            respondent.organisation,
            respondent.name,
        )
        or None
    )


def who(type_name: str, name: str) -> str:
    """Return "Respondent type: name", or the type alone when no name may be shown."""
    return f"{type_name}: {name}" if name else type_name
