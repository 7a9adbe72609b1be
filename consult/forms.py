"""The base form every form derives from, and form pieces shared by areas (local times)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import FieldList
from wtforms import FormField
from wtforms import SelectChoice
from wtforms.validators import ValidationError

from consult.i18n import TIMEZONE
from consult.sanitize import strip_controls

#: What <input type="datetime-local"> sends: minutes, or seconds when a browser adds them.
#: The first one is also how the field shows a stored value.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _strip(value):
    return strip_controls(value) if isinstance(value, str) else value


class _Translations:
    """WTForms' messages through our catalog (``consult.wtforms_messages`` lists them).

    WTForms formats the result itself, so nothing here fills in placeholders.
    """

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _Translations()

        def bind_field(self, form, unbound_field, options):
            # NUL and other controls never reach validators or the database
            # (PostgreSQL refuses NUL where SQLite would store it). Enclosing fields
            # (FieldList, FormField) take no filters: their subforms strip their own.
            if not issubclass(unbound_field.field_class, (FieldList, FormField)):
                filters = list(unbound_field.kwargs.get("filters", ()))
                options["filters"] = [_strip, *filters]
            return unbound_field.bind(form=form, **options)


def to_utc(local: datetime) -> datetime:
    """Read a wall-clock time in Copenhagen and return it in UTC.

    A time the clocks skip (the spring-forward hour) raises ValueError. A time that happens
    twice (the fall-back hour) is read as the first of the two, still in summer time: the
    earlier moment, so a deadline never turns out later than the secretariat meant.
    """
    aware = local.replace(tzinfo=TIMEZONE, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(TIMEZONE).replace(tzinfo=None) != local:
        raise ValueError("nonexistent local time")
    return utc


def to_local(value: datetime) -> datetime:
    """Return a stored UTC time as the naive Copenhagen wall-clock time a form shows."""
    return value.astimezone(TIMEZONE).replace(tzinfo=None)


def existing_local_time(form, field):
    """Validate a datetime-local field: the wall-clock time must exist in Copenhagen."""
    if field.data is None:
        return
    try:
        to_utc(field.data)
    except ValueError:
        raise ValidationError(
            _l("This time does not exist: the clocks go forward then. Choose another.")
        ) from None


#: The two languages as choices, each name marked with its own language (WCAG 3.1.2): "English"
#: on a Danish page is English.
LANGUAGE_CHOICES = [
    SelectChoice("da", Markup('<span lang="da">Dansk</span>')),
    SelectChoice("en", Markup('<span lang="en">English</span>')),
]
