"""Locale choice, bilingual fields and locale-aware formatting."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask import current_app
from flask import has_request_context
from flask import request
from flask import session
from flask_babel import format_date
from flask_babel import format_datetime
from flask_babel import format_decimal
from flask_babel import get_locale
from flask_babel import get_translations
from flask_babel import gettext
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup
from markupsafe import escape

from consult.db import utcnow
from consult.sanitize import render_paragraphs

TIMEZONE = ZoneInfo("Europe/Copenhagen")


def select_locale() -> str:
    """Pick the language: the user's setting, then ``?lang=``/session, then the browser, then da."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI: Danish unless a caller forces a locale
        return languages[0]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or languages[0]


def remember_lang_from_query() -> None:
    """Remember ``?lang=xx`` in the session (and on the account) for later visits."""
    lang = request.args.get("lang")
    if lang and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated and current_user.locale != lang:
            current_user.locale = lang
            from consult.security import commit_bookkeeping

            commit_bookkeeping()


def current_lang() -> str:
    return str(get_locale() or "da")


def localized(obj, field: str) -> tuple[str, str]:
    """Return (text, language) of ``obj.<field>_<lang>``, falling back to Danish."""
    lang = current_lang()
    if lang != "da":
        value = getattr(obj, f"{field}_{lang}", "") or ""
        if value.strip():
            return value, lang
    return getattr(obj, f"{field}_da", "") or "", "da"


def tr(obj, field: str) -> Markup:
    """Render a bilingual field inline; mark a Danish fallback with ``lang="da"`` (WCAG 3.1.2)."""
    text, lang = localized(obj, field)
    if lang != current_lang():
        return Markup('<span lang="{}">{}</span>').format(lang, text)
    return escape(text)


def tr_block(obj, field: str) -> Markup:
    """Render a bilingual multi-paragraph field as HTML paragraphs."""
    text, lang = localized(obj, field)
    html = render_paragraphs(text)
    if html and lang != current_lang():
        return Markup('<div lang="{}">{}</div>').format(lang, html)
    return html


def local(value: datetime) -> datetime:
    """Return ``value`` in Europe/Copenhagen."""
    return value.astimezone(TIMEZONE)


def format_deadline(value: datetime) -> str:
    """Return a deadline as people write it: "31. januar 2027 kl. 12.00" (English: "…, 12:00")."""
    pattern = "d MMMM y, HH:mm" if current_lang() == "en" else "d. MMMM y 'kl.' HH.mm"
    return format_datetime(value, pattern)


def format_when(value: datetime, width: str = "short") -> str:
    """Return a moment in lists and notes: "5. dec. 2026 kl. 12.00" / "5 Dec 2026, 12:00".

    Babel's own short Danish format ("05.12.2026 12.00") has no "kl." and reads as a number.
    """
    if current_lang() == "en":
        return format_datetime(value, "d MMM y, HH:mm")
    return format_datetime(value, "d. MMM y 'kl.' HH.mm")


def days_until(value: datetime, now: datetime | None = None) -> int:
    """Return whole calendar days from today to ``value``'s date, in Copenhagen."""
    now = now or utcnow()
    return (local(value).date() - local(now).date()).days


def format_file_size(size: int) -> str:
    """Return a file size as people read it: "820 kB", "2,5 MB" (decimal comma in Danish)."""
    if size < 1024 * 1024:
        return gettext("%(n)s kB", n=format_decimal(max(1, -(-size // 1024)), format="#,##0"))
    return gettext("%(n)s MB", n=format_decimal(size / 1024 / 1024, format="#,##0.#"))


#: Quotation marks as each language writes them: »…« in Danish, “…” in English.
QUOTES = {"da": ("\u00bb", "\u00ab"), "en": ("\u201c", "\u201d")}


def quote(text: str) -> str:
    """Put a plain text in the page language's quotation marks."""
    left, right = QUOTES.get(current_lang(), QUOTES["da"])
    return f"{left}{text}{right}"


def quoted(text) -> Markup:
    """The template filter: ``quote``, with the text escaped."""
    left, right = QUOTES.get(current_lang(), QUOTES["da"])
    return Markup("{}{}{}").format(left, text, right)


#: The language people write in here: input, meeting titles and tags are Danish unless known
#: otherwise (a meeting held in English says so).
PEOPLE_LANG = "da"


def people_lang(lang: str | None = None) -> Markup:
    """A ``lang`` attribute for an element holding what people wrote, when it is not the
    page's language (WCAG 3.1.2): `` lang="da"`` on English pages, nothing on Danish ones."""
    lang = lang or PEOPLE_LANG
    return Markup(' lang="{}"').format(lang) if lang != current_lang() else Markup("")


def written(text, lang: str | None = None) -> Markup:
    """A short text people wrote (a title, a tag), marked with its language when that is not
    the page's: ``<span lang="da">…</span>`` on English pages."""
    lang = lang or PEOPLE_LANG
    if not text or lang == current_lang():
        return escape(text or "")
    return Markup('<span lang="{}">{}</span>').format(lang, text)


@pass_context
def ngettext_numbers(__context, __singular: str, __plural: str, __num: int, **variables):
    """Templates' ``ngettext``, with the count written as the language writes numbers.

    Jinja's own formats ``%(num)d`` as a bare integer ("1014 input"); this one gives
    "1.014 input" in Danish and "1,014 inputs" in English. Installed after Flask-Babel's.
    """
    variables.setdefault("num", format_decimal(__num))
    text = get_translations().ungettext(__singular, __plural, __num)
    text = text.replace("%(num)d", "%(num)s")
    if __context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our catalog; the variables are escaped by %
    return text % variables


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        tr=tr,
        tr_block=tr_block,
        current_lang=current_lang,
        ngettext=ngettext_numbers,
        people_lang=people_lang,
    )
    app.jinja_env.filters.update(
        paragraphs=render_paragraphs,
        deadline=format_deadline,
        datetime=format_when,
        date=format_date,
        number=format_decimal,
        days_until=days_until,
        filesize=format_file_size,
        quoted=quoted,
        written=written,
    )
