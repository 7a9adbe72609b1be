"""Forms for working on input: tags, assignment, replies, campaigns."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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

from consult.analysis.services import TAG_MAX
from consult.analysis.services import TEXT_MAX
from consult.forms import BaseForm
from consult.readside import labels
from consult.sanitize import clean_text


def _line(value):
    return clean_text(value, multiline=False) if isinstance(value, str) else value


def _text(value):
    return clean_text(value) if isinstance(value, str) else value


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except ValueError:
        return None


class TagForm(BaseForm):
    name = StringField(
        _l("New tag"),
        filters=[_line],
        validators=[DataRequired(_l("Give the tag a name.")), Length(max=TAG_MAX)],
    )
    description = TextAreaField(
        _l("What it covers (optional)"), filters=[_text], validators=[Length(max=2000)]
    )
    submit = SubmitField(_l("Add the tag"))


class SelectionForm(BaseForm):
    """An action on the inputs a filter finds (the filter travels in the query string)."""

    #: "all" for the whole filtered selection; otherwise the ticked rows ("ids").
    scope = HiddenField(default="all")


class ApplyTagForm(SelectionForm):
    tag = SelectField(_l("Tag"), coerce=_optional_int, validate_choice=True)
    remove = BooleanField(_l("Take the tag off instead"))
    submit = SubmitField(_l("Apply the tag"))


class AssignForm(SelectionForm):
    assignee = SelectField(_l("Assign to"), coerce=_optional_int, validate_choice=True)
    submit = SubmitField(_l("Assign"))


class _ReplyFields(BaseForm):
    """What every reply asks: the text, what was done with the input, why, and whether it is
    ready for a colleague to approve (a reply to inputs and a reply to a theme)."""

    text = TextAreaField(_l("Reply"), filters=[_text], validators=[Length(max=TEXT_MAX)])
    disposition = RadioField(
        _l("What was done with it"),
        choices=[SelectChoice(d.value, label) for d, label in labels.DISPOSITION.items()],
        validators=[Optional()],
    )
    reason = TextAreaField(
        _l("Why (required when not or only partly incorporated)"),
        filters=[_text],
        validators=[Length(max=TEXT_MAX)],
    )
    ready = BooleanField(_l("Ready for a colleague to approve"))
    submit = SubmitField(_l("Save the reply"))


class ReplyForm(SelectionForm, _ReplyFields):
    """A reply to one input or to a whole selection."""


class CampaignForm(BaseForm):
    label = StringField(
        _l("Campaign name"), filters=[_line], validators=[Optional(), Length(max=120)]
    )
    is_campaign = BooleanField(_l("This is a campaign"))
    submit = SubmitField(_l("Save"))


class EmptyForm(BaseForm):
    submit = SubmitField(_l("Confirm"))


class ThemeReplyForm(_ReplyFields):
    """The secretariat's reply to a theme: on one goal, or on every goal (no goal chosen)."""

    goal = SelectField(_l("Goal or initiative"), coerce=_optional_int, validate_choice=True)
