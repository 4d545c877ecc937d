"""Reads of the registrar's office: transcripts, GPA, the national-database export, the
students below the transfer threshold and the student search. Every list is a bounded number
of queries (asserted in tests/test_queries.py).

The results are ``gradebook.FinalGrade`` rows, read through ``gradebook.selectors`` for one
student; the threshold list reads them for many students at once in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import CharField, Exists, IntegerField, OuterRef, Q
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from qashyq.academics.models import (
    AcademicPeriod,
    AcademicYear,
    CourseOffering,
    Enrollment,
    StudentProfile,
    StudentStatus,
)
from qashyq.core.errors import NotFound
from qashyq.gradebook import computation
from qashyq.gradebook.models import COLUMNS, CurrentMark, FinalGrade, Journal, JournalRow
from qashyq.gradebook.selectors import default_scheme, final_grades_of

from .. import gpa
from ..models import TransferThreshold

SEARCH_LIMIT = 50
NATIONAL_LANGUAGES = {"kk": "kz", "ru": "ru", "en": "en"}  # Platonus calls Kazakh "kz"


@dataclass
class TranscriptRow:
    grade: FinalGrade
    attempt: gpa.Attempt
    retake: bool
    counted: bool

    @property
    def discipline(self):
        return self.grade.discipline

    @property
    def period(self):
        return self.grade.period


@dataclass
class PeriodBlock:
    period: AcademicPeriod
    rows: list[TranscriptRow] = field(default_factory=list)
    gpa: Decimal | None = None
    cumulative_gpa: Decimal | None = None
    credits: int = 0

    @property
    def gpa_display(self) -> str:
        return gpa.display(self.gpa)

    @property
    def cumulative_display(self) -> str:
        return gpa.display(self.cumulative_gpa)


@dataclass
class Transcript:
    student: object
    profile: StudentProfile
    periods: list[PeriodBlock]
    gpa: Decimal | None
    credits_earned: int

    @property
    def gpa_display(self) -> str:
        return gpa.display(self.gpa)

    @property
    def rows(self) -> list[TranscriptRow]:
        return [row for block in self.periods for row in block.rows]


def student_profile(student_id: int) -> StudentProfile:
    """The student's profile with the user, program (and its department) and group; NotFound
    when there is no such student."""
    profile = (
        StudentProfile.objects.select_related("user", "program__department", "group")
        .filter(user_id=student_id)
        .first()
    )
    if profile is None:
        raise NotFound(_("There is no such student."))
    return profile


class _FxRule:
    """Whether FX counts in the GPA for a grade: the scheme of its statement, else of its
    offering's journal, else the default scheme (read once, only when needed)."""

    def __init__(self):
        self._default: bool | None = None

    def __call__(self, grade: FinalGrade) -> bool:
        if grade.statement_id is not None:
            return grade.statement.scheme.fx_in_gpa
        offering = grade.offering
        if offering is not None:
            journal = getattr(offering, "journal", None)
            if journal is not None:
                return journal.scheme.fx_in_gpa
        return self.default()

    def default(self) -> bool:
        if self._default is None:
            self._default = default_scheme().fx_in_gpa
        return self._default

    def of_value(self, fx_in_gpa) -> bool:
        """The same rule on ``fx_in_gpa`` of the statement's scheme, else the journal's, read
        as a value (None: neither exists)."""
        return self.default() if fx_in_gpa is None else bool(fx_in_gpa)


def _with_schemes(queryset):
    return queryset.select_related("statement__scheme", "offering__journal__scheme")


def _attempt(grade: FinalGrade, fx_rule: _FxRule) -> gpa.Attempt:
    return gpa.Attempt(
        discipline_id=grade.discipline_id,
        period_id=grade.period_id,
        period_start=grade.period.starts_on,
        attempt_kind=grade.attempt_kind,
        letter=grade.letter,
        points=grade.points,
        credits=grade.credits,
        fx_in_gpa=fx_rule(grade) if grade.letter == gpa.FX else True,
    )


def attempts_of(student_id: int) -> list[tuple[FinalGrade, gpa.Attempt]]:
    fx_rule = _FxRule()
    grades = _with_schemes(final_grades_of(student_id))
    return [(grade, _attempt(grade, fx_rule)) for grade in grades]


def transcript(student_id: int, profile: StudentProfile | None = None) -> Transcript:
    """Every attempt of every discipline, grouped by period (oldest first), with the period's
    GPA, the cumulative GPA up to it and the cumulative GPA overall.

    An attempt is flagged as a retake when it is not a regular attempt (an FX re-sit, a retake,
    a summer attempt) of a discipline with an earlier attempt on record."""
    profile = profile or student_profile(student_id)
    pairs = attempts_of(student_id)
    attempts = [attempt for _grade, attempt in pairs]
    latest = gpa.latest_attempts(attempts)
    # by period, then discipline, then attempt: a discipline's attempts in a period stay together
    pairs.sort(
        key=lambda pair: (
            pair[1].period_start,
            pair[1].period_id,
            pair[0].discipline.code,
            gpa.order_key(pair[1]),
        )
    )
    seen: set[int] = set()
    blocks: dict[int, PeriodBlock] = {}
    for grade, attempt in pairs:
        retake = attempt.discipline_id in seen or attempt.attempt_kind in (
            gpa.FX_RESIT,
            gpa.RETAKE,
        )
        seen.add(attempt.discipline_id)
        block = blocks.setdefault(grade.period_id, PeriodBlock(period=grade.period))
        block.rows.append(
            TranscriptRow(
                grade=grade,
                attempt=attempt,
                retake=retake,
                counted=latest.get(attempt.discipline_id) is attempt and gpa.counts_in_gpa(attempt),
            )
        )
        block.credits += grade.credits
    by_period = {period_id: (p, c) for period_id, p, c in gpa.gpa_by_period(attempts)}
    for period_id, block in blocks.items():
        block.gpa, block.cumulative_gpa = by_period.get(period_id, (None, None))
    return Transcript(
        student=profile.user,
        profile=profile,
        periods=list(blocks.values()),
        gpa=gpa.cumulative_gpa(attempts),
        credits_earned=gpa.credits_earned(attempts),
    )


def gpa_summary(student_id: int) -> dict:
    """``{"cumulative": Decimal | None, "periods": [(period, gpa, cumulative), ...]}``."""
    pairs = attempts_of(student_id)
    attempts = [attempt for _grade, attempt in pairs]
    periods = {grade.period_id: grade.period for grade, _attempt in pairs}
    return {
        "cumulative": gpa.cumulative_gpa(attempts),
        "credits_earned": gpa.credits_earned(attempts),
        "periods": [
            (periods[period_id], period_gpa, cumulative)
            for period_id, period_gpa, cumulative in gpa.gpa_by_period(attempts)
        ],
    }


def _number(value) -> float | None:
    return None if value is None else float(value)


def national_export(record: Transcript) -> dict:
    """The transcript in the fields the national higher-education database takes. Names come
    in ``ru``, ``kz`` (Platonus's code for Kazakh) and ``en``. It carries the IIN: the export is
    for the registrar only."""
    user = record.student
    profile = record.profile
    program = profile.program
    return {
        "student": {
            "iin": user.iin,
            "student_number": profile.student_number,
            "last_name": user.last_name,
            "first_name": user.first_name,
            "middle_name": getattr(user, "middle_name", ""),
            "program_code": program.code,
            "program_name": {
                NATIONAL_LANGUAGES[lang]: getattr(program, f"name_{lang}")
                for lang in ("ru", "kk", "en")
            },
            "year_of_study": profile.year_of_study,
        },
        "gpa": _number(gpa.rounded(record.gpa)),
        "credits_earned": record.credits_earned,
        "courses": [
            {
                "discipline_code": row.discipline.code,
                "name": {
                    NATIONAL_LANGUAGES[lang]: getattr(row.discipline, f"name_{lang}")
                    for lang in ("ru", "kk", "en")
                },
                "academic_year": row.period.year.title,
                "period": row.period.kind,
                "attempt": row.grade.attempt_kind,
                "letter": row.grade.letter,
                "points": _number(row.grade.points),
                "percent": _number(row.grade.percent),
                "credits": row.grade.credits,
                "ects": _number(row.grade.ects),
                "retaken": row.retake,
                "counted_in_gpa": row.counted,
            }
            for row in record.rows
        ],
    }


def search_students(query: str, *, faculty_ids: frozenset[int] | None) -> list[StudentProfile]:
    """Students by name, record-book number or IIN (at most SEARCH_LIMIT), within the
    faculties the registrar serves (None: all)."""
    query = (query or "").strip()
    if not query:
        return []
    profiles = StudentProfile.objects.select_related("user", "program", "group")
    if faculty_ids is not None:
        profiles = profiles.filter(program__department__faculty_id__in=faculty_ids)
    words = query.split()
    condition = Q(student_number__iexact=query) | Q(user__iin=query)
    name = Q()
    for word in words:
        name &= Q(user__last_name__icontains=word) | Q(user__first_name__icontains=word)
    return list(profiles.filter(condition | name)[:SEARCH_LIMIT])


@dataclass
class BelowThreshold:
    profile: StudentProfile
    gpa: Decimal
    threshold: Decimal

    @property
    def gpa_display(self) -> str:
        return gpa.display(self.gpa)


def current_year() -> AcademicYear | None:
    return AcademicYear.objects.filter(is_current=True).first()


def academic_years() -> list[AcademicYear]:
    return list(AcademicYear.objects.order_by("-starts_on"))


def year_or_current(value: str | None) -> AcademicYear | None:
    """The academic year with id ``value``; the current one when it is empty or not a year."""
    if value and value.isdigit():
        year = AcademicYear.objects.filter(pk=int(value)).first()
        if year is not None:
            return year
    return current_year()


def thresholds_of(year: AcademicYear | None) -> list[TransferThreshold]:
    if year is None:
        return []
    return list(TransferThreshold.objects.filter(academic_year=year).order_by("year_of_study"))


class _Converted(dict):
    """Text from the database -> a Python value, each distinct text converted once.

    The batch reads below fetch decimals as text (``Cast(..., CharField())``): on
    SQLite, Django would otherwise convert every value of every row (40,000 rows x 5 marks in
    the benchmark), while a column of marks or points holds a few hundred distinct values."""

    def __init__(self, convert):
        super().__init__()
        self._convert = convert

    def __missing__(self, text):
        value = None if text is None else self._convert(text)
        self[text] = value
        return value


def _decimals(model, field_name: str) -> _Converted:
    """Decimals exactly as Django gives them for the field (quantized to its places)."""
    quantum = Decimal(1).scaleb(-model._meta.get_field(field_name).decimal_places)
    return _Converted(lambda text: Decimal(text).quantize(quantum))


def _as_text(**fields):
    return {alias: Cast(name, CharField()) for alias, name in fields.items()}


def students_below_threshold(
    year: AcademicYear | None, *, faculty_ids: frozenset[int] | None = None
) -> list[BelowThreshold]:
    """Active students whose cumulative GPA is below the threshold set for their year of study
    in ``year``. Students with no graded result yet are not listed (there is no GPA to judge).
    Three queries (thresholds, the grades of the students concerned, the profiles of those
    listed) plus at most one for the default scheme, whatever the number of students.

    Every grade of every student is read here (40,000 for 5,000 students), so the grades come
    as plain values (no model instances, no grading scheme's JSON scale per grade, no default
    ordering's join), and only the listed students' profiles are built (bench/gpa_recompute)."""
    thresholds = {t.year_of_study: t.min_gpa for t in thresholds_of(year)}
    if not thresholds:
        return []
    grades = FinalGrade.objects.filter(
        student__student_profile__status=StudentStatus.ACTIVE,
        student__student_profile__year_of_study__in=list(thresholds),
    )
    if faculty_ids is not None:
        grades = grades.filter(
            student__student_profile__program__department__faculty_id__in=faculty_ids
        )
    grades = (
        grades.order_by()
        .annotate(
            **_as_text(points_text="points"),
            # the scheme the grade was graded under: its statement's, else its journal's (as
            # 1/0, None when neither: the default scheme); a number needs no conversion
            fx_scheme=Cast(
                Coalesce("statement__scheme__fx_in_gpa", "offering__journal__scheme__fx_in_gpa"),
                IntegerField(),
            ),
        )
        .values_list(
            "student_id",
            "student__student_profile__year_of_study",
            "discipline_id",
            "period_id",
            "period__starts_on",
            "attempt_kind",
            "letter",
            "points_text",
            "credits",
            "fx_scheme",
        )
    )
    points_of = _decimals(FinalGrade, "points")
    fx_rule = _FxRule()
    attempts: dict[int, list[gpa.Attempt]] = {}
    years: dict[int, int] = {}
    for (
        student_id,
        year_of_study,
        discipline_id,
        period_id,
        period_start,
        kind,
        letter,
        points,
        credits,
        fx_scheme,
    ) in grades:
        items = attempts.get(student_id)
        if items is None:
            items = attempts[student_id] = []
            years[student_id] = year_of_study
        items.append(
            gpa.Attempt(
                discipline_id,
                period_id,
                period_start,
                kind,
                letter,
                points_of[points],
                credits,
                fx_rule.of_value(fx_scheme) if letter == gpa.FX else True,
            )
        )
    low: dict[int, tuple[Decimal, Decimal]] = {}
    for student_id, items in attempts.items():
        value = gpa.cumulative_gpa(items)
        threshold = thresholds[years[student_id]]
        if value is not None and value < threshold:
            low[student_id] = (value, threshold)
    if not low:
        return []
    profiles = StudentProfile.objects.select_related("user", "program", "group").filter(
        user_id__in=list(low)
    )
    below = [BelowThreshold(profile, *low[profile.user_id]) for profile in profiles.order_by()]
    below.sort(key=lambda item: (item.gpa, item.profile.user.last_name, item.profile.user_id))
    return below


# --- final grades of whole offerings, recomputed from their journals ----------------------------


def _half_means(weekly: list[tuple[int, Decimal]], first_half_weeks: int):
    """ТК1 and ТК2 as the journal shows them when not entered directly: the mean of the weekly
    marks of weeks 1..first_half_weeks and of the rest (``gradebook.selectors.aggregated_tk``)."""
    first = [value for week, value in weekly if week <= first_half_weeks]
    second = [value for week, value in weekly if week > first_half_weeks]
    return computation.mean(first), computation.mean(second)


def journal_results(
    offerings: Iterable[CourseOffering | int],
) -> dict[int, dict[int, computation.Result]]:
    """``{offering id: {student id: Result}}``: the computed columns (final %, letter, points)
    of every enrolled student of every offering, exactly as ``gradebook.selectors.journal_rows``
    computes them row by row (a direct ТК entry wins over the mean of the weekly marks; an
    offering without a journal reads as empty rows under the default scheme), for batch
    recomputation: 4 queries whatever the number of offerings and students, plain values
    instead of model instances, and weekly marks read only for rows that need them."""
    offering_ids = [getattr(o, "pk", o) for o in offerings]
    if not offering_ids:
        return {}
    journals = {
        j.offering_id: j
        for j in Journal.objects.select_related("scheme").filter(offering_id__in=offering_ids)
    }
    # an offering without a journal has only empty rows: no scheme needed for it
    rules_of_scheme = {j.scheme_id: j.scheme.rules() for j in journals.values()}
    rules_of = {j.pk: rules_of_scheme[j.scheme_id] for j in journals.values()}
    by_journal = {j.pk: j for j in journals.values()}
    # (journal id, student id) -> the five marks, with ТК1/ТК2 still None where not entered
    # (journal id, student id) -> the row's Result, computed as the rows come
    computed: dict[tuple[int, int], computation.Result] = {}
    compute = computation.compute
    if journals:
        mark = _decimals(JournalRow, "exam")
        # ТК1/ТК2 from the weekly marks, read only where one was not entered directly
        both_entered = JournalRow.objects.filter(
            journal_id=OuterRef("journal_id"),
            student_id=OuterRef("student_id"),
            tk1__isnull=False,
            tk2__isnull=False,
        )
        weekly: dict[tuple[int, int], list[tuple[int, Decimal]]] = {}
        for journal_id, student_id, week, value in (
            CurrentMark.objects.filter(journal_id__in=list(by_journal))
            .exclude(Exists(both_entered))
            .order_by("journal_id", "student_id", "week")
            .annotate(**_as_text(value_text="value"))
            .values_list("journal_id", "student_id", "week", "value_text")
        ):
            weekly.setdefault((journal_id, student_id), []).append((week, mark[value]))
        means = {
            key: _half_means(items, by_journal[key[0]].scheme.first_half_weeks)
            for key, items in weekly.items()
        }
        for journal_id, student_id, tk1, rk1, tk2, rk2, exam in (
            JournalRow.objects.filter(journal_id__in=list(by_journal))
            .annotate(**_as_text(**{f"{c}_text": c for c in COLUMNS}))
            .values_list("journal_id", "student_id", *(f"{c}_text" for c in COLUMNS))
        ):
            key = (journal_id, student_id)
            tk1, rk1, tk2, rk2, exam = mark[tk1], mark[rk1], mark[tk2], mark[rk2], mark[exam]
            if key in means:  # a direct entry wins over the mean
                mean1, mean2 = means.pop(key)
                tk1 = mean1 if tk1 is None else tk1
                tk2 = mean2 if tk2 is None else tk2
            computed[key] = compute(tk1, rk1, tk2, rk2, exam, rules=rules_of[journal_id])
        for (journal_id, student_id), (mean1, mean2) in means.items():  # weekly marks, no row
            rules = rules_of[journal_id]
            computed[(journal_id, student_id)] = compute(mean1, None, mean2, None, None, rules)
    results: dict[int, dict[int, computation.Result]] = {pk: {} for pk in offering_ids}
    journal_ids = {offering_id: j.pk for offering_id, j in journals.items()}
    empty = compute(None, None, None, None, None)  # the same under every scheme
    for offering_id, student_id in Enrollment.objects.filter(
        offering_id__in=offering_ids
    ).values_list("offering_id", "student_id"):
        results[offering_id][student_id] = computed.get(
            (journal_ids.get(offering_id), student_id), empty
        )
    return results
