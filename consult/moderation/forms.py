"""Forms for moderators (the queue's filters, review actions) and for the public (reports)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from consult.forms import BaseForm
from consult.moderation.models import HideReason
from consult.readside import labels
from consult.sanitize import clean_text

NOTE_MAX = 2000


def _text(value):
    return clean_text(value) if isinstance(value, str) else value


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except ValueError:
        return None


class QueueFilterForm(BaseForm):
    """The queue's filters: read from the URL, so a filtered queue can be shared."""

    class Meta:
        csrf = False

    consultation = SelectField(_l("Consultation"), coerce=_optional_int, validate_choice=False)
    item = SelectField(_l("Goal or initiative"), coerce=_optional_int, validate_choice=False)
    flag = SelectField(
        _l("Personal data"),
        choices=[
            SelectChoice("any", _l("All")),
            SelectChoice("flagged", _l("Flagged")),
            SelectChoice("clean", _l("Nothing flagged")),
            *(SelectChoice(k.value, label) for k, label in labels.PERSONAL_DATA.items()),
        ],
        default="any",
        validate_choice=False,
    )
    older_than = SelectField(
        _l("Waiting"),
        coerce=_optional_int,
        choices=[
            SelectChoice("", _l("Any time")),
            SelectChoice(1, _l("More than a day")),
            SelectChoice(3, _l("More than 3 days")),
            SelectChoice(7, _l("More than a week")),
        ],
        validate_choice=False,
    )
    submit = SubmitField(_l("Filter"))


class _ReviewForm(BaseForm):
    #: The fingerprint of the text the moderator read: a review of a changed text is refused.
    fingerprint = HiddenField()


class PublishForm(_ReviewForm):
    submit = SubmitField(_l("Publish"))


class _MultiCheckbox(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RedactForm(_ReviewForm):
    spans = _MultiCheckbox(_l("Flagged parts to remove"), validate_choice=True)
    phrases = TextAreaField(
        _l("Other words to remove (one per line)"),
        filters=[_text],
        validators=[Length(max=NOTE_MAX)],
    )
    reason = RadioField(
        _l("Why"),
        choices=[SelectChoice(r.value, label) for r, label in labels.HIDE_REASON.items()],
        default=HideReason.PERSONAL_DATA.value,
        validators=[DataRequired(_l("Choose why."))],
    )
    note = TextAreaField(
        _l("Note (optional)"), filters=[_text], validators=[Optional(), Length(max=NOTE_MAX)]
    )
    submit = SubmitField(_l("Remove and publish"))


class HideForm(_ReviewForm):
    reason = RadioField(
        _l("Why"),
        choices=[SelectChoice(r.value, label) for r, label in labels.HIDE_REASON.items()],
        validators=[DataRequired(_l("Choose why."))],
    )
    note = TextAreaField(
        _l("Note (the respondent reads it)"),
        filters=[_text],
        validators=[Optional(), Length(max=NOTE_MAX)],
    )
    submit = SubmitField(_l("Hide"))

    def validate_note(self, field):
        if self.reason.data == HideReason.OTHER.value and not (field.data or "").strip():
            raise ValidationError(_l("Say why, when the reason is Other."))


class BulkPublishForm(BaseForm):
    submit = SubmitField(_l("Publish the chosen"))


class ReportForm(BaseForm):
    reason = RadioField(
        _l("What is wrong with it?"),
        choices=[SelectChoice(r.value, label) for r, label in labels.HIDE_REASON.items()],
        validators=[DataRequired(_l("Choose what is wrong."))],
    )
    text = TextAreaField(
        _l("Anything to add? (optional)"),
        filters=[_text],
        validators=[Optional(), Length(max=NOTE_MAX)],
    )
    submit = SubmitField(_l("Send the report"))
