"""Forms of the theme pages: asking for suggestions, naming, splitting, merging."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length
from wtforms.validators import Optional

from consult.forms import BaseForm
from consult.sanitize import clean_text
from consult.themes.service import K_CHOICES
from consult.themes.service import NAME_MAX


def _line(value):
    return clean_text(value, multiline=False) if isinstance(value, str) else value


def _optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except ValueError:
        return None


class RunForm(BaseForm):
    scope = SelectField(_l("Input on"), coerce=_optional_int, validate_choice=True)
    k = SelectField(
        _l("Number of themes"),
        coerce=_optional_int,
        choices=[SelectChoice("", _l("Let the engine choose (4 to 14)"))]
        + [SelectChoice(k, str(k)) for k in K_CHOICES],
        validate_choice=True,
    )
    submit = SubmitField(_l("Suggest themes"))


class NameForm(BaseForm):
    name = StringField(
        _l("Name of the theme"), filters=[_line], validators=[Optional(), Length(max=NAME_MAX)]
    )


class SplitForm(BaseForm):
    k = SelectField(
        _l("Into"),
        coerce=_optional_int,
        choices=[SelectChoice(k, str(k)) for k in range(2, 7)],
        default=2,
        validate_choice=True,
    )


class MergeForm(BaseForm):
    name = StringField(
        _l("Name of the merged theme (optional)"),
        filters=[_line],
        validators=[Optional(), Length(max=NAME_MAX)],
    )
