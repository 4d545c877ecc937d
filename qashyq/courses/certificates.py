"""Certificates of open courses: issue, revoke, look up by code, and the PDF.

* A learner gets a certificate once they have completed the course's threshold of its released
  materials (``OpenCourse.threshold_percent``, 100 % by default). Issuing is idempotent: one
  valid certificate per person and course (a unique constraint guards against a double click);
  asking again returns the same certificate.
* The certificate keeps what it certifies as issued: the holder's name, the course title in kk,
  ru and en and the hours. Later renames do not change an issued certificate.
* The verification code ``QSQ-XXXX-XXXX`` is random (8 letters and digits from an alphabet
  without look-alikes: no 0/O, 1/I/L), about 8.5 × 10¹¹ codes, so codes cannot be guessed in
  practice; the public page ``/certificates/<code>/`` says valid, revoked or unknown.
* Issue and revoke are written to the audit log.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from . import open_courses, policies
from .models import Certificate, OpenCourse, OpenEnrolment

CODE_PREFIX = "QSQ"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_RE = re.compile(rf"^{CODE_PREFIX}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")
LANGUAGES = ("kk", "ru", "en")


def new_code() -> str:
    chars = "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))
    return f"{CODE_PREFIX}-{chars[:4]}-{chars[4:]}"


def normalise_code(text: str) -> str | None:
    """A code as a person may type it (lower case, spaces, without dashes) in canonical form,
    or None when it cannot be a certificate code."""
    letters = re.sub(r"[^0-9A-Za-z]", "", text or "").upper()
    if len(letters) == 8:
        letters = CODE_PREFIX + letters
    if len(letters) != 11 or not letters.startswith(CODE_PREFIX):
        return None
    code = f"{letters[:3]}-{letters[3:7]}-{letters[7:]}"
    return code if CODE_RE.match(code) else None


# --- reads --------------------------------------------------------------------------------------


def certificate_by_code(text: str) -> Certificate | None:
    code = normalise_code(text)
    if code is None:
        return None
    return (
        Certificate.objects.select_related("course__discipline__department")
        .filter(code=code)
        .first()
    )


def valid_certificate(user, course: OpenCourse) -> Certificate | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Certificate.objects.filter(course=course, user=user, revoked_at__isnull=True).first()


# --- writes -------------------------------------------------------------------------------------


@transaction.atomic
def certificate_issue(*, actor, course: OpenCourse, user) -> Certificate:
    """The user's valid certificate of the course, issued now if they have none yet."""
    if not policies.can_issue_certificate(actor, course, user):
        raise PermissionDenied(_("You may ask only for your own certificate."))
    if not course.certificate_enabled:
        raise ValidationFailed(_("This course does not issue certificates."))
    existing = valid_certificate(user, course)
    if existing is not None:
        return existing
    if not OpenEnrolment.objects.filter(course=course, user=user).exists():
        raise ValidationFailed(_("Certificates are issued to the course's learners."))
    reached = open_courses.learner_progress(user, course)
    if not open_courses.reaches_threshold(course, reached):
        raise ValidationFailed(
            _(
                "Complete at least %(threshold)s%% of the materials first: %(done)s of %(total)s "
                "done."
            )
            % {"threshold": course.threshold_percent, "done": reached.done, "total": reached.total}
        )
    for _attempt in range(5):
        certificate = Certificate(
            course=course,
            user=user,
            code=new_code(),
            issued_at=timezone.now(),
            holder_name=user.full_name,
            course_title_kk=course.title_kk,
            course_title_ru=course.title_ru,
            course_title_en=course.title_en,
            hours=course.hours,
        )
        try:
            with transaction.atomic():
                certificate.save()
        except IntegrityError:
            # A concurrent request issued it (one valid per course), or the code was taken.
            existing = valid_certificate(user, course)
            if existing is not None:
                return existing
            continue
        audit_record(
            actor=actor,
            action="certificate.issue",
            obj=certificate,
            new={
                "code": certificate.code,
                "course": course.slug,
                "holder": certificate.holder_name,
                "hours": certificate.hours,
                "done": reached.done,
                "total": reached.total,
            },
        )
        return certificate
    raise ValidationFailed(_("The certificate could not be issued; try again."))


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("course__discipline__department")
        .filter(pk=certificate.pk)
        .first()
    )
    if certificate is None:
        raise NotFound(_("There is no such certificate."))
    if not policies.can_revoke_certificate(actor, certificate):
        raise PermissionDenied(_("Certificates are revoked by methodologists and administrators."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for revoking the certificate."))
    if certificate.revoked_at is not None:
        raise ValidationFailed(_("This certificate has been revoked already."))
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason
    certificate.save(update_fields=["revoked_at", "revoke_reason"])
    audit_record(
        actor=actor,
        action="certificate.revoke",
        obj=certificate,
        old={"valid": True},
        new={"valid": False},
        reason=reason,
    )
    return certificate


# --- the PDF ------------------------------------------------------------------------------------


def certificate_pdf(certificate: Certificate, *, language: str, verify_url: str) -> bytes:
    """The certificate as a one-page A4 landscape PDF in ``language`` (kk, ru or en), with its
    code and the address of the public verification page. DejaVu Sans covers Kazakh letters."""
    from weasyprint import HTML

    language = language if language in LANGUAGES else "kk"
    with translation.override(language):
        html = render_to_string(
            "courses/open/certificate_pdf.html",
            {
                "certificate": certificate,
                "course_title": getattr(certificate, f"course_title_{language}")
                or certificate.course_title_kk,
                "verify_url": verify_url,
                "language": language,
                "issued_on": timezone.localtime(certificate.issued_at).date(),
                "ACADEMY_NAME": settings.QASHYQ_ACADEMY_NAME,
            },
        )
    return HTML(string=html).write_pdf()
