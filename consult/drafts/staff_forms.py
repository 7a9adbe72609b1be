"""Forms for editing drafts. Times are typed in Copenhagen time and stored in UTC."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import DateTimeLocalField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget
from wtforms.widgets import TextInput

from consult.drafts.importer import KEY_RE
from consult.drafts.importer import TITLE_MAX
from consult.drafts.models import STATUS_TRANSITIONS
from consult.drafts.models import ItemKind
from consult.drafts.models import Phase
from consult.drafts.models import Status
from consult.forms import DATETIME_FORMATS
from consult.forms import BaseForm
from consult.forms import existing_local_time
from consult.sanitize import clean_text

TEXT_MAX = 20_000

STATUS_LABELS = {
    Status.DRAFT: _l("Draft (staff only)"),
    Status.OPEN: _l("Open (published, takes input between the dates)"),
    Status.CLOSED: _l("Closed"),
    Status.REPORTING: _l("Reporting (the secretariat writes the memo and the next version)"),
    Status.APPROVAL: _l("Approval (the parties sign off the memo and the next version)"),
    Status.PUBLISHED: _l("Memo and new version published"),
}

#: What the public sees, in the words the public pages use.
PHASE_LABELS = {
    Phase.HIDDEN: _l("Draft – visible to staff only"),
    Phase.UPCOMING: _l("Upcoming"),
    Phase.OPEN: _l("Open for input"),
    Phase.CLOSED: _l("Closed"),
}

KIND_LABELS = {
    ItemKind.VISION: _l("Vision"),
    ItemKind.PRINCIPLE: _l("Principle of cooperation"),
    ItemKind.FOCUS_AREA: _l("Focus area"),
    ItemKind.GOAL: _l("Goal"),
    ItemKind.INITIATIVE: _l("Initiative"),
}


def _line(value):
    return clean_text(value, multiline=False) if isinstance(value, str) else value


def _text(value):
    return clean_text(value) if isinstance(value, str) else value


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


FUNDS_MESSAGE = _l("Give a whole number of kroner, 0 or more.")
KEY_MESSAGE = _l("Use 3–80 lower-case letters, digits and hyphens.")


def _titles():
    """A required Danish title and an optional English one."""
    return (
        StringField(
            _l("Title in Danish"),
            filters=[_line],
            validators=[DataRequired(_l("The Danish title is required.")), Length(max=TITLE_MAX)],
        ),
        StringField(
            _l("Title in English (optional)"), filters=[_line], validators=[Length(max=TITLE_MAX)]
        ),
    )


def _texts(danish, english):
    """An optional Danish and English text."""
    return (
        TextAreaField(danish, filters=[_text], validators=[Length(max=TEXT_MAX)]),
        TextAreaField(english, filters=[_text], validators=[Length(max=TEXT_MAX)]),
    )


class KronerField(IntegerField):
    """Whole kroner as people write them: "2500000", "2.500.000", "2 500 000 kr."."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip().lower().removesuffix(".").removesuffix("kr").strip()
        digits = re.sub(r"[\s.\u00a0]", "", raw)
        if not digits:
            self.data = None
        elif re.fullmatch(r"-?[0-9]{1,15}", digits):
            self.data = int(digits)
        else:
            self.data = None
            raise ValueError(FUNDS_MESSAGE)


class ConsultationForm(BaseForm):
    slug = StringField(
        _l("Web address"),
        filters=[_lower],
        validators=[
            DataRequired(_l("Give the consultation a web address.")),
            Regexp(KEY_RE, message=KEY_MESSAGE),
        ],
    )
    title_da, title_en = _titles()
    summary_da, summary_en = _texts(_l("Summary in Danish"), _l("Summary in English (optional)"))
    opens_at = DateTimeLocalField(
        _l("Opens"),
        format=DATETIME_FORMATS,
        validators=[DataRequired(_l("Give the date and time it opens.")), existing_local_time],
    )
    closes_at = DateTimeLocalField(
        _l("Deadline"),
        format=DATETIME_FORMATS,
        validators=[DataRequired(_l("Give the deadline.")), existing_local_time],
    )
    max_ranked_focus_areas = IntegerField(
        _l("Focus areas a respondent may choose and rank"),
        default=3,
        validators=[
            DataRequired(_l("Give a whole number from 1 to 20.")),
            NumberRange(min=1, max=20, message=_l("Give a whole number from 1 to 20.")),
        ],
    )
    max_ranked_goals = IntegerField(
        _l("Goals a respondent may choose in each chosen focus area"),
        default=2,
        validators=[
            DataRequired(_l("Give a whole number from 1 to 20.")),
            NumberRange(min=1, max=20, message=_l("Give a whole number from 1 to 20.")),
        ],
    )
    #: On the edit form only: the current status and those it may move to.
    status = SelectField(_l("Status"), validate_choice=False)
    submit = SubmitField(_l("Save"))

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The deadline must be after the opening."))


def status_choices(current: Status, *, include_current: bool) -> list[SelectChoice]:
    """The statuses a consultation in ``current`` may move to (the rest are refused anyway)."""
    allowed = STATUS_TRANSITIONS[current]
    statuses = (current, *allowed) if include_current else allowed
    return [SelectChoice(s.value, STATUS_LABELS[s]) for s in statuses]


def parse_status(value: str | None) -> Status | None:
    try:
        return Status(value)
    except ValueError:
        return None


class StatusForm(BaseForm):
    """The status alone, from the outline. The service checks the transition."""

    # Any value is accepted here so that a refused transition gets a message saying why.
    status = SelectField(_l("New status"), validate_choice=False)
    submit = SubmitField(_l("Change status"))


class ItemForm(BaseForm):
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()]
    )
    parent = SelectField(_l("Focus area"), validate_choice=False)
    key = StringField(
        _l("Key (optional)"),
        filters=[_lower],
        validators=[Optional(), Regexp(KEY_RE, message=KEY_MESSAGE)],
    )
    title_da, title_en = _titles()
    body_da, body_en = _texts(_l("Text in Danish"), _l("Text in English (optional)"))
    funds_dkk = KronerField(
        _l("Funds in kroner"),
        validators=[
            Optional(),
            NumberRange(min=0, max=10**12, message=FUNDS_MESSAGE),
        ],
    )
    funds_note_da, funds_note_en = _texts(
        _l("What the funds cover, in Danish"), _l("What the funds cover, in English (optional)")
    )
    submit = SubmitField(_l("Save"))


class LineForm(BaseForm):
    text_da = TextAreaField(
        _l("Danish"),
        filters=[_text],
        validators=[DataRequired(_l("The Danish text is required.")), Length(max=TEXT_MAX)],
    )
    text_en = TextAreaField(
        _l("English (optional)"), filters=[_text], validators=[Length(max=TEXT_MAX)]
    )
    submit = SubmitField(_l("Save"))


class ActionForm(BaseForm):
    """A button that changes something (move, delete): only the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class DraftUploadForm(BaseForm):
    """A YAML file for the working copy (docs/draft-format.md)."""

    file = FileField(
        _l("YAML file"), validators=[FileRequired(_l("Choose a YAML file to import."))]
    )
    submit = SubmitField(_l("Import into the working copy"))


class ChangeForm(BaseForm):
    """Why an item changed in the working copy, and the inputs and themes behind it."""

    reason_da = TextAreaField(
        _l("Why it changed, in Danish"), filters=[_text], validators=[Length(max=TEXT_MAX)]
    )
    reason_en = TextAreaField(
        _l("Why it changed, in English (optional)"),
        filters=[_text],
        validators=[Length(max=TEXT_MAX)],
    )
    inputs = SelectMultipleField(
        _l("Inputs behind the change"),
        coerce=int,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    tags = SelectMultipleField(
        _l("Themes behind the change"),
        coerce=int,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Save"))
