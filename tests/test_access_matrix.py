"""Walk every route for every role: default deny, and a new route without an entry fails here.

EXPECTED says who may use each endpoint. The test signs in as each role (and as nobody),
calls every endpoint with every method it accepts, and checks the answer: anonymous visitors
are sent to sign in, the wrong role gets 403, the right one gets past the access check.
"""

from __future__ import annotations

import re

import pytest
from flask import url_for

from consult.accounts.models import Role
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in

PUBLIC = "public"
SIGNED_IN = "signed_in"
STAFF = "staff"
SECRETARIAT = "secretariat"
MODERATE = "moderate"
MEETINGS = "meetings"
ADMIN = "admin"
APPROVE = "approve"
APPROVAL_READ = "approval_read"
#: Every role but respondent: who signs in with a second factor (consult.accounts.totp).
TWO_STEP = "two_step"

ALLOWED: dict[str, set[Role]] = {
    SIGNED_IN: set(Role),
    STAFF: {Role.ADMIN, Role.SECRETARIAT, Role.MODERATOR, Role.FACILITATOR},
    SECRETARIAT: {Role.ADMIN, Role.SECRETARIAT},
    MODERATE: {Role.ADMIN, Role.SECRETARIAT, Role.MODERATOR},
    MEETINGS: {Role.ADMIN, Role.SECRETARIAT, Role.FACILITATOR},
    ADMIN: {Role.ADMIN},
    APPROVE: {Role.APPROVER},
    APPROVAL_READ: {Role.ADMIN, Role.SECRETARIAT, Role.APPROVER},
    TWO_STEP: {role for role in Role if role.is_staff},
}

#: Every endpoint and who may use it. Prefix match on "area." is not allowed: list each one.
EXPECTED: dict[str, str] = {
    "static": PUBLIC,
    # probes for load balancers and systemd (tests/test_health.py)
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    # drafts (public reading)
    "drafts.list_consultations": PUBLIC,
    "drafts.show_consultation": PUBLIC,
    "drafts.show_item": PUBLIC,
    "drafts.print_consultation": PUBLIC,
    "drafts.show_accessibility": PUBLIC,
    # versions: every published version, what changed and why, the input behind a change
    "drafts.list_versions": PUBLIC,
    "drafts.show_version": PUBLIC,
    "drafts.show_changes": PUBLIC,
    "drafts.show_why": PUBLIC,
    # accounts
    "accounts.login": PUBLIC,
    "accounts.register": PUBLIC,
    "accounts.confirm_email": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.logout": SIGNED_IN,
    "accounts.show_account": SIGNED_IN,
    "signin_time.resume": SIGNED_IN,
    "signin_time.keep_alive": SIGNED_IN,
    "accounts.change_password": SIGNED_IN,
    "accounts.resend_confirmation": SIGNED_IN,
    "accounts.list_users": ADMIN,
    "accounts.change_role": ADMIN,
    "accounts.toggle_user": ADMIN,
    # the second step of a password sign-in, and OpenID Connect (tests/accounts/test_totp.py,
    # test_oidc.py): the pages themselves ask for the password step first
    "accounts.second_step": PUBLIC,
    "accounts.enrol_second_step": PUBLIC,
    "accounts.set_up_second_step": TWO_STEP,
    "accounts.renew_recovery_codes": TWO_STEP,
    "accounts.oidc_login": PUBLIC,
    "accounts.oidc_callback": PUBLIC,
    # privacy: a person's own data (the pages ask who is here); an admin on request
    "privacy.show_my_data": PUBLIC,
    "privacy.download_my_data": PUBLIC,
    "privacy.erase_me": PUBLIC,
    "privacy.find_person": ADMIN,
    "privacy.show_person": ADMIN,
    "privacy.download_person": ADMIN,
    "privacy.erase_person": ADMIN,
    "legal.show_privacy": PUBLIC,
    "legal.show_accessibility": PUBLIC,
    "legal.show_cookies": PUBLIC,
    # staff: writing drafts
    "staff.list_consultations": SECRETARIAT,
    "staff.new_consultation": SECRETARIAT,
    "staff.edit_consultation": SECRETARIAT,
    "staff.show_consultation": SECRETARIAT,
    "staff.change_status": SECRETARIAT,
    "staff.new_version": SECRETARIAT,
    "staff.new_item": SECRETARIAT,
    "staff.edit_item": SECRETARIAT,
    "staff.move_item": SECRETARIAT,
    "staff.delete_item": SECRETARIAT,
    "staff.add_line": SECRETARIAT,
    "staff.update_line": SECRETARIAT,
    "staff.preview_version": SECRETARIAT,
    "staff.compare_version": SECRETARIAT,
    "staff.publish_version": SECRETARIAT,
    "staff.import_version": SECRETARIAT,
    "staff.edit_change": SECRETARIAT,
    # sign-off: the secretariat sets up the parties, approvers decide (their own: tests/approvals)
    "approvals.list_parties": SECRETARIAT,
    "approvals.add_approver": SECRETARIAT,
    "approvals.remove_approver": SECRETARIAT,
    "approvals.remove_party": SECRETARIAT,
    "approvals.list_mine": APPROVE,
    "approvals.show_document": APPROVAL_READ,
    "approvals.decide": APPROVE,
    "approvals.make_memo": APPROVE,
    # responding: open to all; the pages themselves ask who you are (account or e-mail link)
    "responses.start": PUBLIC,
    "responses.open_link": PUBLIC,
    "responses.renew_link": PUBLIC,
    "responses.forget": PUBLIC,
    "responses.edit_profile": PUBLIC,
    "responses.edit_input": PUBLIC,
    "responses.remove_input": PUBLIC,
    "responses.edit_ranking": PUBLIC,
    "responses.edit_comment": PUBLIC,
    "responses.show_response": PUBLIC,
    "responses.submit": PUBLIC,
    "responses.show_receipt": PUBLIC,
    "responses.withdraw": PUBLIC,
    "responses.edit_letter": PUBLIC,
    "responses.remove_letter": PUBLIC,
    "responses.download_letter": PUBLIC,
    # moderation: the queue, reviews, originals and the audit log
    "moderation.list_queue": MODERATE,
    "moderation.bulk_publish": MODERATE,
    "moderation.show_contribution": MODERATE,
    "moderation.publish_contribution": MODERATE,
    "moderation.redact_contribution": MODERATE,
    "moderation.hide_contribution": MODERATE,
    "moderation.download_letter": MODERATE,
    "moderation.list_audit": MODERATE,
    # published input: for everyone
    "published.list_inputs": PUBLIC,
    "published.show_response": PUBLIC,
    "published.download_letter": PUBLIC,
    "published.report_contribution": PUBLIC,
    # sessions: facilitators and the secretariat (a facilitator only their own: test_sessions)
    **{
        f"sessions.{name}": MEETINGS
        for name in (
            "list_meetings new_meeting edit_meeting show_meeting start_meeting end_meeting "
            "confirm_meeting resolve_input minutes"
        ).split()
    },
    **{
        f"live.{name}": MEETINGS
        for name in (
            "capture set_current add_input edit_input delete_input accept_input discard_input "
            "merge_input projector qr_code"
        ).split()
    },
    # participants need no account: a join code, or the link in their e-mail
    "participate.enter_code": PUBLIC,
    "participate.speak": PUBLIC,
    "participate.now_on": PUBLIC,
    "participate.review_record": PUBLIC,
    # analysis: the secretariat's figures and its work on input
    **{
        f"analysis.{name}": SECRETARIAT
        for name in (
            "dashboard show_goal ranking chart_participation chart_goal chart_ranking".split()
        )
    },
    **{
        f"inputs.{name}": SECRETARIAT
        for name in (
            "browse apply_tag assign reply_to_selection show_input approve_reply list_tags "
            "list_groups find_groups label_group"
        ).split()
    },
    # a theme and the replies to it
    "theme_replies.show_tag": SECRETARIAT,
    # theme suggestions and seeded themes: the secretariat
    **{
        f"themes.{name}": SECRETARIAT
        for name in (
            "list_runs show_run merge_suggestions show_suggestion accept_suggestion "
            "rename_suggestion reject_suggestion split_suggestion seed pick_examples apply_seed"
        ).split()
    },
    # exports: the secretariat's files; the public report and open data for everyone
    "exports.list_exports": SECRETARIAT,
    "exports.start_export": SECRETARIAT,
    "exports.download_rankings": SECRETARIAT,
    "exports.download_statements": SECRETARIAT,
    "exports.show_export": APPROVAL_READ,
    "exports.download_export": APPROVAL_READ,
    "exports.show_report": PUBLIC,
    "exports.download_report": PUBLIC,
    # invitations (the høringsliste): BEGIN
    "invitations.list_invitations": SECRETARIAT,
    "invitations.new_invitation": SECRETARIAT,
    "invitations.import_invitations": SECRETARIAT,
    "invitations.remove_invitation": SECRETARIAT,
    "invitations.send_reminders": SECRETARIAT,
    "invitations.send_invitations": SECRETARIAT,
    # invitations: END
    # api: BEGIN
    # The read API answers public data to anyone (a staff token adds more: tests/api).
    "api.openapi": PUBLIC,
    "api.list_consultations": PUBLIC,
    "api.show_consultation": PUBLIC,
    "api.list_inputs": PUBLIC,
    "api.show_summary": PUBLIC,
    "api.not_found": PUBLIC,
    "api.list_tokens": SECRETARIAT,
    "api.create_token": SECRETARIAT,
    "api.revoke_token": SECRETARIAT,
    # api: END
    # reference data
    "reference.index": SECRETARIAT,
    "reference.list_entries": SECRETARIAT,
    "reference.new_entry": SECRETARIAT,
    "reference.edit_entry": SECRETARIAT,
    "reference.toggle_entry": SECRETARIAT,
}


def _endpoints(app):
    # Signing out last, so it does not end the session the other checks run in.
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "accounts.logout")
    for rule in rules:
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        yield rule.endpoint, rule, methods


def test_every_endpoint_has_an_entry(app):
    missing = sorted({e for e, _, _ in _endpoints(app)} - EXPECTED.keys())
    assert not missing, f"add these endpoints to EXPECTED: {missing}"
    stale = sorted(EXPECTED.keys() - {e for e, _, _ in _endpoints(app)})
    assert not stale, f"EXPECTED lists endpoints that no longer exist: {stale}"


def test_every_view_declares_its_access_rule(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not hasattr(view, "access")
    ]
    assert not undeclared


def _url(app, rule, consultation) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "slug":
            values[arg] = consultation.slug
        elif arg == "key":
            values[arg] = "fa-1-goal-1"
        elif arg == "kind":
            values[arg] = (
                "comments" if rule.endpoint == "exports.download_statements" else "clusters"
            )
        elif arg == "filename":
            values[arg] = "consult.css"
        elif rule._converters.get(arg).__class__.__name__ == "IntegerConverter":
            values[arg] = 1
        else:
            values[arg] = "x"
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_access_for_every_role(app, client, no_csrf, role):
    consultation = make_consultation()
    if role is not None:
        sign_in(client, make_user(role))
    problems = []
    for endpoint, rule, methods in _endpoints(app):
        expected = EXPECTED.get(endpoint)
        if expected is None:
            continue  # reported by test_every_endpoint_has_an_entry
        url = _url(app, rule, consultation)
        for method in methods:
            response = client.open(url, method=method, data={})
            status = response.status_code
            location = response.headers.get("Location", "")
            response.close()
            to_login = status == 302 and re.search(r"/account/login", location)
            if expected == PUBLIC:
                ok = status != 403 and not to_login
            elif role is None:
                ok = bool(to_login)
            elif role in ALLOWED[expected]:
                ok = status != 403 and not to_login
            else:
                ok = status == 403
            if not ok:
                problems.append(f"{method} {url} ({endpoint}, {expected}): {status} {location}")
            if status >= 500:
                problems.append(f"{method} {url}: server error")
    assert not problems, "\n".join(problems)


def test_every_form_refuses_a_post_without_its_csrf_token(app, client):
    """CSRF everywhere: every endpoint that takes a POST refuses one without a token."""
    consultation = make_consultation()
    sign_in(client, make_user(Role.ADMIN))
    client.get("/?lang=en")
    unprotected = []
    for endpoint, rule, methods in _endpoints(app):
        if "POST" not in methods:
            continue
        url = _url(app, rule, consultation)
        response = client.post(url, data={"text": "typed"})
        if response.status_code != 400 or "Your form has expired" not in response.get_data(
            as_text=True
        ):
            unprotected.append(f"{endpoint}: {response.status_code}")
        response.close()
    assert not unprotected
