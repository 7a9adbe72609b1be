"""Sign-in, registration, e-mail confirmation, password reset, the account page, users (admin)."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts import oidc
from consult.accounts import services
from consult.accounts import totp
from consult.accounts.forms import ROLE_LABELS
from consult.accounts.forms import ChangePasswordForm
from consult.accounts.forms import EmailOnlyForm
from consult.accounts.forms import EmptyForm
from consult.accounts.forms import LoginForm
from consult.accounts.forms import ProfileForm
from consult.accounts.forms import RegisterForm
from consult.accounts.forms import ResetPasswordForm
from consult.accounts.forms import RoleForm
from consult.accounts.models import Role
from consult.accounts.models import User
from consult.accounts.passwords import MIN_LENGTH
from consult.accounts.passwords import verify_password
from consult.accounts.signin_views import begin_second_step
from consult.accounts.tokens import read_confirm_token
from consult.accounts.tokens import read_reset_token
from consult.db import end_read_transaction
from consult.extensions import db
from consult.extensions import limiter
from consult.i18n import current_lang
from consult.permissions import can_manage_users
from consult.permissions import ensure
from consult.permissions import is_signed_in
from consult.permissions import public
from consult.permissions import requires
from consult.security import end_all_login_sessions
from consult.security import end_login_session
from consult.security import start_login_session

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _add_routes() -> None:
    from consult.accounts.signin_views import ROUTES

    for rule, view, methods in ROUTES:
        bp.add_url_rule(rule, view_func=view, methods=methods)


USERS_PER_PAGE = 50


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _mail_limit() -> str:
    return current_app.config["MAIL_RATE_LIMIT"]


def email_key() -> str:
    """Rate-limit key for the address typed in the form; hashed, so no address sits in Redis."""
    email = (request.form.get("email") or "").strip().lower()
    return "email:" + hashlib.sha256(email.encode()).hexdigest()


def safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(c) < 32 for c in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


#: Where each staff role's work starts.
STAFF_LANDING = {
    Role.ADMIN: "staff.list_consultations",
    Role.SECRETARIAT: "staff.list_consultations",
    Role.MODERATOR: "moderation.list_queue",
    Role.FACILITATOR: "sessions.list_meetings",
}


def _landing(user: User) -> str:
    """Where a sign-in without ``next`` goes: the role's work, the confirmation banner, or home."""
    if user.role in STAFF_LANDING:
        return url_for(STAFF_LANDING[user.role])
    if not user.is_confirmed:
        return url_for("accounts.show_account")
    return url_for("drafts.list_consultations")


@bp.context_processor
def _password_rules() -> dict:
    return {"password_min_length": MIN_LENGTH}


# --- sign in and out -----------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=email_key)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or _landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("The e-mail address or the password is wrong."))
        elif totp.needs_second_factor(user):
            db.session.commit()  # a rehashed password, if any
            return begin_second_step(user, safe_next(request.args.get("next")))
        else:
            # No remember-me cookie: the server-side login session keeps people signed in
            # for its lifetime and can be ended from the server, which a remember cookie cannot.
            start_login_session(user)
            login_user(user)
            if user.locale:
                session["lang"] = user.locale
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or _landing(user))
    return render_template("accounts/login.html", form=form, oidc=oidc.enabled())


@bp.route("/logout", methods=["POST"])
@requires(is_signed_in)
def logout():
    form = EmptyForm()
    if not form.validate_on_submit():
        return redirect(url_for("drafts.list_consultations"))
    lang = session.get("lang")
    end_login_session()
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    db.session.commit()
    flash(_("You are signed out."), "success")
    return redirect(url_for("drafts.list_consultations"))


# --- registration and confirmation -------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_mail_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.show_account"))
    form = RegisterForm()
    if form.validate_on_submit():
        services.register(form.email.data, form.password.data, form.name.data, current_lang())
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data)
    return render_template("accounts/register.html", form=form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    """The link shows a button; pressing it (a POST) confirms.

    E-mail scanners (Outlook's Safe Links) fetch every link in a message: a GET changes nothing.
    """
    user = read_confirm_token(token)
    if user is None:
        return render_template("accounts/link_invalid.html"), 400
    form = EmptyForm()
    if not user.is_confirmed and not form.validate_on_submit():
        return render_template("accounts/confirm_email.html", user=user, form=form)
    if not user.is_confirmed:
        services.confirm_email(user)
        db.session.commit()
    flash(_("Thank you. Your e-mail address is confirmed."), "success")
    return redirect(
        url_for("accounts.show_account")
        if current_user.is_authenticated
        else url_for("accounts.login")
    )


@bp.route("/confirm", methods=["POST"])
@requires(is_signed_in)
@limiter.limit(_mail_limit)
def resend_confirmation():
    form = EmptyForm()
    if form.validate_on_submit() and not current_user.is_confirmed:
        services.send_confirmation(current_user)
        db.session.commit()
        flash(_("We have sent you a new link. Check your e-mail."), "success")
    return redirect(safe_next(request.args.get("next")) or url_for("accounts.show_account"))


# --- forgotten password ------------------------------------------------------------------------


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(_mail_limit, methods=["POST"])
@limiter.limit(_mail_limit, methods=["POST"], key_func=email_key)
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = services.find_user_by_email(form.email.data)
        if user is not None and not user.is_disabled:
            services.send_password_reset(user)
            db.session.commit()
        # The same answer either way: the form never tells who has an account.
        return render_template("accounts/check_email.html", email=form.email.data, reset=True)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    user = read_reset_token(token)
    if user is None:
        return render_template("accounts/link_invalid.html", reset=True), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        end_read_transaction()  # no lock held while Argon2 hashes the new password
        services.set_password(user, form.password.data)
        services.confirm_email(user)  # the link proved the address
        end_all_login_sessions(user)
        db.session.commit()
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


# --- the account page --------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@requires(is_signed_in)
def show_account():
    profile = ProfileForm(obj=current_user, prefix="profile")
    if profile.submit.data and profile.validate_on_submit():
        services.update_profile(current_user, name=profile.name.data, locale=profile.locale.data)
        session["lang"] = profile.locale.data
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("accounts.show_account"))
    return render_template(
        "accounts/account_show.html",
        profile=profile,
        password_form=ChangePasswordForm(prefix="password"),
        resend_form=EmptyForm(),
        role_label=ROLE_LABELS[current_user.role],
        recovery_left=totp.remaining_recovery_codes(current_user),
    )


@bp.route("/password", methods=["POST"])
@requires(is_signed_in)
@limiter.limit(_login_limit)
def change_password():
    form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        stored = current_user.password_hash
        end_read_transaction()  # no lock held while Argon2 checks and hashes
        if not verify_password(stored, form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            services.set_password(current_user, form.password.data)
            end_all_login_sessions(current_user, keep_current=True)
            db.session.commit()
            flash(_("Your password is changed. You are signed out everywhere else."), "success")
            return redirect(url_for("accounts.show_account"))
    return render_template(
        "accounts/account_show.html",
        profile=ProfileForm(obj=current_user, prefix="profile"),
        password_form=form,
        resend_form=EmptyForm(),
        role_label=ROLE_LABELS[current_user.role],
        recovery_left=totp.remaining_recovery_codes(current_user),
    )


# --- users (admin) -----------------------------------------------------------------------------


@bp.route("/users")
@requires(can_manage_users)
def list_users():
    page = max(request.args.get("page", 1, type=int), 1)
    total = db.session.scalar(select(func.count()).select_from(User))
    users = db.session.scalars(
        select(User).order_by(User.email).limit(USERS_PER_PAGE).offset((page - 1) * USERS_PER_PAGE)
    ).all()
    forms = {u.id: RoleForm(prefix=f"u{u.id}", role=u.role.value) for u in users}
    return render_template(
        "accounts/user_list.html",
        users=users,
        forms=forms,
        toggle=EmptyForm(),
        page=page,
        pages=max((total + USERS_PER_PAGE - 1) // USERS_PER_PAGE, 1),
        total=total,
        role_labels=ROLE_LABELS,
    )


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@requires(can_manage_users)
def change_role(user_id: int):
    user = db.session.get(User, user_id)
    ensure(user is not None, 404)
    form = RoleForm(prefix=f"u{user_id}")
    if form.validate_on_submit():
        if user.id == current_user.id and form.role.data != Role.ADMIN.value:
            flash(_("You cannot take the admin role from yourself."), "error")
        else:
            services.set_role(user, Role(form.role.data), actor=current_user)
            db.session.commit()
            flash(
                _(
                    "The role of %(email)s is now %(role)s.",
                    email=user.email,
                    role=ROLE_LABELS[user.role],
                ),
                "success",
            )
    return redirect(url_for("accounts.list_users"))


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@requires(can_manage_users)
def toggle_user(user_id: int):
    user = db.session.get(User, user_id)
    ensure(user is not None, 404)
    if EmptyForm().validate_on_submit():
        if user.id == current_user.id:
            flash(_("You cannot disable your own account."), "error")
        else:
            services.set_disabled(user, not user.is_disabled, actor=current_user)
            db.session.commit()
            flash(
                _("%(email)s is disabled.", email=user.email)
                if user.is_disabled
                else _("%(email)s is enabled again.", email=user.email),
                "success",
            )
    return redirect(url_for("accounts.list_users"))


_add_routes()
