"""Reads for the public portal and the role dashboards.

Every list is fetched in a bounded number of queries (counts are annotated, related rows are
selected or prefetched), so a page costs the same with 3 programs or 300.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from qashyq.academics import selectors as academics
from qashyq.academics.models import (
    AcademicPeriod,
    AcademicYear,
    CalendarEvent,
    ControlForm,
    CourseOffering,
    Discipline,
    DistanceGround,
    Enrollment,
    EventKind,
    Faculty,
    Funding,
    Program,
    StudentProfile,
    StudentStatus,
    StudyGroup,
)
from qashyq.accounts.roles import Role, ScopeType
from qashyq.accounts.selectors import children_of, user_role_set
from qashyq.assignments.deadlines import due_soon

from .models import NormativeDocument

# --- public pages -------------------------------------------------------------------------------


def program_catalogue(*, level: str = "", delivery_format: str = "") -> QuerySet[Program]:
    qs = academics.published_programs().annotate(
        discipline_count=Count("disciplines", distinct=True)
    )
    if level:
        qs = qs.filter(level=level)
    if delivery_format:
        qs = qs.filter(delivery_format=delivery_format)
    return qs.order_by("level", "code")


def program_page(code: str) -> Program | None:
    """A program with its disciplines, or None. Unpublished programs are looked up too; the view
    decides with a policy whether the visitor may see one."""
    return (
        Program.objects.select_related("department__faculty")
        .prefetch_related(
            Prefetch("disciplines", queryset=Discipline.objects.order_by("code")),
        )
        .filter(code=code)
        .first()
    )


def academic_years() -> list[AcademicYear]:
    return list(AcademicYear.objects.order_by("-starts_on"))


def calendar_year(title: str | None = None) -> AcademicYear | None:
    """The year with this title, or the current one (the latest when none is marked current)."""
    qs = AcademicYear.objects.all()
    if title:
        return qs.filter(title=title).first()
    return qs.filter(is_current=True).first() or qs.order_by("-starts_on").first()


def year_periods(year: AcademicYear) -> list[AcademicPeriod]:
    return list(year.periods.order_by("starts_on"))


def year_events(year: AcademicYear) -> list[CalendarEvent]:
    return list(academics.calendar_events(year))


def upcoming_events(*, on: datetime.date | None = None, limit: int = 5) -> list[CalendarEvent]:
    """Calendar events of the current year that have not ended yet, soonest first."""
    on = on or academics.today()
    return list(
        CalendarEvent.objects.filter(year__is_current=True, ends_on__gte=on)
        .select_related("period")
        .order_by("starts_on", "kind")[:limit]
    )


def published_documents() -> QuerySet[NormativeDocument]:
    return NormativeDocument.objects.filter(is_published=True).order_by("position", "slug")


def published_document(slug: str) -> NormativeDocument | None:
    return published_documents().filter(slug=slug).first()


# --- role scopes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleScope:
    """What one of the user's roles covers: everything, or some faculties, programs, groups and
    course offerings."""

    everything: bool = False
    faculty_ids: frozenset[int] = field(default_factory=frozenset)
    program_ids: frozenset[int] = field(default_factory=frozenset)
    group_ids: frozenset[int] = field(default_factory=frozenset)
    offering_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything
            or self.faculty_ids
            or self.program_ids
            or self.group_ids
            or self.offering_ids
        )

    def programs_q(self, prefix: str = "") -> Q:
        """A Q over programs (reached from the queried model through ``prefix``)."""
        if self.everything:
            return Q()
        q = Q(**{f"{prefix}pk__in" if not prefix else f"{prefix}id__in": []})
        if self.faculty_ids:
            q |= Q(**{f"{prefix}department__faculty_id__in": self.faculty_ids})
        if self.program_ids:
            q |= Q(**{f"{prefix}pk__in" if not prefix else f"{prefix}id__in": self.program_ids})
        return q

    def groups_q(self, prefix: str = "") -> Q:
        """A Q over study groups (reached through ``prefix``) that lie in this scope."""
        if self.everything:
            return Q()
        q = self.programs_q(f"{prefix}program__")
        if self.group_ids:
            q |= Q(**{f"{prefix}pk__in" if not prefix else f"{prefix}id__in": self.group_ids})
        return q

    def offerings_q(self) -> Q:
        if self.everything:
            return Q()
        q = self.groups_q("groups__") | Q(pk__in=self.offering_ids)
        if self.faculty_ids:
            q |= Q(discipline__department__faculty_id__in=self.faculty_ids)
        return q


def role_scope(user, role: str) -> RoleScope:
    faculties, programs, groups, offerings = set(), set(), set(), set()
    for held, scope_type, scope_id in user_role_set(user):
        if held != role:
            continue
        if scope_type == ScopeType.SITE:
            return RoleScope(everything=True)
        {
            ScopeType.FACULTY: faculties,
            ScopeType.PROGRAM: programs,
            ScopeType.GROUP: groups,
            ScopeType.COURSE: offerings,
        }[scope_type].add(scope_id)
    return RoleScope(
        faculty_ids=frozenset(faculties),
        program_ids=frozenset(programs),
        group_ids=frozenset(groups),
        offering_ids=frozenset(offerings),
    )


# --- dashboards ----------------------------------------------------------------------------------


def student_dashboard(user, period: AcademicPeriod | None) -> dict:
    profile = academics.student_profile(user)
    offerings = []
    if period is not None:
        offerings = list(academics.offerings_for_student(user, period))
    return {"profile": profile, "offerings": offerings, "due_soon": due_soon(user, days=7)}


def tutor_offerings(user, period: AcademicPeriod | None) -> list[CourseOffering]:
    if period is None:
        return []
    return list(
        academics.offerings_taught_by(user, period).annotate(
            student_count=Count("enrollments", distinct=True)
        )
    )


@dataclass
class ChildSummary:
    student: object
    profile: StudentProfile | None
    offerings: list[CourseOffering]


def parent_children(user, period: AcademicPeriod | None) -> list[ChildSummary]:
    """Each linked child with their program, group and this period's courses (read-only)."""
    children = children_of(user)
    ids = [child.pk for child in children]
    profiles = {
        p.user_id: p
        for p in StudentProfile.objects.select_related("program", "group").filter(user_id__in=ids)
    }
    offerings: dict[int, list[CourseOffering]] = defaultdict(list)
    if period is not None and ids:
        enrollments = (
            Enrollment.objects.filter(student_id__in=ids, offering__period=period)
            .select_related("offering__discipline")
            .prefetch_related("offering__tutors")
            .order_by("offering__discipline__code")
        )
        for enrollment in enrollments:
            offerings[enrollment.student_id].append(enrollment.offering)
    return [ChildSummary(child, profiles.get(child.pk), offerings[child.pk]) for child in children]


def _students(scope: RoleScope) -> QuerySet[StudentProfile]:
    qs = StudentProfile.objects.all()
    if not scope.everything:
        qs = qs.filter(scope.programs_q("program__") | scope.groups_q("group__"))
    return qs


def students_by(scope: RoleScope, field_name: str, choices) -> list[tuple[str, str, int]]:
    """(value, label, count) of students in the scope, grouped by a choice field."""
    labels = dict(choices)
    rows = (
        _students(scope)
        .order_by()
        .values(field_name)
        .annotate(n=Count("pk", distinct=True))
        .order_by(field_name)
    )
    return [(row[field_name], labels.get(row[field_name], "—"), row["n"]) for row in rows]


def programs_in_scope(scope: RoleScope) -> list[Program]:
    """Programs in the scope with their group count and active (and paying) student counts."""
    qs = Program.objects.select_related("department__faculty")
    if not scope.everything:
        via_groups = StudyGroup.objects.filter(pk__in=scope.group_ids).values("program_id")
        qs = qs.filter(scope.programs_q() | Q(pk__in=via_groups))
    return list(
        qs.annotate(
            student_count=Count(
                "students", filter=Q(students__status=StudentStatus.ACTIVE), distinct=True
            ),
            paid_count=Count(
                "students",
                filter=Q(students__status=StudentStatus.ACTIVE, students__funding=Funding.PAID),
                distinct=True,
            ),
            group_count=Count("groups", distinct=True),
        ).order_by("code")
    )


def groups_in_scope(scope: RoleScope) -> list[StudyGroup]:
    qs = StudyGroup.objects.select_related("program", "curator")
    if not scope.everything:
        qs = qs.filter(scope.groups_q())
    return list(
        qs.annotate(
            student_count=Count(
                "students", filter=Q(students__status=StudentStatus.ACTIVE), distinct=True
            )
        ).order_by("code")
    )


def offerings_in_scope(
    scope: RoleScope, period: AcademicPeriod | None, *, control_form: str = ""
) -> list[CourseOffering]:
    if period is None or scope.is_empty:
        return []
    qs = CourseOffering.objects.filter(period=period)
    if not scope.everything:
        ids = CourseOffering.objects.filter(period=period).filter(scope.offerings_q()).values("pk")
        qs = qs.filter(pk__in=ids)
    if control_form:
        qs = qs.filter(discipline__control_form=control_form)
    return list(
        qs.select_related("discipline")
        .prefetch_related("groups", "tutors")
        .annotate(student_count=Count("enrollments", distinct=True))
        .order_by("discipline__code")
    )


def faculty_student_counts() -> list[Faculty]:
    return list(
        Faculty.objects.annotate(
            student_count=Count(
                "departments__programs__students",
                filter=Q(departments__programs__students__status=StudentStatus.ACTIVE),
                distinct=True,
            ),
            program_count=Count("departments__programs", distinct=True),
        ).order_by("code")
    )


def registry_summary() -> dict:
    everything = RoleScope(everything=True)
    return {
        "total_students": StudentProfile.objects.count(),
        "group_count": StudyGroup.objects.count(),
        "program_count": Program.objects.count(),
        "by_status": students_by(everything, "status", StudentStatus.choices),
        "programs": programs_in_scope(everything),
    }


def admission_summary() -> dict:
    programs = list(
        academics.published_programs().annotate(
            first_year_count=Count(
                "students",
                filter=Q(students__year_of_study=1, students__status=StudentStatus.ACTIVE),
                distinct=True,
            )
        )
    )
    return {
        "programs": programs,
        "missing_criteria": [
            p for p in programs if not p.admission_criteria_kk or not p.criteria_approved_on
        ],
    }


def events_of_kind(kinds: list[str], *, on: datetime.date | None = None) -> list[CalendarEvent]:
    on = on or academics.today()
    return list(
        CalendarEvent.objects.filter(year__is_current=True, ends_on__gte=on, kind__in=kinds)
        .select_related("period")
        .order_by("starts_on")
    )


PRACTICE_EVENT_KINDS = [EventKind.PRACTICE]
EXAM_EVENT_KINDS = [EventKind.MIDTERM_1, EventKind.MIDTERM_2, EventKind.EXAM_SESSION]
PRACTICE_CONTROL_FORM = ControlForm.PRACTICE


def discipline_count() -> int:
    return Discipline.objects.count()


def dashboard_data(user, role: str) -> dict:
    """Everything one role's dashboard shows, in a bounded number of queries."""

    period = academics.current_period()
    data: dict = {"period": period}
    scope = role_scope(user, role)
    if role == Role.STUDENT:
        data.update(student_dashboard(user, period))
        data["events"] = upcoming_events()
    elif role == Role.TUTOR:
        data["offerings"] = tutor_offerings(user, period)
        data["events"] = upcoming_events()
    elif role == Role.PARENT:
        data["children"] = parent_children(user, period)
    elif role in (Role.ADMIN, Role.REGISTRAR):
        data.update(registry_summary())
    elif role in (Role.RECTOR, Role.VICE_RECTOR):
        data["faculties"] = faculty_student_counts()
        data["programs"] = programs_in_scope(scope)
        data["by_funding"] = students_by(scope, "funding", Funding.choices)
        data["by_ground"] = students_by(scope, "distance_ground", DistanceGround.choices)
        data["by_status"] = students_by(scope, "status", StudentStatus.choices)
    elif role in (Role.HEAD_OF_DEPARTMENT, Role.METHODOLOGIST, Role.PROGRAM_LEADER):
        data["scope"] = scope
        data["programs"] = programs_in_scope(scope) if not scope.is_empty else []
        data["groups"] = groups_in_scope(scope) if not scope.is_empty else []
        data["offerings"] = offerings_in_scope(scope, period)
    elif role == Role.ADMISSION:
        data.update(admission_summary())
    elif role == Role.PROCTOR:
        data["offerings"] = offerings_in_scope(scope, period)
        data["events"] = events_of_kind(EXAM_EVENT_KINDS)
    elif role == Role.LIBRARIAN:
        data["program_count"] = academics.published_programs().count()
        data["discipline_count"] = discipline_count()
        data["offering_count"] = (
            CourseOffering.objects.filter(period=period).count() if period else 0
        )
    elif role == Role.PRACTICE_SUPERVISOR:
        data["offerings"] = offerings_in_scope(scope, period, control_form=PRACTICE_CONTROL_FORM)
        data["events"] = events_of_kind(PRACTICE_EVENT_KINDS)
    elif role == Role.ACCOUNTANT:
        data["by_funding"] = students_by(scope, "funding", Funding.choices)
        data["programs"] = programs_in_scope(scope) if not scope.is_empty else []
    return data
