from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from qashyq.accounts.roles import ScopeType
from qashyq.accounts.selectors import has_role, role_scope_ids, user_role_set

from .models import (
    AcademicPeriod,
    AcademicYear,
    CalendarEvent,
    CourseOffering,
    Discipline,
    Program,
    StudentProfile,
    StudyGroup,
)
from .policies import OVERSEERS, SCOPED_STAFF


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


def _scoped_filter(user, prefix: str) -> Q | None:
    """A Q over objects that lie in the scopes the user's staff roles were granted.

    ``prefix`` is the path from the queried model to a StudyGroup (``""`` for groups themselves).
    Returns None when the user sees everything.
    """
    if has_role(user, OVERSEERS):
        return None
    q = Q(pk__in=[])
    for role, scope_type, scope_id in user_role_set(user):
        if role not in SCOPED_STAFF:
            continue
        if scope_type == ScopeType.SITE:
            return None
        if scope_type == ScopeType.FACULTY:
            q |= Q(**{f"{prefix}program__department__faculty_id": scope_id})
        elif scope_type == ScopeType.PROGRAM:
            q |= Q(**{f"{prefix}program_id": scope_id})
        elif scope_type == ScopeType.GROUP:
            q |= Q(**{f"{prefix}pk" if not prefix else f"{prefix}id": scope_id})
    return q


def visible_groups(user) -> QuerySet[StudyGroup]:
    qs = StudyGroup.objects.select_related("program", "curator")
    scoped = _scoped_filter(user, "")
    if scoped is None:
        return qs
    return qs.filter(
        scoped | Q(curator_id=user.pk) | Q(offerings__tutors=user) | Q(students__user_id=user.pk)
    ).distinct()


def visible_students(user) -> QuerySet[StudentProfile]:
    qs = StudentProfile.objects.select_related("user", "program", "group")
    scoped = _scoped_filter(user, "group__")
    if scoped is None:
        return qs
    return qs.filter(
        scoped
        | Q(user_id=user.pk)
        | Q(user__parent_links__parent_id=user.pk)
        | Q(group__curator_id=user.pk)
        | Q(user__enrollments__offering__tutors=user)
    ).distinct()


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
    return has_role(user, OVERSEERS)
