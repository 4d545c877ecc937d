"""Writes of the summer semester (docs/subsystems/summer.md).

* ``summer_open`` / ``summer_update``: the registrar opens registration for a summer period with
  its dates and the credit cap (the institution's choice, 15 by default), and may change them
  until registration closes. Both are audit-logged (old -> new).
* ``summer_register`` / ``summer_cancel``: the student registers for a discipline they owe
  (reason ``debt``) or to study ahead (reason ``ahead``), and cancels, while the window is open.
  The cap counts the credits of the student's live registrations; the student's profile row is
  locked first, so two quick registrations cannot both pass the check.
* ``summer_course_create``: the registrar gets or creates the summer ``CourseOffering`` of a
  discipline, enrols its registered students and marks their registrations enrolled
  (idempotent: a second call enrols nobody twice).
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qashyq.academics import services as academic_services
from qashyq.academics.models import (
    AcademicPeriod,
    CourseOffering,
    Enrollment,
    PeriodKind,
    StudentProfile,
)
from qashyq.accounts import services as account_services
from qashyq.accounts.roles import Role, ScopeType
from qashyq.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qashyq.core.services import audit_record

from ..models import SummerReason, SummerRegistration, SummerRegistrationStatus, SummerSemester
from ..policies import summer as policies
from ..selectors import summer as selectors

MAX_CAP = 60  # a year's worth of credits; a summer cap above it is a typo
LANGUAGES = ("kk", "ru", "en")


def _summer_json(summer: SummerSemester) -> dict:
    return {
        "period": summer.period_id,
        "credit_cap": summer.credit_cap,
        "registration_opens_on": summer.registration_opens_on.isoformat(),
        "registration_closes_on": summer.registration_closes_on.isoformat(),
    }


def _check_terms(opens_on, closes_on, credit_cap) -> None:
    if not isinstance(opens_on, datetime.date) or not isinstance(closes_on, datetime.date):
        raise ValidationFailed(_("Give the dates registration opens and closes."), code="dates")
    if closes_on < opens_on:
        raise ValidationFailed(_("Registration cannot close before it opens."), code="dates_order")
    if not isinstance(credit_cap, int) or not 1 <= credit_cap <= MAX_CAP:
        raise ValidationFailed(
            _("The credit cap must be a whole number from 1 to %(max)s.") % {"max": MAX_CAP},
            code="credit_cap",
        )


def summer_open(
    *,
    actor,
    period: AcademicPeriod,
    opens_on: datetime.date,
    closes_on: datetime.date,
    credit_cap: int = 15,
) -> SummerSemester:
    if not policies.can_manage_summer(actor):
        raise PermissionDenied(_("Only the registrar opens summer registration."))
    if period.kind != PeriodKind.SUMMER:
        raise ValidationFailed(_("Choose a summer period."), code="not_summer")
    _check_terms(opens_on, closes_on, credit_cap)
    if closes_on >= period.ends_on:
        raise ValidationFailed(
            _("Registration must close before the summer period ends (%(date)s).")
            % {"date": period.ends_on.isoformat()},
            code="dates_after_period",
        )
    with transaction.atomic():
        if SummerSemester.objects.select_for_update().filter(period=period).exists():
            raise Conflict(
                _("Summer registration for this period is already open."), code="already_open"
            )
        try:
            with transaction.atomic():
                summer = SummerSemester.objects.create(
                    period=period,
                    credit_cap=credit_cap,
                    registration_opens_on=opens_on,
                    registration_closes_on=closes_on,
                    opened_by=actor,
                )
        except IntegrityError:
            raise Conflict(
                _("Summer registration for this period is already open."), code="already_open"
            ) from None
        audit_record(
            actor=actor, action="registrar.summer_open", obj=summer, new=_summer_json(summer)
        )
    return summer


def summer_update(
    *,
    actor,
    summer: SummerSemester,
    opens_on: datetime.date,
    closes_on: datetime.date,
    credit_cap: int,
) -> SummerSemester:
    if not policies.can_manage_summer(actor):
        raise PermissionDenied(_("Only the registrar changes summer registration."))
    _check_terms(opens_on, closes_on, credit_cap)
    with transaction.atomic():
        summer = (
            SummerSemester.objects.select_for_update().select_related("period").get(pk=summer.pk)
        )
        if not selectors.is_editable(summer):
            raise Conflict(
                _("Summer registration has closed; it can no longer be changed."),
                code="closed",
            )
        if closes_on >= summer.period.ends_on:
            raise ValidationFailed(
                _("Registration must close before the summer period ends (%(date)s).")
                % {"date": summer.period.ends_on.isoformat()},
                code="dates_after_period",
            )
        old = _summer_json(summer)
        summer.registration_opens_on = opens_on
        summer.registration_closes_on = closes_on
        summer.credit_cap = credit_cap
        new = _summer_json(summer)
        if new == old:
            return summer
        summer.save(update_fields=["registration_opens_on", "registration_closes_on", "credit_cap"])
        audit_record(actor=actor, action="registrar.summer_update", obj=summer, old=old, new=new)
    return summer


def _require_window(summer: SummerSemester) -> None:
    if not selectors.is_open(summer):
        raise Conflict(
            _("Summer registration is open from %(opens)s to %(closes)s.")
            % {
                "opens": summer.registration_opens_on.isoformat(),
                "closes": summer.registration_closes_on.isoformat(),
            },
            code="registration_closed",
        )


def summer_register(
    *, actor, summer: SummerSemester, discipline, reason: str
) -> SummerRegistration:
    """Register the signed-in student for ``discipline`` in ``summer``."""
    profile = StudentProfile.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if not policies.can_register(actor, profile):
        raise PermissionDenied(_("Only a studying student registers for the summer semester."))
    if reason not in SummerReason.values:
        raise ValidationFailed(_("Choose why you register: a debt or study ahead."), code="reason")
    with transaction.atomic():
        # Lock the student's profile row: every registration of this student waits here, so
        # the cap check below sees the registrations of a registration committed a moment ago.
        profile = StudentProfile.objects.select_for_update().get(pk=profile.pk)
        summer = SummerSemester.objects.get(pk=summer.pk)
        _require_window(summer)
        choices = selectors.registration_choices(profile, summer)
        if discipline.pk in {r.discipline_id for r in choices.registered}:
            raise Conflict(
                _("You are already registered for this discipline."), code="already_registered"
            )
        if reason == SummerReason.DEBT:
            allowed = {d.discipline.pk: d.credits for d in choices.debts}
            if discipline.pk not in allowed:
                raise ValidationFailed(
                    _("You have no academic debt in this discipline."), code="not_a_debt"
                )
            credits = allowed[discipline.pk] or discipline.credits
        else:
            if discipline.pk not in {e.discipline_id for e in choices.ahead}:
                raise ValidationFailed(
                    _(
                        "You may study ahead only disciplines of later terms of your program "
                        "that you have not taken yet."
                    ),
                    code="not_ahead",
                )
            credits = discipline.credits
        if choices.credits + credits > summer.credit_cap:
            raise ValidationFailed(
                _(
                    "This would make %(total)s credits: you have %(current)s, the discipline has "
                    "%(credits)s, and the summer semester allows at most %(cap)s."
                )
                % {
                    "total": choices.credits + credits,
                    "current": choices.credits,
                    "credits": credits,
                    "cap": summer.credit_cap,
                },
                code="credit_cap",
            )
        try:
            with transaction.atomic():
                registration = SummerRegistration.objects.create(
                    summer=summer,
                    student_id=profile.user_id,
                    discipline=discipline,
                    credits=credits,
                    reason=reason,
                )
        except IntegrityError:
            raise Conflict(
                _("You are already registered for this discipline."), code="already_registered"
            ) from None
    return registration


def summer_cancel(*, actor, registration: SummerRegistration) -> SummerRegistration:
    profile = StudentProfile.objects.filter(user_id=registration.student_id).first()
    if not policies.can_register(actor, profile):
        raise PermissionDenied(_("Only the student cancels their own registration."))
    with transaction.atomic():
        StudentProfile.objects.select_for_update().get(pk=profile.pk)
        registration = (
            SummerRegistration.objects.select_for_update()
            .select_related("summer")
            .get(pk=registration.pk)
        )
        if registration.status == SummerRegistrationStatus.CANCELLED:
            return registration
        _require_window(registration.summer)
        if registration.status == SummerRegistrationStatus.ENROLLED:
            raise Conflict(
                _("The summer course has started; ask the registrar's office to withdraw."),
                code="enrolled",
            )
        registration.status = SummerRegistrationStatus.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
    return registration


def summer_course_create(
    *, actor, summer: SummerSemester, discipline, language: str = "kk", tutors=()
) -> tuple[CourseOffering, int]:
    """Get or create the summer offering of ``discipline`` in ``language`` and enrol the
    students registered for it. Returns the offering and how many students were enrolled now."""
    if not policies.can_create_summer_course(actor, discipline):
        raise PermissionDenied(_("Only the registrar creates summer courses."))
    if language not in LANGUAGES:
        raise ValidationFailed(_("Choose the language of instruction."), code="language")
    tutors = list(tutors)
    tutor_ids = {t.pk for t in selectors.tutors()}
    if not tutors:
        raise ValidationFailed(_("Choose at least one tutor."), code="tutors")
    if any(t.pk not in tutor_ids for t in tutors):
        raise ValidationFailed(_("Choose tutors among users with the tutor role."), code="tutors")
    with transaction.atomic():
        summer = (
            SummerSemester.objects.select_for_update().select_related("period").get(pk=summer.pk)
        )
        registrations = list(
            # lock only the registrations: PostgreSQL cannot lock the nullable side of the
            # outer join to the students' profiles
            SummerRegistration.objects.select_for_update(of=("self",))
            .filter(summer=summer, discipline=discipline, status__in=selectors.LIVE)
            .select_related("student__student_profile")
        )
        if not registrations:
            raise NotFound(
                _("Nobody is registered for this discipline in the summer semester."),
                code="no_registrations",
            )
        offering = CourseOffering.objects.filter(
            discipline=discipline, period=summer.period, language=language
        ).first()
        created = offering is None
        if created:
            offering = academic_services.offering_create(
                actor=actor,
                discipline=discipline,
                period=summer.period,
                language=language,
                tutors=tutors,
                check=False,
            )
        else:
            present = set(offering.tutors.values_list("pk", flat=True))
            for tutor in tutors:
                if tutor.pk in present:
                    continue
                offering.tutors.add(tutor)
                account_services.role_assign(
                    actor=actor,
                    user=tutor,
                    role=Role.TUTOR,
                    scope_type=ScopeType.COURSE,
                    scope_id=offering.pk,
                    check=False,
                )
        enrolled_now = 0
        for reg in registrations:
            profile = getattr(reg.student, "student_profile", None)
            _enrollment, made = Enrollment.objects.get_or_create(
                offering=offering,
                student_id=reg.student_id,
                defaults={"group_id": getattr(profile, "group_id", None)},
            )
            enrolled_now += int(made)
            if reg.status != SummerRegistrationStatus.ENROLLED or reg.offering_id != offering.pk:
                reg.status = SummerRegistrationStatus.ENROLLED
                reg.offering = offering
                reg.save(update_fields=["status", "offering"])
        audit_record(
            actor=actor,
            action="registrar.summer_course_create",
            obj=offering,
            new={
                "summer": summer.pk,
                "discipline": discipline.pk,
                "language": language,
                "created": created,
                "enrolled": enrolled_now,
                "tutors": sorted(t.pk for t in tutors),
            },
        )
    return offering, enrolled_now
