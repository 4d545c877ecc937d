import pytest
from django.utils import timezone

from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    DisciplineFactory,
    FacultyFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assessments import demo
from qashyq.assessments.models import (
    Answer,
    Attempt,
    AttemptSlot,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
    Test,
    TestSection,
)
from qashyq.assessments.services import attempts as attempt_services
from qashyq.core.models import AuditLogEntry

pytestmark = pytest.mark.django_db


class Ctx:
    def __init__(self, users):
        self.objects = {"users": users}
        self.lines = []

    def log(self, line):
        self.lines.append(line)


def _rows():
    return [
        m.objects.count()
        for m in (
            QuestionBank,
            QuestionCategory,
            Question,
            QuestionVersion,
            QuestionTag,
            AuditLogEntry,
            Test,
            TestSection,
            Attempt,
            AttemptSlot,
            Answer,
        )
    ]


@pytest.fixture
def academy(db):
    faculty = FacultyFactory()
    disciplines = {
        code: DisciplineFactory(code=code, department__faculty=faculty)
        for code in ("IAS1104", "HKA3101")
    }
    tutor = UserFactory(username="tutor")
    group = StudyGroupFactory()
    student = StudentProfileFactory(group=group, user__username="student").user
    for _ in range(7):
        StudentProfileFactory(group=group)
    CourseOfferingFactory(discipline=disciplines["IAS1104"], tutors=[tutor], groups=[group])
    CourseOfferingFactory(discipline=disciplines["HKA3101"], tutors=[tutor])
    users = {
        "tutor": tutor,
        "student": student,
        "methodologist": user_with_role("methodologist", "faculty", faculty.pk),
    }
    return Ctx(users)


def test_demo_seeds_a_kazakh_and_a_russian_bank_once(academy):
    demo.seed(academy)
    rows = _rows()
    demo.seed(academy)
    assert _rows() == rows  # the second run writes nothing new
    kk, ru = academy.objects["question_banks"]["kk"], academy.objects["question_banks"]["ru"]
    assert kk.discipline.code == "IAS1104" and ru.discipline.code == "HKA3101"
    # Platonus kk (16) + GIFT kk (21); Platonus ru in cp1251 (15) + Moodle XML ru (14)
    assert kk.questions.count() == 37
    assert ru.questions.count() == 29
    assert kk.questions.filter(category__name="Platonus").count() == 16
    assert ru.questions.filter(current_version__text__contains="Казахское ханство").exists()
    assert ru.questions.filter(current_version__qtype="ordering").exists()
    assert kk.questions.filter(current_version__qtype="cloze").exists()
    # imported through the service, in the tutor's name, and audited per file
    tutor = academy.objects["users"]["tutor"]
    assert set(Question.objects.values_list("created_by", flat=True)) == {tutor.pk}
    files = sorted(
        AuditLogEntry.objects.filter(action="questions.import").values_list(
            "new_value__file", flat=True
        )
    )
    assert files == ["gift_kk.gift", "moodle_ru.xml", "platonus_kk.txt", "platonus_ru_cp1251.txt"]


def test_without_the_tutor_the_methodologist_imports(academy):
    users = academy.objects["users"]
    ctx = Ctx({"methodologist": users["methodologist"], "tutor": UserFactory()})
    demo.seed(ctx)
    demo.seed(ctx)
    assert Question.objects.count() == 66
    assert set(Question.objects.values_list("created_by", flat=True)) == {users["methodologist"].pk}


def test_nothing_without_the_disciplines_or_people(db):
    demo.seed(Ctx({}))
    DisciplineFactory(code="IAS1104")
    demo.seed(Ctx({"tutor": UserFactory()}))
    assert _rows() == [0] * 11


def test_demo_rk1_has_finished_scored_attempts_for_item_analysis(academy):
    demo.seed(academy)
    rows = _rows()
    demo.seed(academy)
    assert _rows() == rows  # the second run starts no attempt and creates no test

    rk1 = Test.objects.get(kind="rk1")
    assert rk1.offering.discipline.code == "IAS1104" and rk1.published
    assert rk1.time_limit == 30 and rk1.attempts_allowed == 1
    assert rk1.review_after_close_score and rk1.review_after_close_right_answers
    assert not rk1.review_immediately_right_answers
    assert rk1.closes_at < timezone.now()  # closed: the review shows the right answers
    # random questions of the Kazakh bank, and the essay
    assert rk1.sections.filter(category__name="Platonus", count=10).exists()
    attempts = list(Attempt.objects.filter(test=rk1))
    assert len(attempts) == 8  # every student of the group
    assert {a.state for a in attempts} == {"finished"}
    assert all(a.score is not None and not a.needs_grading for a in attempts)
    assert all(rk1.opens_at <= a.started_at < a.finished_at <= a.deadline for a in attempts)
    percents = [a.score / a.max_score for a in attempts]
    assert max(percents) - min(percents) > 0.2  # stronger and weaker students
    # every slot drew a question of the Kazakh bank, each student a different draw
    draws = {
        tuple(AttemptSlot.objects.filter(attempt=a).values_list("question_version", flat=True))
        for a in attempts
    }
    assert len(draws) > 1
    essays = Answer.objects.filter(slot__attempt__test=rk1, slot__question_version__qtype="essay")
    assert essays.count() == 8
    assert not essays.filter(manual_points__isnull=True).exists()
    assert set(essays.values_list("graded_by__username", flat=True)) == {"tutor"}
    # answers were saved through the service: each with its sequence number and time
    saved = Answer.objects.filter(slot__attempt__test=rk1, seq=1)
    assert saved.count() > 8 * 10
    assert not saved.filter(saved_at__isnull=True).exists()

    student = academy.objects["users"]["student"]
    mine = Attempt.objects.get(test=rk1, student=student)
    assert mine.state == "finished" and mine.score > 0


def test_demo_exam_is_proctored_and_later_and_practice_is_open_now(academy):
    demo.seed(academy)
    exam = Test.objects.get(kind="exam")
    assert exam.proctored and exam.published
    assert exam.opens_at > timezone.now()
    assert not exam.attempts.exists()
    practice = Test.objects.get(kind="practice")
    assert practice.published and practice.attempts_allowed == 0
    assert practice.opens_at <= timezone.now() and practice.closes_at is None
    # the demo student can take it now, and again after finishing
    student = academy.objects["users"]["student"]
    first, created = attempt_services.attempt_start_or_resume(actor=student, test=practice)
    assert created and first.slots.count() == 7
    attempt_services.attempt_submit(actor=student, attempt=first)
    second, created = attempt_services.attempt_start_or_resume(actor=student, test=practice)
    assert created and second.number == 2
