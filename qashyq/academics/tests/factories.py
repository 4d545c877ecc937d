import datetime
from decimal import Decimal

import factory

from qashyq.academics.models import (
    AcademicPeriod,
    AcademicYear,
    CourseOffering,
    Department,
    Discipline,
    Enrollment,
    Faculty,
    Program,
    StudentProfile,
    StudyGroup,
)
from qashyq.accounts.models import RoleAssignment
from qashyq.accounts.tests.factories import UserFactory


class FacultyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Faculty

    code = factory.Sequence(lambda n: f"F{n}")
    name_kk = factory.Sequence(lambda n: f"Факультет {n}")
    name_ru = factory.Sequence(lambda n: f"Факультет {n}")
    name_en = factory.Sequence(lambda n: f"Faculty {n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    faculty = factory.SubFactory(FacultyFactory)
    code = factory.Sequence(lambda n: f"D{n}")
    name_kk = factory.Sequence(lambda n: f"Кафедра {n}")
    name_ru = factory.Sequence(lambda n: f"Кафедра {n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    code = factory.Sequence(lambda n: f"6B021{n:02d}")
    department = factory.SubFactory(DepartmentFactory)
    level = "bachelor"
    delivery_format = "distance"
    name_kk = factory.Sequence(lambda n: f"Өнертану {n}")
    name_ru = factory.Sequence(lambda n: f"Искусствоведение {n}")
    name_en = factory.Sequence(lambda n: f"Art history {n}")


class DisciplineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Discipline

    code = factory.Sequence(lambda n: f"DIS{n:03d}")
    department = factory.SubFactory(DepartmentFactory)
    credits = 5
    ects = Decimal("5.0")
    name_kk = factory.Sequence(lambda n: f"Пән {n}")
    name_ru = factory.Sequence(lambda n: f"Дисциплина {n}")
    name_en = factory.Sequence(lambda n: f"Discipline {n}")


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear
        django_get_or_create = ["title"]

    title = "2026-2027"
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 8, 31)
    is_current = True


class AcademicPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicPeriod
        django_get_or_create = ["year", "kind"]

    year = factory.SubFactory(AcademicYearFactory)
    kind = "semester_1"
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 1, 15)


class StudyGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudyGroup

    code = factory.Sequence(lambda n: f"ИТ-{n:02d}")
    program = factory.SubFactory(ProgramFactory)
    admission_year = 2025
    year_of_study = 2


class StudentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    student_number = factory.Sequence(lambda n: f"S{n:06d}")
    group = factory.SubFactory(StudyGroupFactory)
    program = factory.SelfAttribute("group.program")
    year_of_study = 2
    funding = "grant"

    @factory.post_generation
    def student_role(obj, create, extracted, **kwargs):
        if create:
            RoleAssignment.objects.get_or_create(user=obj.user, role="student", scope_type="site")


class CourseOfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseOffering
        skip_postgeneration_save = True

    discipline = factory.SubFactory(DisciplineFactory)
    period = factory.SubFactory(AcademicPeriodFactory)

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.set(extracted)
            for group in extracted:
                for profile in group.students.all():
                    Enrollment.objects.get_or_create(
                        offering=obj, student=profile.user, defaults={"group": group}
                    )

    @factory.post_generation
    def tutors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tutors.set(extracted)
            for tutor in extracted:
                RoleAssignment.objects.get_or_create(
                    user=tutor, role="tutor", scope_type="course", scope_id=obj.pk
                )
