"""Forms for the sign-off: a party, an approver, a decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import Length

from consult.approvals.models import Decision
from consult.forms import BaseForm

DECISION_LABELS = {
    Decision.APPROVED: _l("Approve"),
    Decision.CHANGES_REQUESTED: _l("Ask for changes"),
}


class PartyForm(BaseForm):
    name_da = StringField(
        _l("Name in Danish"),
        validators=[DataRequired(_l("Give the party's name.")), Length(max=200)],
    )
    name_en = StringField(_l("Name in English (optional)"), validators=[Length(max=200)])
    submit = SubmitField(_l("Add the party"))


class ApproverForm(BaseForm):
    email = StringField(
        _l("E-mail of the approver's account"),
        validators=[DataRequired(_l("Give the e-mail address of an account.")), Length(max=254)],
    )
    submit = SubmitField(_l("Add the approver"))


class PartyActionForm(BaseForm):
    """Remove a party, or one of its approvers (``user_id``)."""

    user_id = HiddenField()
    submit = SubmitField(_l("Remove"))


class DecisionForm(BaseForm):
    party_id = HiddenField()
    decision = RadioField(
        _l("Your decision"),
        choices=[SelectChoice(d.value, label) for d, label in DECISION_LABELS.items()],
        validators=[DataRequired(_l("Choose: approve, or ask for changes."))],
    )
    comment = TextAreaField(
        _l("Comment (required when you ask for changes)"), validators=[Length(max=5000)]
    )
    submit = SubmitField(_l("Send the decision"))
