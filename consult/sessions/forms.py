"""Forms for sessions: setup, live capture, a participant's phone, confirmation, objections."""

from __future__ import annotations

from email_validator import EmailNotValidError
from email_validator import validate_email
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import DateTimeLocalField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from consult.forms import DATETIME_FORMATS
from consult.forms import LANGUAGE_CHOICES
from consult.forms import BaseForm
from consult.forms import existing_local_time
from consult.readside import labels
from consult.responses.models import Stance
from consult.sanitize import clean_text
from consult.sessions.services import TEXT_MAX

#: In a meeting a position is often not stated: "not given" is a real answer.
STANCE_CHOICES = [
    SelectChoice("", labels.NOT_GIVEN),
    *(SelectChoice(s.value, label) for s, label in labels.STANCE.items()),
]
EMAILS_MAX = 200


def stance_of(value: str | None) -> Stance | None:
    """The stance a form gave, or None for "not given"."""
    return Stance(value) if value in {s.value for s in Stance} else None


def _line(value):
    return clean_text(value, multiline=False) if isinstance(value, str) else value


def _text(value):
    return clean_text(value) if isinstance(value, str) else value


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except ValueError:
        return None


class _MultiCheckbox(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class GroupForm(Form):
    """One group represented: a respondent type, an organisation if any, how many came."""

    respondent_type = SelectField(_l("Group"), coerce=_optional_int, validate_choice=False)
    organisation = StringField(
        _l("Organisation (if any)"),
        filters=[_line],
        validators=[Length(max=200)],
    )
    participant_count = IntegerField(
        _l("People"),
        default=1,
        validators=[
            Optional(),
            NumberRange(min=1, max=10_000, message=_l("Give a whole number from 1 to 10000.")),
        ],
    )


class MeetingForm(BaseForm):
    title = StringField(
        _l("Title"),
        filters=[_line],
        validators=[DataRequired(_l("Give the session a title.")), Length(max=200)],
    )
    starts_at = DateTimeLocalField(
        _l("Date and time"),
        format=DATETIME_FORMATS,
        validators=[DataRequired(_l("Give the date and time.")), existing_local_time],
    )
    place = StringField(_l("Place"), filters=[_line], validators=[Length(max=300)])
    online_url = StringField(
        _l("Online meeting link"),
        filters=[_line],
        validators=[
            Optional(),
            Length(max=500),
            URL(require_tld=False, message=_l("Give a link starting with https://")),
        ],
    )
    locale = RadioField(
        _l("Language of the session"),
        choices=LANGUAGE_CHOICES,
        default="da",
    )
    facilitators = _MultiCheckbox(_l("Facilitators"), coerce=int, validate_choice=True)
    participant_count = IntegerField(
        _l("Number of participants"),
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=10_000, message=_l("Give a whole number from 0 to 10000.")),
        ],
    )
    groups = FieldList(FormField(GroupForm), min_entries=6, max_entries=40)
    emails = TextAreaField(
        _l("Participants' e-mail addresses (optional, one per line)"),
        validators=[Length(max=EMAILS_MAX * 260)],
    )
    confirm_days = IntegerField(
        _l("Days to confirm"),
        default=8,
        validators=[
            DataRequired(_l("Give a whole number from 1 to 60.")),
            NumberRange(min=1, max=60, message=_l("Give a whole number from 1 to 60.")),
        ],
    )
    submit = SubmitField(_l("Save"))

    def validate_online_url(self, field):
        if field.data and not field.data.startswith(("https://", "http://")):
            raise ValidationError(_l("Give a link starting with https://"))

    def validate_facilitators(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one facilitator."))

    def validate_emails(self, field):
        """Check each address; keep the good ones in ``addresses`` for the view."""
        good, bad = [], []
        for line in (field.data or "").replace(",", "\n").replace(";", "\n").splitlines():
            address = line.strip()
            if not address:
                continue
            try:
                good.append(validate_email(address, check_deliverability=False).normalized.lower())
            except EmailNotValidError:
                bad.append(address)
        if bad:
            raise ValidationError(
                _l("Not valid e-mail addresses: %(addresses)s", addresses=", ".join(bad[:10]))
            )
        if len(good) > EMAILS_MAX:
            raise ValidationError(_l("At most 200 addresses."))
        self.addresses = good


def agenda_fields(label: str) -> tuple[BooleanField, IntegerField]:
    """An agenda candidate: a checkbox to take it, and an optional place in the order (empty:
    the draft's reading order)."""
    return (
        BooleanField(label),
        IntegerField(
            _l("Order"),
            validators=[
                Optional(),
                NumberRange(min=1, max=999, message=_l("Give a whole number from 1 to 999.")),
            ],
        ),
    )


class CaptureForm(BaseForm):
    """What a facilitator types while someone speaks."""

    item = SelectField(_l("Goal or initiative"), coerce=_optional_int, validate_choice=True)
    group = SelectField(_l("Said by"), coerce=_optional_int, validate_choice=True)
    stance = RadioField(_l("Position"), choices=STANCE_CHOICES, default="")
    text = TextAreaField(_l("What was said"), filters=[_text], validators=[Length(max=TEXT_MAX)])
    proposed_wording = TextAreaField(
        _l("Proposed wording (optional)"), filters=[_text], validators=[Length(max=TEXT_MAX)]
    )
    submit = SubmitField(_l("Record"))


class PhoneForm(BaseForm):
    """A participant's input from a phone: to the facilitator's queue."""

    item = SelectField(_l("Goal or initiative"), coerce=_optional_int, validate_choice=True)
    group = SelectField(_l("I speak for"), coerce=_optional_int, validate_choice=True)
    stance = RadioField(_l("What do you think of it?"), choices=STANCE_CHOICES, default="")
    text = TextAreaField(
        _l("Your input"),
        filters=[_text],
        validators=[DataRequired(_l("Write your input.")), Length(max=TEXT_MAX)],
    )
    submit = SubmitField(_l("Send to the facilitator"))


class MergeForm(BaseForm):
    into = SelectField(_l("Add it to"), coerce=_optional_int, validate_choice=True)
    submit = SubmitField(_l("Merge"))


class CurrentForm(BaseForm):
    item = SelectField(_l("Now on the agenda"), coerce=_optional_int, validate_choice=True)
    submit = SubmitField(_l("Show"))


class ResolveForm(BaseForm):
    stance = RadioField(_l("Position"), choices=STANCE_CHOICES, default="")
    text = TextAreaField(
        _l("What was said (corrected if need be)"),
        filters=[_text],
        validators=[Length(max=TEXT_MAX)],
    )
    resolution = TextAreaField(
        _l("How the objection was resolved"),
        filters=[_text],
        validators=[DataRequired(_l("Say how it was resolved.")), Length(max=TEXT_MAX)],
    )
    submit = SubmitField(_l("Resolve"))


class CodeForm(BaseForm):
    code = StringField(
        _l("Join code"),
        filters=[_line],
        validators=[DataRequired(_l("Type the code you see on the screen.")), Length(max=20)],
    )
    submit = SubmitField(_l("Join"))


class EmptyForm(BaseForm):
    """A button that changes something: only the CSRF token."""

    submit = SubmitField(_l("Confirm"))


def feedback_form(inputs, existing: dict):
    """One verdict and comment per recorded input, filled with what the participant gave."""

    class FeedbackForm(BaseForm):
        submit = SubmitField(_l("Save my answers"))

    data = {}
    for meeting_input in inputs:
        setattr(
            FeedbackForm,
            f"verdict_{meeting_input.id}",
            RadioField(
                _l("Is this what was said?"),
                choices=[SelectChoice(v.value, label) for v, label in labels.VERDICT.items()],
                validators=[Optional()],
            ),
        )
        setattr(
            FeedbackForm,
            f"comment_{meeting_input.id}",
            TextAreaField(
                _l("Your comment or objection"),
                filters=[_text],
                validators=[Length(max=TEXT_MAX)],
            ),
        )
        given = existing.get(meeting_input.id)
        if given is not None:
            data[f"verdict_{meeting_input.id}"] = given.verdict.value
            data[f"comment_{meeting_input.id}"] = given.comment
    return FeedbackForm(data=data)
