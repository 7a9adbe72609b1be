"""Forms for reference data: one base, a little more for municipalities and respondent types."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import widgets
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Regexp

from consult.forms import BaseForm
from consult.sanitize import clean_text

CODE_RE = r"^[a-z0-9][a-z0-9-]{0,58}[a-z0-9]$"


def _line(value):
    return clean_text(value, multiline=False) if isinstance(value, str) else value


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes (works without JavaScript)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ReferenceForm(BaseForm):
    name_da = StringField(
        _l("Name in Danish"),
        filters=[_line],
        validators=[DataRequired(_l("The Danish name is required.")), Length(max=200)],
    )
    name_en = StringField(
        _l("Name in English (optional)"), filters=[_line], validators=[Length(max=200)]
    )
    code = StringField(
        _l("Code"),
        filters=[_lower],
        validators=[
            DataRequired(_l("Give a code.")),
            Regexp(CODE_RE, message=_l("Use 2–60 lower-case letters, digits and hyphens.")),
        ],
    )
    position = IntegerField(
        _l("Order"),
        default=0,
        validators=[NumberRange(min=0, max=10_000, message=_l("Give a whole number from 0."))],
    )
    submit = SubmitField(_l("Save"))


class MunicipalityForm(ReferenceForm):
    region_id = SelectField(_l("Region"), coerce=int)
    cluster_ids = CheckboxListField(_l("Health clusters"), coerce=int)


class RespondentTypeForm(ReferenceForm):
    is_organisation = BooleanField(
        _l("Answers on behalf of an organisation (the name is required)")
    )
    asks_sector = BooleanField(_l("Asks which sector the person works in"))


class ToggleForm(BaseForm):
    submit = SubmitField(_l("Confirm"))
