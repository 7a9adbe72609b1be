"""What accounts announce. Other areas listen; accounts imports none of them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with the user (as sender) whose address was just confirmed, by the confirmation link
#: or a password reset: responses then joins the one-off respondent of that address.
email_confirmed = _signals.signal("email-confirmed")
