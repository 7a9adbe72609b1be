"""consult: drafting a regional health agreement in the open."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask import abort
from flask import request
from flask_login import current_user

from consult.config import Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | dict | None = None) -> Flask:
    """Build the app: config -> extensions -> security -> blueprints -> cli."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_relative_config=True,
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config.from_prefixed_env("CONSULT")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'consult.db'}"
        )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")

    from consult import logging as app_logging

    app_logging.init_app(app)
    _init_extensions(app)
    _init_security(app)
    _register_blueprints(app)
    app_logging.watch_routes(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from consult import i18n

    # Every area's models, so relationships resolve and Alembic sees every table.
    from consult.accounts import models as _accounts  # noqa: F401
    from consult.analysis import models as _analysis  # noqa: F401
    from consult.analysis import search as _search  # noqa: F401 - keeps the SQLite index
    from consult.api import models as _api  # noqa: F401
    from consult.approvals import models as _approvals  # noqa: F401
    from consult.audit import models as _audit  # noqa: F401
    from consult.drafts import models as _drafts  # noqa: F401
    from consult.extensions import babel
    from consult.extensions import csrf
    from consult.extensions import db
    from consult.extensions import limiter
    from consult.extensions import login_manager
    from consult.extensions import migrate
    from consult.invitations import models as _invitations  # noqa: F401
    from consult.jobs import models as _jobs  # noqa: F401
    from consult.jobs.queue import job_queue
    from consult.mail import models as _mail  # noqa: F401
    from consult.moderation import models as _moderation  # noqa: F401
    from consult.privacy import models as _privacy  # noqa: F401
    from consult.readside import staff as _staff  # noqa: F401 - stores inputs' masked text
    from consult.reference import models as _reference  # noqa: F401
    from consult.responses import models as _responses  # noqa: F401
    from consult.sessions import models as _sessions  # noqa: F401
    from consult.storage import models as _storage  # noqa: F401
    from consult.themes import models as _themes  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Europe/Copenhagen"
    )
    job_queue.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = None  # the server-side LoginSession does this job
    i18n.init_app(app)
    from consult.accounts import oidc

    oidc.init_app(app)


def _init_security(app: Flask) -> None:
    from consult import errors
    from consult import health
    from consult import i18n
    from consult import permissions
    from consult import security

    security.init_app(app)
    errors.init_app(app)

    @app.before_request
    def _early():
        # Reject control characters in the URL before anything reads it.
        if "\x00" in request.path or any("\x00" in v for v in request.args.values()):
            abort(400)
        if health.is_probe():
            return  # /healthz, /readyz: no user, no session, no language
        # Load the signed-in user first, so its session bookkeeping never commits view work.
        _ = current_user.is_authenticated
        i18n.remember_lang_from_query()

    app.before_request(permissions.enforce_access)
    permissions.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from consult.accounts.timeout import bp as signin_time_bp
    from consult.accounts.views import bp as accounts_bp
    from consult.analysis.input_views import bp as inputs_bp
    from consult.analysis.theme_views import bp as theme_replies_bp
    from consult.analysis.views import bp as analysis_bp
    from consult.api.views import bp as api_bp
    from consult.approvals.views import bp as approvals_bp
    from consult.drafts.staff_views import bp as staff_bp
    from consult.drafts.views import bp as drafts_bp
    from consult.exports.views import bp as exports_bp
    from consult.health import bp as health_bp
    from consult.invitations.views import bp as invitations_bp
    from consult.moderation.public_views import bp as published_bp
    from consult.moderation.views import bp as moderation_bp
    from consult.privacy import legal
    from consult.privacy.views import bp as privacy_bp
    from consult.readside import templating
    from consult.reference.views import bp as reference_bp
    from consult.responses.views import bp as responses_bp
    from consult.sessions.live_views import bp as live_bp
    from consult.sessions.participate_views import bp as participate_bp
    from consult.sessions.views import bp as sessions_bp
    from consult.themes.views import bp as themes_bp

    app.register_blueprint(drafts_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(signin_time_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(reference_bp)
    app.register_blueprint(responses_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(published_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(participate_bp)
    app.register_blueprint(invitations_bp)
    app.register_blueprint(analysis_bp)
    app.register_blueprint(inputs_bp)
    app.register_blueprint(theme_replies_bp)
    app.register_blueprint(themes_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(approvals_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(legal.bp)
    legal.init_app(app)
    # Labels and the per-audience text filters every template uses.
    templating.init_app(app)


def _register_cli(app: Flask) -> None:
    from consult.cli import consult_cli
    from consult.cli import translate_cli

    app.cli.add_command(consult_cli)
    app.cli.add_command(translate_cli)
