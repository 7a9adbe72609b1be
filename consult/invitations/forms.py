"""Forms for the høringsliste: one organisation, a CSV file, and buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import ValidationError

from consult.forms import BaseForm
from consult.i18n import localized
from consult.invitations.services import EMAIL_MAX
from consult.invitations.services import ORGANISATION_MAX
from consult.invitations.services import InvitationError
from consult.invitations.services import normalize_email
from consult.reference.models import RespondentType
from consult.reference.services import entries
from consult.sanitize import clean_text

#: The largest CSV file read; a høringsliste of a few hundred lines is some 50 kB.
CSV_MAX_BYTES = 2 * 1024 * 1024


def _line(value):
    return clean_text(value, multiline=False) if isinstance(value, str) else value


def _id_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


class InvitationForm(BaseForm):
    organisation = StringField(
        _l("Organisation"),
        filters=[_line],
        validators=[
            DataRequired(_l("Give the organisation’s name.")),
            Length(
                max=ORGANISATION_MAX,
                message=_l("Use at most %(max)d characters.", max=ORGANISATION_MAX),
            ),
        ],
    )
    email = StringField(
        _l("E-mail (optional)"), filters=[_line], validators=[Length(max=EMAIL_MAX)]
    )
    respondent_type = SelectField(_l("Type (optional)"), coerce=_id_or_none)
    submit = SubmitField(_l("Add to the list"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.respondent_type.choices = [SelectChoice("", _l("Not given"))] + [
            SelectChoice(t.id, localized(t, "name")[0])
            for t in entries(RespondentType, active_only=True)
        ]

    def validate_email(self, field):
        try:
            normalize_email(field.data)
        except InvitationError:
            raise ValidationError(
                _l("Give a valid e-mail address, like name@example.dk, or leave it empty.")
            ) from None


class ImportForm(BaseForm):
    file = FileField(
        _l("CSV file"), validators=[FileRequired(_l("Choose the file you want to import."))]
    )
    submit = SubmitField(_l("Import"))

    #: The file's bytes, once validated.
    content: bytes = b""

    def validate_file(self, field):
        # Read one byte more than allowed: enough to know the file is too large.
        data = field.data.stream.read(CSV_MAX_BYTES + 1)
        if len(data) > CSV_MAX_BYTES:
            raise ValidationError(_l("The file is larger than 2 MB. Split it into smaller files."))
        if not data.strip():
            raise ValidationError(_l("The file is empty."))
        self.content = data


class ActionForm(BaseForm):
    """A button that changes something (remove, remind): only the CSRF token."""

    submit = SubmitField(_l("Confirm"))
