"""The whole course walk of issue 3 in Chromium, on the demo academy.

A tutor adds a topic with a video lecture to the EUMK of HWA1204 (History of World Art, returned
with a comment in the demo) and submits it; the methodologist returns it asking for captions; the
tutor sees the comment, adds the captions and resubmits; the methodologist approves. The student
then watches the video (the browser's media requests and an explicit Range request are answered
206 with a Content-Range), downloads the offline package and opens its index.html from disk,
submits the course's essay task; the tutor grades it by the rubric and the student sees the mark;
a classmate's near-copy of the essay is flagged by the similarity check the tutor runs.

One test, because every step works on what the previous one left (the browser tests are
transactional: nothing survives from one test to the next). Staff sign in without TOTP
(`no_staff_mfa`; tests/e2e/test_mfa.py covers the authenticator).
"""

from __future__ import annotations

import datetime
import os
import re
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.accounts.models import User
from qashyq.assignments import services as assignment_services
from qashyq.assignments.demo import NEAR_COPY_ESSAY, ORIGINAL_ESSAY
from qashyq.courses.demo import CAPTIONS_FILE, MEDIA_DIR, VIDEO_FILE
from qashyq.courses.models import Eumk

pytestmark = [
    pytest.mark.usefixtures("no_staff_mfa"),
    # Known problem (stop note of 2026-11-29): on SQLite under xdist, in two CI runs in a row,
    # the tutor's session was lost mid-walk (the next page was the login page), at different
    # steps; the walk passes alone on SQLite and every time on PostgreSQL. Until the cause is
    # found it runs on PostgreSQL in CI (`make test-postgres`) and alone on SQLite.
    pytest.mark.skipif(
        bool(os.environ.get("PYTEST_XDIST_WORKER"))
        and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
        reason="loses the tutor's session on SQLite under xdist; runs on PostgreSQL",
    ),
]

TOPIC = "Бейнедәріс: өнертанудың әдістері"
VIDEO = "Бейнедәріс 3: әдістер"
COMMENT = "Бейнедәріске субтитр қосыңыз."
TASK = "СӨЖ 2: Мұражай экспонатына талдау"
RUBRIC = [
    {
        "title": "Мазмұны",
        "levels": [{"title": "Толық", "points": 60}, {"title": "Үстірт", "points": 20}],
    },
    {
        "title": "Тілі",
        "levels": [{"title": "Жақсы", "points": 40}, {"title": "Әлсіз", "points": 10}],
    },
]


def tr(message: str) -> str:
    with translation.override("kk"):
        return translation.gettext(message)


def signed_in(page, log_in, username: str) -> None:
    log_in(page, username)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def status_is(page, status: str) -> None:
    expect(page.locator("#version-status .badge")).to_have_text(tr(status))


@pytest.fixture
def course(demo_academy):
    """HWA1204 as the demo left it: the tutor teaches the student; its EUMK was returned."""
    tutor = User.objects.get(username="tutor")
    student = User.objects.get(username="student")
    offering = CourseOffering.objects.get(
        discipline__code="HWA1204", tutors=tutor, enrollments__student=student
    )
    eumk = Eumk.objects.get(discipline=offering.discipline)
    assert eumk.versions.get().status == "returned"
    classmate = (
        Enrollment.objects.filter(offering=offering)
        .exclude(student=student)
        .order_by("student__username")
        .first()
        .student
    )
    return {
        "tutor": tutor,
        "student": student,
        "classmate": classmate,
        "offering": offering,
        "eumk": eumk,
    }


def test_tutor_methodologist_and_student_walk_through_a_course(
    page, new_browser_page, log_in, course, tmp_path
):
    offering, eumk = course["offering"], course["eumk"]
    eumk_url = reverse("courses:eumk_detail", args=[eumk.pk])

    # --- the tutor adds a topic with a video lecture and submits the EUMK -----------------------
    tutor = page
    signed_in(tutor, log_in, "tutor")
    tutor.goto(eumk_url)
    add_topic = tutor.locator("form", has=tutor.get_by_role("group", name=tr("Add a topic")))
    # (Several forms share field names; each has its own ids: find the fields in this form.)
    add_topic.locator("input[name=week]").fill("3")
    add_topic.locator("input[name=title]").fill(TOPIC)
    add_topic.get_by_role("button", name=tr("Add")).click()
    topic = tutor.locator(".topic", has=tutor.locator(".topic__title", has_text=TOPIC))
    expect(topic).to_be_visible()

    topic.get_by_text(tr("Add a material"), exact=True).click()
    add_material = topic.locator("form", has=tutor.locator("input[name=kind], select[name=kind]"))
    add_material.locator("select[name=kind]").select_option("video")
    add_material.locator("input[name=title]").fill(VIDEO)
    add_material.locator("input[name=file]").set_input_files(MEDIA_DIR / VIDEO_FILE)
    add_material.get_by_role("button", name=tr("Add")).click()
    video_card = tutor.locator("article.material", has_text=VIDEO)
    expect(video_card.locator("video")).to_be_visible()
    expect(video_card.locator("video track")).to_have_count(0)

    tutor.locator("#submit-eumk").click()
    status_is(tutor, "Submitted for review")

    # --- the methodologist returns it with a comment --------------------------------------------
    methodologist = new_browser_page()
    signed_in(methodologist, log_in, "methodologist")
    methodologist.goto(eumk_url)
    review = methodologist.locator("#review-forms")
    review.locator("textarea[name=comment]").fill(COMMENT)
    review.get_by_role("button", name=tr("Return with the comment")).click()
    status_is(methodologist, "Returned for revision")

    # --- the tutor reads the comment, adds the captions and resubmits ---------------------------
    tutor.goto(eumk_url)
    expect(tutor.locator("#review-comment")).to_contain_text(COMMENT)
    status_is(tutor, "Returned for revision")
    material_pk = tutor.locator("article.material", has_text=VIDEO).get_attribute("id")
    material_pk = material_pk.removeprefix("material-")
    edit = tutor.locator(f"#material-edit-{material_pk}")
    edit.locator("summary").click()
    edit.locator("input[name=captions]").set_input_files(MEDIA_DIR / CAPTIONS_FILE)
    edit.locator("form", has=tutor.locator("input[name=captions]")).locator(
        "button[type=submit]"
    ).click()
    expect(tutor.locator("article.material", has_text=VIDEO).locator("video track")).to_have_count(
        1
    )
    tutor.locator("#submit-eumk").click()
    status_is(tutor, "Submitted for review")

    # --- the methodologist approves --------------------------------------------------------------
    methodologist.goto(eumk_url)
    methodologist.locator("#review-forms").get_by_role("button", name=tr("Approve")).click()
    status_is(methodologist, "Approved")

    # --- the student watches the video: Range requests answer 206 --------------------------------
    student = new_browser_page()
    signed_in(student, log_in, "student")
    media_responses = []  # the video's requests start on page load (preload="metadata")
    student.on(
        "response",
        lambda r: media_responses.append(r) if re.search(r"/materials/\d+/file/$", r.url) else None,
    )
    student.goto(reverse("courses:materials", args=[offering.pk]))
    expect(student.locator(".topic__title", has_text=TOPIC)).to_be_visible()
    card = student.locator("article.material", has_text=VIDEO)
    video = card.locator("video")
    expect(video.locator("track[kind=captions]")).to_have_count(1)
    file_url = video.locator("source").get_attribute("src")
    captions_url = video.locator("track").get_attribute("src")
    assert file_url.endswith("/file/") and captions_url.endswith("/captions/")

    video.evaluate("v => { v.muted = true; return v.play(); }")
    student.wait_for_function("v => v.currentTime > 0.5", arg=video.element_handle())
    assert video.evaluate("v => v.error") is None
    assert media_responses and all(r.url.endswith(file_url) for r in media_responses)
    assert {r.status for r in media_responses} == {206}  # Chromium asks for "bytes=0-"
    assert media_responses[0].headers["content-range"].startswith("bytes 0-")
    # Seeking: the second half of the file, asked for explicitly.
    size = (MEDIA_DIR / VIDEO_FILE).stat().st_size
    ranged = student.request.get(file_url, headers={"Range": f"bytes={size // 2}-{size // 2 + 99}"})
    assert ranged.status == 206
    assert ranged.headers["content-range"] == f"bytes {size // 2}-{size // 2 + 99}/{size}"
    assert ranged.body() == (MEDIA_DIR / VIDEO_FILE).read_bytes()[size // 2 : size // 2 + 100]
    captions = student.request.get(captions_url)
    assert captions.ok and captions.text().startswith("WEBVTT")
    assert "Өнертану" in captions.text()

    # --- the student downloads the offline package and opens it from disk ----------------------
    student.goto(reverse("courses:offline_page", args=[offering.pk]))
    with student.expect_download() as download:
        student.locator("#offline-download").click()
    package = tmp_path / "package.zip"
    download.value.save_as(package)
    with zipfile.ZipFile(package) as zf:
        zf.extractall(tmp_path / "package")
    offline = student.context.browser.new_context(java_script_enabled=False)
    try:
        disk = offline.new_page()
        disk.goto((tmp_path / "package" / "index.html").as_uri())
        expect(disk.locator(".topic__title", has_text=TOPIC)).to_have_count(1)
        expect(disk.get_by_text(VIDEO)).not_to_have_count(0)
        offline_video = disk.locator("video")
        expect(offline_video).to_have_count(1)
        src = offline_video.get_attribute("src")
        track = offline_video.locator("track").get_attribute("src")
        for path in (src, track):
            assert path.startswith("files/") and (tmp_path / "package" / path).is_file()
        assert (tmp_path / "package" / src).read_bytes() == (MEDIA_DIR / VIDEO_FILE).read_bytes()
    finally:
        offline.close()

    # --- the student submits the essay task -------------------------------------------------------
    task = assignment_services.task_create(
        actor=course["tutor"],
        offering=offering,
        title=TASK,
        instructions="Бір экспонатқа талдау жазыңыз.",
        due_at=timezone.now() + datetime.timedelta(days=7),
        rubric=RUBRIC,
    )
    assignment_services.task_set_published(actor=course["tutor"], task=task, published=True)
    task_url = reverse("assignments:task_detail", args=[task.pk])
    student.goto(task_url)
    student.locator("#id_text").fill(ORIGINAL_ESSAY)
    student.get_by_role("button", name=tr("Submit"), exact=True).click()
    expect(student.locator("#attempts")).to_contain_text(ORIGINAL_ESSAY[:40])
    # A classmate hands in a near-copy (reordered sentences, changed words, letters without
    # Kazakh diacritics).
    assignment_services.submission_submit(
        actor=course["classmate"], task=task, text=NEAR_COPY_ESSAY
    )

    # --- the tutor grades it by the rubric; the student sees the mark ---------------------------
    response = tutor.goto(reverse("assignments:submissions", args=[task.pk]))
    assert response is not None and response.status == 200, response and response.status
    row = tutor.locator("#submissions tbody tr", has_text=course["student"].full_name)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=tr("Grade"), exact=True).click()
    tutor.get_by_label("Толық (60)").check()
    tutor.get_by_label("Жақсы (40)").check()
    tutor.get_by_label(tr("Written feedback")).fill("Жақсы талдау.")
    tutor.get_by_label(tr("Release to the student")).check()
    tutor.get_by_role("button", name=tr("Save grade")).click()
    points = tutor.locator("#submissions tbody tr", has_text=course["student"].full_name)
    expect(points.locator("td").nth(3)).to_have_text(re.compile(r"^\s*100\b"))  # the Points column

    student.goto(task_url)
    feedback = student.locator("#attempts .feedback")
    expect(feedback).to_contain_text("100 / 100")
    expect(feedback).to_contain_text("Жақсы талдау.")

    # --- the tutor runs the similarity check; the near-copy pair is flagged ---------------------
    tutor.goto(reverse("assignments:similarity", args=[task.pk]))
    tutor.get_by_role("button", name=tr("Run the check again")).click()
    pair = tutor.locator(".similarity-pair")
    expect(pair).to_have_count(1)
    expect(pair.locator("h2")).to_contain_text(course["student"].full_name)
    expect(pair.locator("h2")).to_contain_text(course["classmate"].full_name)
    expect(pair.locator("mark").first).to_be_visible()
