"""News of a new version: respondents opt in when they submit; each gets one e-mail per
version, in their language, saying what changed on the goals they answered."""

from __future__ import annotations

from sqlalchemy import select

from consult.drafts import editing
from consult.drafts import jobs as draft_jobs
from consult.drafts import trail as trails
from consult.drafts import workflow
from consult.drafts.models import Status
from consult.drafts.models import VersionNotice
from consult.extensions import db
from consult.jobs import latest
from consult.jobs.queue import job_queue
from consult.mail.models import OutboxMessage
from consult.reference.seed import load_reference_data
from consult.responses.models import Response
from tests.factories import about_me
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def opt_in(*responses):
    for response in responses:
        response.wants_news = True
    db.session.flush()


def publish(reported):
    c = reported.consultation
    editing.update_revision(
        reported.revision(), title_da="Flere ældre trives hjemme", title_en="More older people"
    )
    trails.save_change(
        reported.secretariat, c, reported.working_copy, reported.item(),
        reason_da="Mange bad om fokus på ældre.", reason_en="Many asked for older people.",
        input_ids=reported.inputs(reported.citizen), tag_ids=[],
    )  # fmt: skip
    c.status = Status.APPROVAL
    workflow.publish(c, reported.secretariat, news_link="http://consult.test/v2")
    return latest("drafts.send_version_news", f"version:{reported.working_copy.id}")


def test_each_respondent_who_asked_gets_one_mail_in_their_language(reported, run_jobs):
    opt_in(reported.citizen, reported.organisation)  # the private one did not ask
    job = publish(reported)
    assert job is not None and outbox() == []
    db.session.commit()
    assert run_jobs() == 1
    mails = {m.recipient: m for m in outbox()}
    assert set(mails) == {reported.citizen.respondent.email, reported.organisation.respondent.email}
    danish = mails[reported.citizen.respondent.email]
    assert "2. udkast" in danish.subject
    assert "Flere ældre trives hjemme: ændret" in danish.body_text
    assert "Hvorfor: Mange bad om fokus på ældre." in danish.body_text
    assert "http://consult.test/v2" in danish.body_text
    english = mails[reported.organisation.respondent.email]
    assert "Draft 2" in english.subject
    # The organisation answered two goals: one changed, one not.
    assert "More older people: changed" in english.body_text
    assert "EN Mål 2.1: unchanged" in english.body_text
    assert "Why: Many asked for older people." in english.body_text


def test_the_news_is_sent_once_however_often_the_job_runs(reported, run_jobs, app):
    opt_in(reported.citizen, reported.organisation)
    job = publish(reported)
    db.session.commit()
    job_queue.of(app).dispatch(job.id)  # as if the queue handed it over twice
    assert run_jobs() == 2
    assert len(outbox()) == 2
    # Run again by hand, and publishing asks again: nobody hears twice about one version.
    assert draft_jobs.send_version_news(reported.working_copy, "http://x/") == 0
    workflow.queue_news(reported.consultation, reported.working_copy, None, link="http://x/")
    db.session.commit()
    run_jobs()
    assert len(outbox()) == 2
    notices = db.session.scalars(select(VersionNotice)).all()
    assert len(notices) == 2 and all(n.message_id for n in notices)


def test_a_respondent_who_asks_later_hears_about_the_version(reported, run_jobs):
    opt_in(reported.citizen)
    publish(reported)
    db.session.commit()
    run_jobs()
    assert len(outbox()) == 1
    opt_in(reported.organisation)
    assert draft_jobs.send_version_news(reported.working_copy, "http://x/") == 1
    assert len(outbox()) == 2


def test_a_working_copy_sends_nothing(reported):
    opt_in(reported.citizen)
    assert draft_jobs.send_version_news_job(
        None, version_id=reported.working_copy.id, link="http://x/"
    ) == {"sent": 0}
    assert outbox() == []


def test_the_submit_step_asks_and_stores_the_answer(client):
    load_reference_data()
    c = make_consultation()
    sign_in(client, make_user(email="nyheder@example.dk"))
    assert about_me(client, c).status_code == 302
    base = f"/consultations/{c.slug}/respond"
    goal = f"{base}/items/fa-1-goal-2"
    data = {"stance": "support", "importance": "", "text": "Godt."}
    assert post_form(client, goal, data).status_code == 302
    html = client.get(base + "/?lang=en").get_data(as_text=True)
    assert "E-mail me when the next version or the memo is published" in html
    key = html.split('name="key" type="hidden" value="')[1].split('"')[0]
    token = csrf_token(client, base + "/")
    response = client.post(
        f"{base}/submit", data={"key": key, "csrf_token": token, "wants_news": "y"}
    )
    assert response.status_code == 302
    saved = db.session.scalar(select(Response).where(Response.consultation_id == c.id))
    db.session.refresh(saved)
    assert saved.wants_news is True
    html = client.get(base + "/?lang=en").get_data(as_text=True)
    assert 'id="wants_news" name="wants_news" value="y" checked' in html
