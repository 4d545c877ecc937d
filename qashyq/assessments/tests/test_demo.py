import pytest

from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    DisciplineFactory,
    FacultyFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assessments import demo
from qashyq.assessments.models import (
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
)
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
    for discipline in disciplines.values():
        CourseOfferingFactory(discipline=discipline, tutors=[tutor])
    users = {
        "tutor": tutor,
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
    assert _rows() == [0] * 6
