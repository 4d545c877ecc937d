"""Retake and summer statements: a retake statement lists only the students who study the
discipline again (their latest earlier result of it is F), an FX re-sit statement only the FX
students; a statement of a summer-semester offering records the attempt as ``summer`` (also for
a student whose earlier result was F), and the transcript shows it as a retake."""

import datetime
from decimal import Decimal

import pytest

from qashyq.academics.models import Enrollment
from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    CourseOfferingFactory,
    StudentProfileFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.core.errors import Conflict, ValidationFailed
from qashyq.gradebook import services
from qashyq.gradebook.models import FinalGrade, StatementStatus

from .test_statements import fill, locked_statement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PASSING = {"tk1": 80, "rk1": 80, "tk2": 80, "rk2": 80, "exam": 80}  # 80 % -> B


@pytest.fixture
def summer(world):
    """Semester 1 locked (A-, FX, F for the three students), then a summer offering of the same
    discipline with the F student, the FX student and a newcomer, all with passing marks."""
    fill(world)
    locked_statement(world)
    period = AcademicPeriodFactory(
        year=world.period.year,
        kind="summer",
        starts_on=datetime.date(2027, 6, 14),
        ends_on=datetime.date(2027, 8, 14),
    )
    tutor = UserFactory()
    offering = CourseOfferingFactory(
        discipline=world.offering.discipline, period=period, tutors=[tutor]
    )
    newcomer = StudentProfileFactory(group=world.group).user
    f_student, fx_student = world.students[2], world.students[1]
    for student in (f_student, fx_student, newcomer):
        Enrollment.objects.create(offering=offering, student=student, group=world.group)
        services.marks_set(actor=tutor, offering=offering, student=student, values=PASSING)
    head = user_with_role(
        "head_of_department", "faculty", world.offering.discipline.department.faculty_id
    )
    return offering, tutor, head, f_student, fx_student, newcomer


def sign_and_lock(world, statement, tutor, head):
    services.statement_commission_set(actor=world.registrar, statement=statement, members=[head])
    services.statement_sign(actor=tutor, statement=statement)
    services.statement_sign(actor=head, statement=statement)
    return services.statement_lock(actor=world.registrar, statement=statement)


def test_retake_statement_lists_only_students_whose_latest_result_is_f(world, summer):
    offering, tutor, head, f_student, fx_student, newcomer = summer
    retake = services.statement_generate(actor=tutor, offering=offering, kind="retake")
    assert [line.student for line in retake.lines.all()] == [f_student]
    assert retake.number.endswith("R1")


def test_an_f_cleared_later_is_not_retaken_again(world, summer):
    offering, tutor, _head, f_student, _fx, _newcomer = summer
    # The F student passed a retake in the same (earlier) period: their latest result is C.
    FinalGrade.objects.create(
        student=f_student,
        discipline=world.offering.discipline,
        offering=None,
        period=world.period,
        attempt_kind="retake",
        percent=Decimal(66),
        letter="C",
        points=Decimal("2.0"),
        credits=5,
        ects=Decimal("5.0"),
    )
    with pytest.raises(ValidationFailed) as caught:
        services.statement_generate(actor=tutor, offering=offering, kind="retake")
    assert caught.value.code == "statement_empty"
    assert "F" in str(caught.value.message)


def test_fx_resit_statement_lists_only_the_fx_students(world):
    fill(world)
    locked_statement(world)
    services.mark_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.students[1],
        column="exam",
        value=55,
    )
    resit = services.statement_generate(actor=world.tutor, offering=world.offering, kind="fx_resit")
    assert [line.student for line in resit.lines.all()] == [world.students[1]]
    assert resit.based_on.kind == "exam"


def test_summer_statement_records_summer_attempts(world, summer):
    offering, tutor, head, f_student, fx_student, newcomer = summer
    retake = services.statement_generate(actor=tutor, offering=offering, kind="retake")
    sign_and_lock(world, retake, tutor, head)
    grade = FinalGrade.objects.get(student=f_student, offering=offering)
    assert (grade.attempt_kind, grade.letter, grade.period.kind) == ("summer", "B", "summer")
    # The exam statement of the summer course: the others; the retaker is on a locked
    # statement of the same sitting already, so an exam statement with them is refused.
    with pytest.raises(Conflict):
        services.statement_generate(actor=tutor, offering=offering, kind="exam")
    Enrollment.objects.filter(offering=offering, student=f_student).delete()
    exam = services.statement_generate(actor=tutor, offering=offering, kind="exam")
    services.statement_sign(actor=tutor, statement=exam)
    exam.refresh_from_db()
    assert exam.status == StatementStatus.SIGNED  # an exam statement needs no commission
    services.statement_lock(actor=world.registrar, statement=exam)
    kinds = dict(
        FinalGrade.objects.filter(offering=offering).values_list("student_id", "attempt_kind")
    )
    assert kinds == {f_student.pk: "summer", fx_student.pk: "summer", newcomer.pk: "summer"}


def test_registrar_correction_of_a_summer_statement_keeps_the_summer_attempt(world, summer):
    offering, tutor, head, f_student, _fx, _newcomer = summer
    retake = services.statement_generate(actor=tutor, offering=offering, kind="retake")
    sign_and_lock(world, retake, tutor, head)
    services.statement_correct(
        actor=world.registrar,
        statement=retake,
        student=f_student,
        field="exam",
        value=100,
        reason="Appeal upheld",
    )
    grades = FinalGrade.objects.filter(student=f_student, offering=offering)
    assert [(g.attempt_kind, g.letter) for g in grades] == [("summer", "B+")]


def test_transcript_flags_a_summer_attempt_as_a_retake_only_after_an_earlier_one(world, summer):
    from qashyq.registrar.selectors import transcript

    offering, tutor, head, f_student, fx_student, newcomer = summer
    sign_and_lock(
        world,
        services.statement_generate(actor=tutor, offering=offering, kind="retake"),
        tutor,
        head,
    )
    Enrollment.objects.filter(offering=offering, student=f_student).delete()
    exam = services.statement_generate(actor=tutor, offering=offering, kind="exam")
    services.statement_lock(
        actor=world.registrar, statement=services.statement_sign(actor=tutor, statement=exam)
    )

    def flags(student):
        rows = [row for block in transcript(student.pk).periods for row in block.rows]
        return [(row.grade.attempt_kind, row.grade.letter, row.retake) for row in rows]

    assert flags(f_student) == [("regular", "F", False), ("summer", "B", True)]
    assert flags(fx_student) == [("regular", "FX", False), ("summer", "B", True)]
    assert flags(newcomer) == [("summer", "B", False)]  # a first attempt in summer
