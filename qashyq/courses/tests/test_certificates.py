"""Certificates of open courses: threshold, idempotence, PDF, public verification, revocation."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from qashyq.assignments.textextract import extract_text
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.courses import certificates, open_courses
from qashyq.courses.models import Certificate
from qashyq.courses.tests.open_fixtures import make_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def w(db):
    world = make_world()
    open_courses.open_course_enrol(actor=world.learner, course=world.course)
    return world


def complete(w, count: int | None = None) -> None:
    for material in w.materials[:count]:
        open_courses.open_material_mark_complete(
            actor=w.learner, course=w.course, material=material
        )


def issue(w):
    return certificates.certificate_issue(actor=w.learner, course=w.course, user=w.learner)


# --- codes ---------------------------------------------------------------------------------------


def test_codes_are_typable_and_normalised():
    code = certificates.new_code()
    assert certificates.CODE_RE.match(code)
    assert not set(code[4:].replace("-", "")) & set("0O1IL")
    assert certificates.normalise_code(code.lower().replace("-", " ")) == code
    assert certificates.normalise_code(code[4:]) == code
    assert certificates.normalise_code("QSQ-0000-1111") is None  # not from the alphabet
    assert certificates.normalise_code("hello") is None


# --- issuing -------------------------------------------------------------------------------------


def test_refused_below_the_threshold_and_nothing_is_written(w):
    complete(w, 2)
    with pytest.raises(ValidationFailed, match="2 of 3"):
        issue(w)
    assert not Certificate.objects.exists()
    assert not AuditLogEntry.objects.filter(action="certificate.issue").exists()


def test_issued_at_the_threshold_with_snapshots_and_audited(w):
    w.course.threshold_percent = 60
    w.course.save()
    complete(w, 2)  # 66.7 % >= 60 %
    certificate = issue(w)
    assert certificate.holder_name == "Құрманғазықызы Әсем"
    assert certificate.course_title_kk == "Қазақ тілі: бастауыш деңгей"
    assert certificate.hours == 36
    assert certificate.is_valid
    entry = AuditLogEntry.objects.get(action="certificate.issue")
    assert entry.actor == w.learner
    assert entry.new_value["code"] == certificate.code


def test_threshold_compares_exactly_without_rounding(w):
    w.course.threshold_percent = 67  # 2 of 3 is 66.67 %, which rounds to 67
    w.course.save()
    complete(w, 2)
    with pytest.raises(ValidationFailed):
        issue(w)


def test_issuing_is_idempotent_and_the_snapshot_survives_renames(w):
    complete(w)
    first = issue(w)
    w.course.title_kk = "Жаңа атау"
    w.course.save()
    assert issue(w) == first
    assert Certificate.objects.count() == 1
    assert AuditLogEntry.objects.filter(action="certificate.issue").count() == 1
    first.refresh_from_db()
    assert first.course_title_kk == "Қазақ тілі: бастауыш деңгей"


def test_only_learners_and_managers_get_certificates(w):
    complete(w)
    with pytest.raises(PermissionDenied):
        certificates.certificate_issue(actor=w.outsider, course=w.course, user=w.learner)
    with pytest.raises(ValidationFailed):  # asks for themselves, but not enrolled
        certificates.certificate_issue(actor=w.outsider, course=w.course, user=w.outsider)
    assert not Certificate.objects.exists()
    certificate = certificates.certificate_issue(
        actor=w.methodologist, course=w.course, user=w.learner
    )
    assert certificate.user == w.learner


def test_no_certificate_when_the_course_issues_none(w):
    w.course.certificate_enabled = False
    w.course.save()
    complete(w)
    with pytest.raises(ValidationFailed):
        issue(w)
    assert not Certificate.objects.exists()


def test_learner_asks_for_the_certificate_in_the_browser_flow(client, w):
    client.force_login(w.learner)
    url = reverse("courses:open_certificate", args=[w.course.slug])
    response = client.post(url, follow=True)
    assert "Complete at least 100% of the materials first" in response.content.decode()
    assert not Certificate.objects.exists()
    complete(w)
    page = client.get(reverse("courses:open_course", args=[w.course.slug])).content.decode()
    assert "Get the certificate" in page
    response = client.post(url, follow=True)
    certificate = Certificate.objects.get()
    assert certificate.code in response.content.decode()


# --- the PDF -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title"),
    [("kk", "Қазақ тілі: бастауыш деңгей"), ("en", "Kazakh language: beginners")],
)
def test_pdf_is_a_real_pdf_with_the_kazakh_name_and_the_code(client, w, language, title):
    complete(w)
    certificate = issue(w)
    client.force_login(w.learner)
    response = client.get(
        reverse("courses:open_certificate_pdf", args=[w.course.slug]), {"lang": language}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(pypdf.PdfReader(io.BytesIO(response.content)).pages) == 1
    text = " ".join(extract_text(response.content).split())
    assert "Құрманғазықызы Әсем" in text
    assert certificate.code in text
    assert title in text
    assert f"/certificates/{certificate.code}/" in text
    with translation.override(language):  # the date is written in the certificate's language
        issued = date_format(timezone.localtime(certificate.issued_at).date(), "j E Y")
    assert issued in text


def test_pdf_only_for_the_holder(client, w):
    complete(w)
    issue(w)
    client.force_login(w.outsider)
    response = client.get(reverse("courses:open_certificate_pdf", args=[w.course.slug]))
    assert response.status_code == 404


# --- public verification -------------------------------------------------------------------------


def test_verification_page_valid_for_anyone_with_no_other_personal_data(client, w):
    complete(w)
    certificate = issue(w)
    response = client.get(reverse("courses:certificate_verify_code", args=[certificate.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The certificate is valid" in page
    assert "Құрманғазықызы Әсем" in page
    assert "Kazakh language: beginners" in page
    assert w.learner.email not in page
    assert w.learner.username not in page


def test_verify_form_accepts_a_sloppily_typed_code(client, w):
    complete(w)
    certificate = issue(w)
    typed = certificate.code.lower().replace("-", " ")
    response = client.get(reverse("courses:certificate_verify"), {"code": typed}, follow=True)
    assert "The certificate is valid" in response.content.decode()


def test_unknown_and_malformed_codes(client, w):
    response = client.get(reverse("courses:certificate_verify_code", args=["QSQ-AAAA-BBBB"]))
    assert response.status_code == 404
    assert "No certificate has the code" in response.content.decode()
    response = client.get(reverse("courses:certificate_verify"), {"code": "12345"})
    assert response.status_code == 400
    assert "This is not a certificate code" in response.content.decode()


def test_revoked_certificate_shows_as_revoked_and_a_new_one_may_follow(client, w):
    complete(w)
    certificate = issue(w)
    with pytest.raises(PermissionDenied):
        certificates.certificate_revoke(actor=w.learner, certificate=certificate, reason="x")
    with pytest.raises(PermissionDenied):
        certificates.certificate_revoke(
            actor=w.other_methodologist, certificate=certificate, reason="x"
        )
    with pytest.raises(ValidationFailed):
        certificates.certificate_revoke(actor=w.methodologist, certificate=certificate, reason=" ")
    certificate.refresh_from_db()
    assert certificate.is_valid

    client.force_login(w.methodologist)
    client.post(
        reverse("courses:certificate_revoke", args=[certificate.code]),
        {"reason": "Plagiarised final work"},
    )
    certificate.refresh_from_db()
    assert not certificate.is_valid
    entry = AuditLogEntry.objects.get(action="certificate.revoke")
    assert entry.reason == "Plagiarised final work"
    assert entry.actor == w.methodologist

    client.logout()
    page = client.get(reverse("courses:certificate_verify_code", args=[certificate.code]))
    assert "The certificate has been revoked" in page.content.decode()
    assert "Plagiarised" not in page.content.decode()

    # the learner's PDF is gone with it, and they may earn a new one
    assert certificates.valid_certificate(w.learner, w.course) is None
    new = issue(w)
    assert new.code != certificate.code
    assert Certificate.objects.count() == 2


# --- demo ----------------------------------------------------------------------------------------


def test_demo_has_open_courses_and_a_learner_with_a_certificate_and_reruns_cleanly():
    from django.core.management import call_command

    from qashyq.courses.models import OpenCourse, OpenEnrolment

    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    learner = Certificate.objects.get().user
    assert learner.username == "learner"
    assert learner.check_password("demo")
    assert not learner.role_assignments.exists()
    assert OpenCourse.objects.filter(published=True).count() == 2
    counts = (OpenCourse.objects.count(), OpenEnrolment.objects.count())

    call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    assert (OpenCourse.objects.count(), OpenEnrolment.objects.count()) == counts
    assert Certificate.objects.count() == 1


# --- admin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["opencourse", "openenrolment", "certificate"])
def test_admin_lists_open_for_the_administrator_and_certificates_are_read_only(
    client, w, settings, model
):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    complete(w)
    issue(w)
    client.force_login(w.admin)
    assert client.get(f"/admin/courses/{model}/").status_code == 200
    add = client.get(f"/admin/courses/{model}/add/").status_code
    assert add == (200 if model == "opencourse" else 403)
