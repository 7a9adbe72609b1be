"""The read side in templates: every label table, and one filter per audience for stored text.

- ``public_text``: text frozen at review, removed parts shown as "[fjernet]" / "[removed]";
- ``public_html``: the same from a contribution's stored HTML (no cleaning per render);
- ``staff_text``: raw input as staff may read it (CPR numbers masked);
- ``own_text``: a respondent's own input in an e-mail (CPR numbers masked: mail leaves us);
- ``public_name(response)``: the one naming rule.
"""

from __future__ import annotations

from flask import Flask

from consult.readside import labels
from consult.readside import naming
from consult.readside import public
from consult.readside import staff
from consult.readside.masking import mask_cpr


def init_app(app: Flask) -> None:
    @app.context_processor
    def _labels():
        return labels.FOR_TEMPLATES

    @app.template_filter("public_text")
    def public_text(text: str | None):
        return public.render_public_text(text, str(labels.REMOVED))

    @app.template_filter("public_html")
    def public_html(contribution, field: str = "text"):
        """A contribution's public text from its stored HTML (made when it was published)."""
        if field == "wording":
            html, text = contribution.public_wording_html, contribution.public_wording
        else:
            html, text = contribution.public_html, contribution.public_text
        if html is None:
            # Written past the ORM and not yet filled by ``flask consult recount``.
            return public.render_public_text(text, str(labels.REMOVED))
        return public.render_public_html(html, str(labels.REMOVED))

    app.add_template_filter(staff.text, "staff_text")
    app.add_template_filter(mask_cpr, "own_text")
    app.add_template_global(naming.public_name, "public_name")
