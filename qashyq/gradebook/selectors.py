"""Reads of the e-journal. ``journal_rows`` builds every row of an offering with its computed
columns in a fixed number of queries (enrolments, journal + scheme, rows, weekly marks), whatever
the number of students; an offering without a journal yet reads as empty rows under the default
scheme (reading never creates anything)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from qashyq.academics.models import CourseOffering, Enrollment, StudentProfile, StudyGroup
from qashyq.accounts.roles import Role, ScopeType
from qashyq.core.errors import NotFound

from . import computation
from .models import (
    ATTEMPT_ORDER,
    COLUMNS,
    Attendance,
    CurrentMark,
    FinalGrade,
    GradingScheme,
    Journal,
    JournalRow,
    LateEditRequest,
    LateEditStatus,
    MarkChange,
    Source,
    Statement,
    StatementLine,
)


@dataclass(frozen=True)
class Cell:
    value: Decimal | None
    source: str = ""
    source_ref: str = ""


@dataclass
class RowView:
    student: object
    group_id: int | None
    cells: dict[str, Cell]
    weekly: dict[int, Cell] = field(default_factory=dict)
    result: computation.Result | None = None

    @property
    def student_id(self) -> int:
        return self.student.pk


NATIONAL_SCHEME_NAME = "National letter-rating scale"


def default_scheme() -> GradingScheme:
    """The scheme new journals are graded under. Should the database hold none (the data
    migration was undone, or a test flushed the table), the national scheme, unsaved: the
    first journal created under it saves it (``services.journal_for``)."""
    scheme = GradingScheme.objects.filter(is_default=True).first()
    if scheme is None:
        scheme = GradingScheme(
            name=NATIONAL_SCHEME_NAME,
            version=1,
            valid_from=datetime.date(2026, 1, 1),
            is_default=True,
        )
    return scheme


def offering_for_journal(offering_id: int) -> CourseOffering:
    offering = (
        CourseOffering.objects.select_related("discipline__department", "period")
        .filter(pk=offering_id)
        .first()
    )
    if offering is None:
        raise NotFound(_("There is no such course."))
    return offering


def journal_of(offering: CourseOffering) -> Journal | None:
    return Journal.objects.select_related("scheme").filter(offering=offering).first()


def scheme_for(offering: CourseOffering, journal: Journal | None = None) -> GradingScheme:
    journal = journal if journal is not None else journal_of(offering)
    return journal.scheme if journal is not None else default_scheme()


def is_enrolled(offering: CourseOffering, student_id: int) -> bool:
    return Enrollment.objects.filter(offering=offering, student_id=student_id).exists()


def week_of(offering: CourseOffering, date) -> int:
    """Week 1 starts on the period's first day."""
    return max(1, (date - offering.period.starts_on).days // 7 + 1)


def aggregated_tk(weekly: dict[int, Cell], scheme: GradingScheme) -> tuple[Cell, Cell]:
    """ТК1 and ТК2 from the weekly marks: the mean of weeks 1..first_half_weeks and of the rest."""
    first = [c.value for w, c in weekly.items() if w <= scheme.first_half_weeks]
    second = [c.value for w, c in weekly.items() if w > scheme.first_half_weeks]

    def cell(values, low, high) -> Cell:
        value = computation.mean(values)
        if value is None:
            return Cell(None)
        return Cell(value, Source.AGGREGATED, f"weeks {low}-{high}: {len(values)}")

    return (
        cell(first, 1, scheme.first_half_weeks),
        cell(second, scheme.first_half_weeks + 1, scheme.weeks),
    )


def _cells(row: JournalRow | None) -> dict[str, Cell]:
    if row is None:
        return {column: Cell(None) for column in COLUMNS}
    return {
        column: Cell(
            getattr(row, column), getattr(row, f"{column}_source"), getattr(row, f"{column}_ref")
        )
        for column in COLUMNS
    }


def build_row(
    student, group_id, row: JournalRow | None, weekly: dict[int, Cell], scheme, rules
) -> RowView:
    """One row with its computed columns; a direct ТК entry wins over the weekly mean."""
    cells = _cells(row)
    agg1, agg2 = aggregated_tk(weekly, scheme)
    if cells["tk1"].value is None:
        cells["tk1"] = agg1
    if cells["tk2"].value is None:
        cells["tk2"] = agg2
    result = computation.compute(*(cells[c].value for c in COLUMNS), rules=rules)
    return RowView(student=student, group_id=group_id, cells=cells, weekly=weekly, result=result)


def journal_rows(
    offering: CourseOffering, *, student_ids: Iterable[int] | None = None
) -> tuple[GradingScheme, list[RowView]]:
    """The scheme and the rows of the offering's enrolled students (all, or ``student_ids``),
    ordered by name. Four queries whatever the size."""
    journal = journal_of(offering)
    scheme = scheme_for(offering, journal)
    rules = scheme.rules()
    enrollments = Enrollment.objects.filter(offering=offering).select_related("student")
    if student_ids is not None:
        enrollments = enrollments.filter(student_id__in=list(student_ids))
    enrollments = list(
        enrollments.order_by("student__last_name", "student__first_name", "student_id")
    )
    rows: dict[int, JournalRow] = {}
    weekly: dict[int, dict[int, Cell]] = defaultdict(dict)
    if journal is not None and enrollments:
        ids = [e.student_id for e in enrollments]
        rows = {
            r.student_id: r for r in JournalRow.objects.filter(journal=journal, student_id__in=ids)
        }
        for mark in CurrentMark.objects.filter(journal=journal, student_id__in=ids).order_by(
            "week"
        ):
            weekly[mark.student_id][mark.week] = Cell(mark.value, mark.source, mark.source_ref)
    return scheme, [
        build_row(
            e.student, e.group_id, rows.get(e.student_id), weekly[e.student_id], scheme, rules
        )
        for e in enrollments
    ]


def journal_row(offering: CourseOffering, student_id: int) -> RowView:
    _scheme, rows = journal_rows(offering, student_ids=[student_id])
    if not rows:
        raise NotFound(_("This student is not enrolled in this course."))
    return rows[0]


def mark_changes(offering: CourseOffering, student_id: int | None = None):
    qs = MarkChange.objects.filter(journal__offering=offering).select_related("actor")
    if student_id is not None:
        qs = qs.filter(student_id=student_id)
    return qs


def pending_late_edits(offering: CourseOffering | None = None):
    qs = LateEditRequest.objects.filter(status=LateEditStatus.PENDING).select_related(
        "journal__offering", "student", "requested_by"
    )
    if offering is not None:
        qs = qs.filter(journal__offering=offering)
    return qs.order_by("created_at", "pk")


def late_edits_for(user, *, decide) -> list[LateEditRequest]:
    """The pending late edits that ``decide(user, offering)`` lets the user decide, oldest
    first; three joins, one query whatever the number."""
    qs = LateEditRequest.objects.filter(status=LateEditStatus.PENDING).select_related(
        "journal__offering__discipline__department",
        "journal__offering__period",
        "student",
        "requested_by",
    )
    return [r for r in qs.order_by("created_at", "pk") if decide(user, r.journal.offering)]


def late_edit(pk: int) -> LateEditRequest:
    request = LateEditRequest.objects.select_related("journal").filter(pk=pk).first()
    if request is None:
        raise NotFound(_("There is no such request."))
    return request


def own_offerings(student_ids) -> list[Enrollment]:
    """The enrolments of these students (a student's own, a parent's children's), newest period
    first, with the offering ready for the journal policies."""
    return list(
        Enrollment.objects.filter(student_id__in=list(student_ids))
        .select_related("student", "offering__discipline__department", "offering__period")
        .order_by("-offering__period__starts_on", "offering__discipline__code", "student_id")
    )


def enrolled_among(offering: CourseOffering, student_ids) -> bool:
    ids = list(student_ids)
    return bool(ids) and Enrollment.objects.filter(offering=offering, student_id__in=ids).exists()


def absences_by_week(offering: CourseOffering, *, student_ids=None) -> dict[tuple[int, int], int]:
    """(student id, week) -> the number of classes missed ("н"), in one query."""
    from django.db.models import Count

    qs = Attendance.objects.filter(journal__offering=offering, present=False)
    if student_ids is not None:
        qs = qs.filter(student_id__in=list(student_ids))
    return {
        (r["student_id"], r["week"]): r["n"]
        for r in qs.values("student_id", "week").annotate(n=Count("pk")).order_by()
    }


def final_grades_of(student):
    """The final results of a student's disciplines (every attempt), oldest period first."""
    student_id = getattr(student, "pk", student)
    return (
        FinalGrade.objects.filter(student_id=student_id)
        .select_related("discipline", "period", "offering", "statement")
        .order_by("period__starts_on", "discipline__code", "recorded_at", "id")
    )


def statements_of(offering: CourseOffering) -> list[Statement]:
    """The offering's statements, newest first, with what the list shows (three queries)."""
    return list(
        Statement.objects.filter(offering=offering)
        .select_related("group", "tutor", "locked_by")
        .prefetch_related("signed_by", "commission")
        .order_by("-created_at", "-id")
    )


def statement(pk: int) -> Statement:
    try:
        return Statement.objects.select_related(
            "offering__discipline__department__faculty",
            "offering__period__year",
            "group__program",
            "scheme",
            "tutor",
            "locked_by",
        ).get(pk=pk)
    except Statement.DoesNotExist:
        raise NotFound(_("There is no such statement.")) from None


def statement_lines(statement: Statement) -> list[StatementLine]:
    """The lines ordered by the students' names."""
    return list(
        statement.lines.select_related("student").order_by(
            "student__last_name", "student__first_name", "student_id"
        )
    )


def letter_totals(lines: Iterable[StatementLine], scheme: GradingScheme) -> list[tuple[str, int]]:
    """How many lines got each letter of the scale (highest first), letters nobody got too."""
    counts: dict[str, int] = defaultdict(int)
    for line in lines:
        counts[line.letter or "—"] += 1
    letters = [row.letter for row in computation.scale_from_json(scheme.scale)]
    totals = [(letter, counts.pop(letter, 0)) for letter in letters]
    return totals + sorted(counts.items())


# --- the Platonus export ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportRow:
    """One student's line of the journal export (docs/subsystems/gradebook.md, "Platonus")."""

    iin: str
    full_name: str
    record_book: str
    group: str
    discipline_code: str
    discipline_name_ru: str
    credits: int
    tk1: Decimal | None
    rk1: Decimal | None
    tk2: Decimal | None
    rk2: Decimal | None
    admission: Decimal | None
    exam: Decimal | None
    final_percent: Decimal | None
    letter: str
    points: Decimal | None
    absences: int


def journal_export_rows(
    offering: CourseOffering, *, group_id: int | None = None
) -> list[ExportRow]:
    """The journal of an offering (or of one of its groups) as the export needs it, ordered by
    name: ``journal_rows``' four queries, then the record books, the groups and the absences
    (one query each), whatever the number of students."""
    _scheme, rows = journal_rows(offering)
    if group_id is not None:
        rows = [row for row in rows if row.group_id == group_id]
    ids = [row.student_id for row in rows]
    profiles = {
        p.user_id: p for p in StudentProfile.objects.filter(user_id__in=ids).select_related("group")
    }
    group_codes = dict(
        StudyGroup.objects.filter(pk__in={r.group_id for r in rows if r.group_id}).values_list(
            "pk", "code"
        )
    )
    absences = dict(
        Attendance.objects.filter(journal__offering=offering, present=False, student_id__in=ids)
        .values("student_id")
        .annotate(n=Count("pk"))
        .values_list("student_id", "n")
        .order_by()
    )
    discipline = offering.discipline
    out = []
    for row in rows:
        profile = profiles.get(row.student_id)
        group = group_codes.get(row.group_id, "")
        if not group and profile is not None and profile.group is not None:
            group = profile.group.code
        result = row.result
        out.append(
            ExportRow(
                iin=row.student.iin,
                full_name=row.student.full_name,
                record_book=profile.student_number if profile is not None else "",
                group=group,
                discipline_code=discipline.code,
                discipline_name_ru=discipline.name_ru,
                credits=discipline.credits,
                tk1=row.cells["tk1"].value,
                rk1=row.cells["rk1"].value,
                tk2=row.cells["tk2"].value,
                rk2=row.cells["rk2"].value,
                admission=result.admission_rating,
                exam=row.cells["exam"].value,
                final_percent=result.final_percent,
                letter=result.letter or "",
                points=result.points,
                absences=absences.get(row.student_id, 0),
            )
        )
    return out


# --- retakes and commissions --------------------------------------------------------------------


def latest_earlier_letters(offering: CourseOffering, student_ids) -> dict[int, str]:
    """Student id -> the letter of their latest result in the offering's discipline from a
    period that started before the offering's (one query). Students without one are left out."""
    grades = (
        FinalGrade.objects.filter(
            student_id__in=list(student_ids),
            discipline_id=offering.discipline_id,
            period__starts_on__lt=offering.period.starts_on,
        )
        .exclude(offering_id=offering.pk)
        .values_list(
            "student_id", "period__starts_on", "attempt_kind", "recorded_at", "id", "letter"
        )
    )
    latest: dict[int, tuple] = {}
    for student_id, starts_on, kind, recorded_at, pk, letter in grades:
        key = (starts_on, ATTEMPT_ORDER.get(kind, len(ATTEMPT_ORDER)), recorded_at, pk)
        if student_id not in latest or key > latest[student_id][0]:
            latest[student_id] = (key, letter)
    return {student_id: letter for student_id, (_key, letter) in latest.items()}


# Who may sit on an examination commission: academic staff (any scope of the role).
COMMISSION_ROLES = (
    Role.TUTOR,
    Role.HEAD_OF_DEPARTMENT,
    Role.METHODOLOGIST,
    Role.PROGRAM_LEADER,
    Role.VICE_RECTOR,
    Role.RECTOR,
)


def _academic_staff():
    return get_user_model().objects.filter(
        role_assignments__role__in=COMMISSION_ROLES, is_active=True
    )


def commission_candidates(offering: CourseOffering, current_ids=()) -> list:
    """Whom the registrar is offered as commission members: the tutors of this discipline (any
    period), the academic staff with a role on the discipline's faculty, and the current
    members, each holding a role of ``COMMISSION_ROLES``; one query. Anyone else eligible is
    added by username."""
    department = offering.discipline.department
    faculty_id = department.faculty_id if department is not None else None
    near = Q(taught_offerings__discipline_id=offering.discipline_id)
    if faculty_id is not None:
        near |= Q(
            role_assignments__scope_type=ScopeType.FACULTY,
            role_assignments__scope_id=faculty_id,
        )
    eligible = _academic_staff().values("pk")
    users = (
        get_user_model()
        .objects.filter((near & Q(pk__in=eligible, is_active=True)) | Q(pk__in=list(current_ids)))
        .distinct()
    )
    return sorted(users, key=lambda u: (u.last_name, u.first_name, u.pk))


def commission_eligible_ids(user_ids) -> set[int]:
    """Which of these users may sit on a commission (active, with an academic staff role of
    ``COMMISSION_ROLES`` in any scope); one query."""
    return set(
        _academic_staff().filter(pk__in=list(user_ids)).values_list("pk", flat=True).distinct()
    )


def users_by_username(usernames) -> dict[str, object]:
    """Lower-cased username -> user, for the names that exist (logins are case-insensitive)."""
    wanted = {name.strip().lower() for name in usernames if name.strip()}
    if not wanted:
        return {}
    query = Q()
    for name in wanted:
        query |= Q(username__iexact=name)
    return {u.username.lower(): u for u in get_user_model().objects.filter(query)}
