"""Account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import ValidationError

from consult.accounts.models import Role
from consult.accounts.passwords import MIN_LENGTH
from consult.forms import BaseForm

PASSWORD_MAX = 200


def _email_validator(form, field):
    from email_validator import EmailNotValidError
    from email_validator import validate_email

    try:
        field.data = validate_email(field.data or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError(_l("Enter a valid e-mail address, like name@example.dk.")) from None


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _new_password(email_field: str | None = "email"):
    def check(form, field):
        password = field.data or ""
        if len(password) < MIN_LENGTH:
            raise ValidationError(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
        email = (
            getattr(form, email_field).data if email_field and hasattr(form, email_field) else None
        )
        if email and password.strip().lower() == email.strip().lower():
            raise ValidationError(_l("Your password cannot be your e-mail address."))

    return check


class LoginForm(BaseForm):
    email = StringField(
        _l("E-mail"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX)],
    )
    submit = SubmitField(_l("Sign in"))


def _email():
    """An e-mail address, checked by the RFCs and stored lower-cased."""
    return StringField(
        _l("E-mail"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254),
            _email_validator,
        ],
    )


def _new_password_pair(label, repeat_label, email_field: str | None):
    """A new password and its repetition."""
    return (
        PasswordField(
            label,
            validators=[
                DataRequired(_l("Choose a password.")),
                Length(max=PASSWORD_MAX),
                _new_password(email_field),
            ],
        ),
        PasswordField(
            repeat_label,
            validators=[
                DataRequired(_l("Repeat the password.")),
                EqualTo("password", _l("The passwords are not the same.")),
            ],
        ),
    )


class RegisterForm(BaseForm):
    name = StringField(_l("Name (optional)"), filters=[_strip], validators=[Length(max=200)])
    email = _email()
    password, password_confirm = _new_password_pair(
        _l("Password"), _l("Repeat the password"), email_field="email"
    )
    submit = SubmitField(_l("Create account"))


class EmailOnlyForm(BaseForm):
    email = _email()
    submit = SubmitField(_l("Send"))


class ResetPasswordForm(BaseForm):
    password, password_confirm = _new_password_pair(
        _l("New password"), _l("Repeat the new password"), email_field=None
    )
    submit = SubmitField(_l("Save the new password"))


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX)],
    )
    submit = SubmitField(_l("Change password"))


class ProfileForm(BaseForm):
    name = StringField(_l("Name"), filters=[_strip], validators=[Length(max=200)])
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("da", "Dansk", render_kw={"lang": "da"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
    )
    submit = SubmitField(_l("Save"))


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.SECRETARIAT: _l("Secretariat"),
    Role.MODERATOR: _l("Moderator"),
    Role.FACILITATOR: _l("Facilitator"),
    Role.APPROVER: _l("Approver (signs off for a party)"),
    Role.RESPONDENT: _l("Respondent"),
}


class RoleForm(BaseForm):
    role = SelectField(
        _l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()]
    )
    submit = SubmitField(_l("Save role"))


class EmptyForm(BaseForm):
    """A form with only the CSRF token, for buttons that change something."""

    submit = SubmitField(_l("Confirm"))


class CodeForm(BaseForm):
    """A code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        filters=[_strip],
        validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
    )
    submit = SubmitField(_l("Continue"))
