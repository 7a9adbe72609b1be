"""Forms for responding. Choices come from reference data and the draft, never from code."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from consult.forms import BaseForm
from consult.readside import labels
from consult.responses.models import Stance
from consult.responses.services import TEXT_MAX
from consult.sanitize import clean_text


def _text(value):
    return clean_text(value) if isinstance(value, str) else value


def _line(value):
    return clean_text(value, multiline=False) if isinstance(value, str) else value


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ProfileForm(BaseForm):
    name = StringField(_l("Your name (optional)"), filters=[_line], validators=[Length(max=200)])
    respondent_type = SelectField(
        _l("You answer as"),
        coerce=_optional_int,
        validators=[DataRequired(_l("Choose who you answer as."))],
    )
    organisation = StringField(_l("Organisation"), filters=[_line], validators=[Length(max=200)])
    sector = RadioField(
        _l("Sector (professionals)"),
        choices=[SelectChoice(s.value, label) for s, label in labels.SECTOR.items()],
        validators=[Optional()],
    )
    municipality = SelectField(_l("Municipality"), coerce=_optional_int, validators=[Optional()])
    cluster = SelectField(_l("Health cluster"), coerce=_optional_int, validators=[Optional()])
    submit = SubmitField(_l("Save and continue"))

    def check_type(self, respondent_type) -> bool:
        """The organisation and sector a chosen type asks for; add errors beside the fields."""
        ok = True
        if respondent_type.is_organisation and not self.organisation.data:
            self.organisation.errors.append(_l("Give the name of the organisation you answer for."))
            ok = False
        if respondent_type.asks_sector and not self.sector.data:
            self.sector.errors.append(_l("Choose the sector you work in."))
            ok = False
        return ok


class InputForm(BaseForm):
    stance = RadioField(
        _l("What do you think of it?"),
        choices=[SelectChoice(s.value, label) for s, label in labels.STANCE.items()],
        validators=[DataRequired(_l("Choose what you think of it."))],
    )
    importance = RadioField(
        _l("How important is it to you?"),
        coerce=_optional_int,
        choices=[SelectChoice(n, label) for n, label in labels.IMPORTANCE.items()],
        validators=[Optional()],
    )
    text = TextAreaField(_l("Why? (optional)"), filters=[_text], validators=[Length(max=TEXT_MAX)])
    proposed_wording = TextAreaField(
        _l("A better wording (optional)"), filters=[_text], validators=[Length(max=TEXT_MAX)]
    )
    preferred_alternative = RadioField(
        _l("Which wording do you prefer?"), coerce=_optional_int, validators=[Optional()]
    )
    submit = SubmitField(_l("Save and continue"))

    def validate_proposed_wording(self, field):
        if field.data and self.stance.data == Stance.NO_POSITION.value:
            raise ValidationError(_l("Choose a position to propose a wording."))


class CommentForm(BaseForm):
    general_comment = TextAreaField(
        _l("General comment (optional)"), filters=[_text], validators=[Length(max=TEXT_MAX)]
    )
    consent = RadioField(
        _l("May we publish your input?"),
        choices=[SelectChoice(c.value, label) for c, label in labels.CONSENT.items()],
        validators=[DataRequired(_l("Choose whether we may publish your input."))],
    )
    submit = SubmitField(_l("Save"))


class LetterForm(BaseForm):
    letter = FileField(
        _l("Letter (PDF)"), validators=[FileRequired(_l("Choose a PDF file to attach."))]
    )
    submit = SubmitField(_l("Attach the letter"))


class SubmitForm(BaseForm):
    #: One key per rendered form: a double click or a resent form is stored once.
    key = HiddenField(default=lambda: secrets.token_urlsafe(16))
    #: Ask for an e-mail when a new version or the memo is published.
    wants_news = BooleanField(_l("E-mail me when the next version or the memo is published"))
    submit = SubmitField(_l("Send my response"))


class ActionForm(BaseForm):
    submit = SubmitField(_l("Confirm"))
