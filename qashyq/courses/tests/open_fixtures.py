"""A small open-course world for the open-course and certificate tests."""

from __future__ import annotations

from types import SimpleNamespace

from qashyq.academics.tests.factories import DisciplineFactory
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.courses.models import OpenCourse, VersionStatus
from qashyq.courses.tests.factories import EumkVersionFactory, MaterialFactory, TopicFactory


def approved_discipline(*, materials: int = 3, title_prefix: str = "Сабақ"):
    """A discipline whose EUMK has an approved version with ``materials`` text materials, and
    a newer draft with one more material (not part of the course)."""
    discipline = DisciplineFactory()
    version = EumkVersionFactory(
        eumk__discipline=discipline, number=1, status=VersionStatus.APPROVED
    )
    topic = TopicFactory(version=version, week=1, title="Әліпби")
    items = [
        MaterialFactory(topic=topic, title=f"{title_prefix} {i}", position=i)
        for i in range(1, materials + 1)
    ]
    draft = EumkVersionFactory(eumk=version.eumk, number=2, status=VersionStatus.DRAFT)
    draft_material = MaterialFactory(topic=TopicFactory(version=draft), title="Жоба")
    return discipline, version, items, draft_material


def open_course(discipline, **fields) -> OpenCourse:
    values = {
        "title_kk": "Қазақ тілі: бастауыш деңгей",
        "title_ru": "Казахский язык: начальный уровень",
        "title_en": "Kazakh language: beginners",
        "slug": "kazakh-a1",
        "kind": "language",
        "description_kk": "Қазақ тілін **нөлден** үйренеміз.",
        "description_en": "Learn Kazakh **from scratch**.",
        "hours": 36,
        "published": True,
    }
    values.update(fields)
    return OpenCourse.objects.create(discipline=discipline, **values)


def make_world():
    discipline, version, materials, draft_material = approved_discipline()
    course = open_course(discipline)
    other_discipline, _v, other_materials, _d = approved_discipline(title_prefix="Басқа")
    other_course = open_course(other_discipline, slug="other-course", title_kk="Басқа курс")
    learner = UserFactory(first_name="Әсем", last_name="Құрманғазықызы", iin="")
    outsider = UserFactory(iin="")
    faculty_id = discipline.department.faculty_id
    return SimpleNamespace(
        discipline=discipline,
        version=version,
        materials=materials,
        draft_material=draft_material,
        course=course,
        other_course=other_course,
        other_materials=other_materials,
        learner=learner,
        outsider=outsider,
        methodologist=user_with_role("methodologist", "faculty", faculty_id),
        other_methodologist=user_with_role(
            "methodologist", "faculty", other_discipline.department.faculty_id
        ),
        admin=user_with_role("admin"),
    )
