"""Languages: choice and memory of the locale, and a complete, up-to-date Danish catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in

ROOT = Path(__file__).parents[1]


def lang_of(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_danish_by_default(client):
    assert lang_of(client.get("/")) == "da"


def test_accept_language_is_honoured_on_a_first_visit(client):
    assert lang_of(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})) == "en"
    assert lang_of(client.get("/", headers={"Accept-Language": "de-DE,fr;q=0.8"})) == "da"


def test_lang_parameter_switches_and_is_remembered(client):
    assert lang_of(client.get("/?lang=en")) == "en"
    assert lang_of(client.get("/")) == "en"
    # The remembered choice beats the browser's.
    assert lang_of(client.get("/", headers={"Accept-Language": "da"})) == "en"
    assert lang_of(client.get("/?lang=da")) == "da"
    assert lang_of(client.get("/?lang=xx")) == "da"


def test_a_signed_in_users_choice_is_saved_on_the_account(client):
    from consult.extensions import db

    user = make_user()
    sign_in(client, user)
    client.get("/?lang=en")
    db.session.expire_all()
    assert user.locale == "en"


def test_english_text_falls_back_to_danish_marked_as_danish(client):
    c = make_consultation(title_en="")
    html = client.get(f"/consultations/{c.slug}/?lang=en").get_data(as_text=True)
    assert f'<span lang="da">{c.title_da}</span>' in html


def test_language_switch_link_keeps_the_page(client):
    c = make_consultation()
    html = client.get(f"/consultations/{c.slug}/").get_data(as_text=True)
    assert f'href="/consultations/{c.slug}/?lang=en"' in html


def _extract(tmp_path: Path) -> Path:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return pot


def _ids(path: Path) -> set:
    with path.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_catalog_is_in_step_with_the_code(tmp_path):
    """Fails when code or templates changed strings and `flask translate update` was not run."""
    fresh = _ids(_extract(tmp_path))
    committed = _ids(ROOT / "translations" / "messages.pot")
    assert fresh - committed == set(), "new strings: run `flask translate update`"
    assert committed - fresh == set(), "stale strings: run `flask translate update`"


def test_every_string_has_a_danish_translation(tmp_path):
    wanted = _ids(_extract(tmp_path))
    with (ROOT / "translations" / "da" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    done = set()
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            done.add(message.id)
    missing = sorted(str(m) for m in wanted - done)
    assert not missing, f"{len(missing)} strings lack Danish: {missing[:10]}"


def test_counts_in_sentences_are_written_as_the_language_writes_numbers(app):
    from flask_babel import refresh

    template = app.jinja_env.from_string('{{ ngettext("%(num)d input", "%(num)d inputs", n) }}')
    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        refresh()  # the locale is cached on the app context the fixture keeps
        assert template.render(n=1014) == "1.014 input"
        assert template.render(n=1) == "1 input"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        refresh()  # the locale is cached on the app context the fixture keeps
        assert template.render(n=10000) == "10,000 inputs"


def test_times_read_kl_in_danish(app):
    from datetime import UTC
    from datetime import datetime

    from flask_babel import refresh

    from consult.i18n import format_deadline
    from consult.i18n import format_when

    noon = datetime(2027, 1, 31, 11, 0, tzinfo=UTC)  # 12.00 in Copenhagen
    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        refresh()  # the locale is cached on the app context the fixture keeps
        assert format_deadline(noon) == "31. januar 2027 kl. 12.00"
        assert format_when(noon) == "31. jan. 2027 kl. 12.00"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        refresh()  # the locale is cached on the app context the fixture keeps
        assert format_deadline(noon) == "31 January 2027, 12:00"
        assert format_when(noon) == "31 Jan 2027, 12:00"


def test_a_failed_form_says_error_in_the_title_and_takes_the_focus(client):
    from tests.factories import post_form

    html = post_form(client, "/account/login", {"email": "", "password": ""}).get_data(as_text=True)
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("Fejl: "), title
    assert 'class="error-summary" role="alert"' in html and "autofocus" in html
    # WTForms' own messages are Danish on Danish pages.
    assert "Feltet skal udfyldes." in html or "This field is required." not in html
    ok = client.get("/account/login").get_data(as_text=True)
    assert not ok.split("<title>", 1)[1].startswith("Fejl")


def test_wtforms_messages_are_danish_on_danish_pages(app):
    from flask_babel import refresh
    from wtforms import IntegerField

    from consult.forms import BaseForm

    class Form(BaseForm):
        count = IntegerField()

    with app.test_request_context(
        "/", headers={"Accept-Language": "da"}, method="POST", data={"count": "abc"}
    ):
        refresh()  # the locale is cached on the app context the fixture keeps
        form = Form(meta={"csrf": False})
        assert not form.validate()
        assert form.count.errors == ["Ikke et gyldigt heltal."]
    with app.test_request_context(
        "/", headers={"Accept-Language": "en"}, method="POST", data={"count": "abc"}
    ):
        refresh()  # the locale is cached on the app context the fixture keeps
        form = Form(meta={"csrf": False})
        assert not form.validate()
        assert form.count.errors == ["Not a valid integer value."]


def test_what_people_wrote_is_marked_danish_on_english_pages(client):
    """WCAG 3.1.2: input, tags and meeting titles keep their own language on English pages."""
    import lxml.html
    from sqlalchemy import select

    from consult.accounts.models import Role
    from consult.analysis import services as analysis
    from consult.extensions import db
    from consult.moderation import services as moderation
    from consult.moderation.models import Contribution
    from consult.reference.seed import load_reference_data
    from tests.factories import make_response

    load_reference_data()
    c = make_consultation()
    response = make_response(c, {"fa-1-goal-1": "Markørtekst om genoptræning i kommunen."})
    staff = make_user(Role.SECRETARIAT)
    for contribution in db.session.scalars(
        select(Contribution).where(Contribution.response_id == response.id)
    ):
        moderation.publish(contribution, make_user(Role.MODERATOR))
    tag = analysis.create_tag(c.id, "Mærkattema")
    analysis.tag_inputs(tag, [i.id for i in response.inputs])
    db.session.flush()

    def lang_around(html: str, marker: str) -> str | None:
        tree = lxml.html.fromstring(html)
        found = tree.xpath(f"//*[contains(text(), '{marker}')]")
        assert found, marker
        node = found[0]
        while node is not None and node.get("lang") is None:
            node = node.getparent()
        return node.get("lang") if node is not None else None

    public = client.get(f"/consultations/{c.slug}/items/fa-1-goal-1/input?lang=en")
    assert lang_around(public.get_data(as_text=True), "Markørtekst") == "da"
    sign_in(client, staff)
    browse = client.get(f"/staff/consultations/{c.slug}/inputs/?lang=en").get_data(as_text=True)
    assert lang_around(browse, "Markørtekst") == "da"
    assert lang_around(browse, "Mærkattema") == "da"
    # On Danish pages nothing extra is marked.
    danish = client.get(f"/staff/consultations/{c.slug}/inputs/?lang=da").get_data(as_text=True)
    assert lang_around(danish, "Markørtekst") == "da"  # the page's own lang
    assert '<span lang="da">Mærkattema' not in danish


def test_language_names_are_marked_with_their_own_language(client):
    from consult.accounts.models import Role

    c = make_consultation()
    sign_in(client, make_user(Role.SECRETARIAT))
    html = client.get(f"/staff/consultations/{c.slug}/exports/?lang=da").get_data(as_text=True)
    assert '<span lang="en">English</span>' in html
    html = client.get(f"/staff/consultations/{c.slug}/exports/?lang=en").get_data(as_text=True)
    assert '<span lang="da">Dansk</span>' in html
