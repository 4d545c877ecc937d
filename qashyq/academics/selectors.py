from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from qashyq.accounts.selectors import children_ids, has_role, role_scope_ids

from . import policies
from .models import (
    AcademicPeriod,
    AcademicYear,
    CalendarEvent,
    CourseOffering,
    Discipline,
    Enrollment,
    Program,
    StudentProfile,
    StudyGroup,
)
from .policies import _signed_in


def today() -> datetime.date:
    return timezone.localdate()


def current_year() -> AcademicYear | None:
    return AcademicYear.objects.filter(is_current=True).first()


def current_period(on: datetime.date | None = None) -> AcademicPeriod | None:
    on = on or today()
    period = (
        AcademicPeriod.objects.select_related("year")
        .filter(starts_on__lte=on, ends_on__gte=on)
        .first()
    )
    if period is None:
        period = (
            AcademicPeriod.objects.select_related("year")
            .filter(year__is_current=True, starts_on__gte=on)
            .order_by("starts_on")
            .first()
        )
    return period


def published_programs() -> QuerySet[Program]:
    return Program.objects.filter(is_published=True).select_related("department__faculty")


def calendar_events(year: AcademicYear) -> QuerySet[CalendarEvent]:
    return year.events.select_related("period").order_by("starts_on", "kind")


def visible_groups(user) -> QuerySet[StudyGroup]:
    """The groups ``can_view_group`` allows, in one query (built from the same ``Reach``)."""
    qs = StudyGroup.objects.select_related("program", "curator")
    if not _signed_in(user):
        return qs.none()
    r = policies.reach(user)
    if r.everything:
        return qs
    q = (
        Q(curator_id=user.pk)
        | Q(pk__in=r.group_ids)
        | Q(pk__in=policies.own_group_ids(user))
        | Q(program_id__in=policies.scoped_program_ids(user))
        | Q(pk__in=policies.course_group_ids(user))
    )
    return qs.filter(q)


def visible_students(user) -> QuerySet[StudentProfile]:
    """The student profiles ``can_view_student`` allows, in one query (same ``Reach``)."""
    qs = StudentProfile.objects.select_related("user", "program", "group")
    if not _signed_in(user):
        return qs.none()
    r = policies.reach(user)
    if r.everything:
        return qs
    groups = r.group_ids | policies.curated_group_ids(user) | policies.course_group_ids(user)
    q = (
        Q(user_id=user.pk)
        | Q(user_id__in=children_ids(user))
        | Q(group_id__in=groups)
        | Q(program_id__in=policies.scoped_program_ids(user))
    )
    offerings = policies.course_offering_ids(user)
    if offerings:
        q |= Q(
            user_id__in=Enrollment.objects.filter(offering_id__in=offerings).values("student_id")
        )
    return qs.filter(q)


def visible_offerings(user) -> QuerySet[CourseOffering]:
    """The offerings ``can_view_offering`` allows."""
    qs = CourseOffering.objects.select_related("discipline", "period__year")
    if not _signed_in(user):
        return qs.none()
    if policies.reach(user).everything:
        return qs
    return qs.filter(pk__in=policies.visible_offering_ids(user))


def visible_disciplines(user) -> QuerySet[Discipline]:
    return Discipline.objects.select_related("department")


def offerings_taught_by(user, period: AcademicPeriod | None = None) -> QuerySet[CourseOffering]:
    qs = CourseOffering.objects.filter(tutors=user).select_related("discipline", "period__year")
    if period is not None:
        qs = qs.filter(period=period)
    return qs.prefetch_related("groups").order_by("period__starts_on", "discipline__code")


def offerings_for_student(user, period: AcademicPeriod | None = None) -> QuerySet[CourseOffering]:
    qs = CourseOffering.objects.filter(enrollments__student=user).select_related(
        "discipline", "period__year"
    )
    if period is not None:
        qs = qs.filter(period=period)
    return qs.prefetch_related("tutors").order_by("period__starts_on", "discipline__code")


def student_profile(user) -> StudentProfile | None:
    return (
        StudentProfile.objects.select_related("program__department__faculty", "group")
        .filter(user_id=user.pk)
        .first()
    )


def scoped_ids(user, role: str, scope_type: str) -> set[int]:
    return role_scope_ids(user, role, scope_type)


def is_overseer(user) -> bool:
    return has_role(user, policies.OVERSEERS)


# --- group and course offering pages -------------------------------------------------------------


def group_for_page(pk: int) -> StudyGroup | None:
    return (
        StudyGroup.objects.select_related("program__department__faculty", "curator")
        .filter(pk=pk)
        .first()
    )


def group_members(group: StudyGroup) -> list[StudentProfile]:
    return list(
        StudentProfile.objects.filter(group=group)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__middle_name")
    )


def group_offerings(group: StudyGroup) -> list[CourseOffering]:
    return list(
        group.offerings.select_related("discipline", "period__year")
        .prefetch_related("tutors")
        .order_by("-period__starts_on", "discipline__code")
    )


def offering_for_page(pk: int) -> CourseOffering | None:
    return (
        CourseOffering.objects.select_related("discipline__department", "period__year")
        .prefetch_related(
            Prefetch(
                "groups",
                queryset=StudyGroup.objects.select_related("program__department").order_by("code"),
            ),
            "tutors",
        )
        .filter(pk=pk)
        .first()
    )


def offering_enrollments(offering: CourseOffering) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(offering=offering)
        .select_related("student", "group")
        .order_by("student__last_name", "student__first_name")
    )
