"""The exports page's one form: which file, in which language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SubmitField
from wtforms.validators import InputRequired

from consult.forms import LANGUAGE_CHOICES
from consult.forms import BaseForm

FORMAT_CHOICES = [
    SelectChoice("xlsx", _l("Excel workbook (XLSX)")),
    SelectChoice("csv", _l("CSV, one row per input")),
    SelectChoice("docx", _l("The consultation memo (høringsnotat, Word)")),
    SelectChoice("json", _l("JSON")),
]


class ExportForm(BaseForm):
    fmt = RadioField(
        _l("File"), choices=FORMAT_CHOICES, default="xlsx", validators=[InputRequired()]
    )
    delimiter = RadioField(
        _l("CSV separator"),
        choices=[
            SelectChoice("semicolon", _l("Semicolons (Danish Excel)")),
            SelectChoice("comma", _l("Commas")),
        ],
        default="semicolon",
        validators=[InputRequired()],
    )
    lang = RadioField(
        _l("Language of the file"),
        choices=LANGUAGE_CHOICES,
        default="da",
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Make the file"))
