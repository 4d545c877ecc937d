"""``manage.py seed_demo``: the demo academy the issue asks for, idempotent, refused in production.

The command runs once for the whole module (about 3-5 s on SQLite) inside a transaction that is
rolled back at the end, so the rest of the suite never sees the demo data.
"""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qashyq.academics import selectors as academics
from qashyq.academics.models import (
    AcademicPeriod,
    AcademicYear,
    CalendarEvent,
    ControlForm,
    CourseOffering,
    DeliveryFormat,
    Department,
    Discipline,
    DistanceGround,
    Enrollment,
    EventKind,
    Faculty,
    Funding,
    PeriodKind,
    Program,
    StudentProfile,
    StudentStatus,
    StudyGroup,
)
from qashyq.accounts.iin import iin_error
from qashyq.accounts.models import ParentLink, RoleAssignment, User
from qashyq.accounts.roles import STAFF_ROLES, Role, ScopeType
from qashyq.accounts.selectors import primary_role
from qashyq.core.models import AuditLogEntry
from qashyq.portal.models import NormativeDocument

DEMO_LOGINS = {
    "admin": Role.ADMIN,
    "rector": Role.RECTOR,
    "methodologist": Role.METHODOLOGIST,
    "programleader": Role.PROGRAM_LEADER,
    "tutor": Role.TUTOR,
    "student": Role.STUDENT,
    "registrar": Role.REGISTRAR,
    "admission": Role.ADMISSION,
    "proctor": Role.PROCTOR,
    "librarian": Role.LIBRARIAN,
    "practice": Role.PRACTICE_SUPERVISOR,
    "accountant": Role.ACCOUNTANT,
    "parent": Role.PARENT,
}
LEARNER_LOGIN = "learner"  # an open-course learner: an account without any role
KAZAKH_LETTERS = set("әғқңөұүһі")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    out = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.monotonic()
        call_command("seed_demo", stdout=out)
        yield SimpleNamespace(output=out.getvalue(), seconds=time.monotonic() - started)
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def current_periods() -> dict[str, AcademicPeriod]:
    return {p.kind: p for p in AcademicPeriod.objects.filter(year__is_current=True)}


def test_structure_three_faculties_six_programs_in_the_right_formats(demo):
    assert Faculty.objects.count() == 3
    assert Department.objects.count() >= 3
    assert set(Department.objects.values_list("faculty__code", flat=True)) == set(
        Faculty.objects.values_list("code", flat=True)
    )
    formats = dict(Program.objects.values_list("name_en", "delivery_format"))
    assert formats == {
        "Art History": DeliveryFormat.DISTANCE,
        "Arts Management": DeliveryFormat.DISTANCE,
        "Fine Arts": DeliveryFormat.BLENDED,
        "Acting": DeliveryFormat.BLENDED,
        "Choreography": DeliveryFormat.BLENDED,
        "Audiovisual Arts": DeliveryFormat.BLENDED,
    }
    for program in Program.objects.all():
        assert program.code.startswith("6B02") and len(program.code) == 7
        assert program.is_published and program.criteria_approved_on is not None
        for lang in ("kk", "ru", "en"):
            for field in ("name", "description", "learning_outcomes", "admission_criteria"):
                assert getattr(program, f"{field}_{lang}"), (program.code, field, lang)
        assert KAZAKH_LETTERS & set(program.description_kk)


def test_two_academic_years_with_periods_and_a_full_calendar(demo):
    years = list(AcademicYear.objects.order_by("starts_on"))
    assert len(years) == 2
    previous, current = years
    assert not previous.is_current and current.is_current
    today = academics.today()
    assert current.starts_on <= today <= current.ends_on
    assert previous.ends_on < current.starts_on
    for year in years:
        assert set(year.periods.values_list("kind", flat=True)) == set(PeriodKind.values)
        kinds = set(year.events.values_list("kind", flat=True))
        assert kinds == set(EventKind.values), year
        for event in year.events.all():
            assert year.starts_on <= event.starts_on <= event.ends_on <= year.ends_on
            assert event.note_kk and event.note_ru and event.note_en
    periods = current_periods()
    assert (
        periods[PeriodKind.SEMESTER_1].ends_on
        < periods[PeriodKind.SEMESTER_2].starts_on
        < periods[PeriodKind.SEMESTER_2].ends_on
        < periods[PeriodKind.SUMMER].starts_on
    )
    assert academics.current_period().year == current


def test_about_thirty_disciplines_with_every_control_form(demo):
    disciplines = list(Discipline.objects.all())
    assert 28 <= len(disciplines) <= 35
    assert {d.control_form for d in disciplines} == set(ControlForm.values)
    assert Counter(d.credits for d in disciplines).most_common(1)[0][0] == 5
    for discipline in disciplines:
        assert discipline.name_kk and discipline.name_ru and discipline.name_en
        assert discipline.ects == discipline.credits
        assert discipline.programs.exists()


def test_ten_groups_and_three_hundred_students(demo):
    groups = list(StudyGroup.objects.select_related("program", "curator"))
    assert len(groups) == 10
    assert {g.program_id for g in groups} == set(Program.objects.values_list("pk", flat=True))
    assert {g.year_of_study for g in groups} == {1, 2, 3, 4}
    assert all(g.curator is not None for g in groups)

    profiles = list(StudentProfile.objects.select_related("user", "group"))
    assert len(profiles) == 300
    iins = [p.user.iin for p in profiles]
    assert len(set(iins)) == 300 and all(iin_error(iin) is None for iin in iins)
    assert all(p.user.is_demo for p in profiles)
    assert all(p.group is not None and p.group.program_id == p.program_id for p in profiles)
    assert all(p.year_of_study == p.group.year_of_study for p in profiles)
    assert all(p.user.last_name and p.user.first_name for p in profiles)
    assert (
        RoleAssignment.objects.filter(
            role=Role.STUDENT, scope_type=ScopeType.SITE, user__student_profile__isnull=False
        ).count()
        == 300
    )

    funding = Counter(p.funding for p in profiles)
    assert funding[Funding.STATE_GRANT] > 50 and funding[Funding.PAID] > 50
    grounds = Counter(p.distance_ground for p in profiles)
    assert set(grounds) == set(DistanceGround.values)
    assert sum(1 for p in profiles if p.disability_group) >= 2
    assert all(
        p.distance_ground == DistanceGround.SPECIAL_NEEDS for p in profiles if p.disability_group
    )
    assert 0 < sum(p.shortened_period for p in profiles) < 30


def test_offerings_for_both_semesters_with_tutors_and_enrolled_groups(demo):
    periods = current_periods()
    for kind in (PeriodKind.SEMESTER_1, PeriodKind.SEMESTER_2):
        offerings = list(
            CourseOffering.objects.filter(period=periods[kind]).prefetch_related("groups", "tutors")
        )
        assert len(offerings) >= 10
        assert {g.pk for o in offerings for g in o.groups.all()} == set(
            StudyGroup.objects.values_list("pk", flat=True)
        ), kind
        for offering in offerings:
            assert offering.tutors.exists()
            for tutor in offering.tutors.all():
                assert RoleAssignment.objects.filter(
                    user=tutor, role=Role.TUTOR, scope_type=ScopeType.COURSE, scope_id=offering.pk
                ).exists()
            assert all(g.language == offering.language for g in offering.groups.all())
    # Every active student is enrolled in every offering of their group, and no one else is
    # (summer courses have no groups: the registrar enrols the students who registered).
    expected = {
        (offering_id, user_id)
        for offering_id, user_id in CourseOffering.objects.filter(
            groups__students__status=StudentStatus.ACTIVE
        ).values_list("pk", "groups__students__user_id")
    }
    actual = set(
        Enrollment.objects.filter(offering__groups__isnull=False)
        .values_list("offering_id", "student_id")
        .distinct()
    )
    assert actual == expected
    assert StudentProfile.objects.filter(status=StudentStatus.ACADEMIC_LEAVE).exists()


def test_twenty_five_staff_across_every_role(demo):
    staff = User.objects.filter(is_demo=True, role_assignments__role__in=STAFF_ROLES).distinct()
    assert staff.count() == 25
    assert set(
        RoleAssignment.objects.filter(user__is_demo=True).values_list("role", flat=True)
    ) == set(Role.values)
    assert all(u.last_name and u.first_name and u.middle_name for u in staff)
    assert sum(bool(KAZAKH_LETTERS & set(u.full_name.lower())) for u in staff) > 12


@pytest.mark.parametrize(("username", "role"), DEMO_LOGINS.items())
def test_each_demo_login_signs_in_with_demo_and_lands_on_its_role(demo, username, role):
    user = authenticate(username=username, password="demo")
    assert user is not None and user.username == username
    assert user.is_demo
    assert primary_role(user) == role
    assert username in demo.output


def test_demo_logins_are_wired_to_real_data(demo):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff

    tutor = User.objects.get(username="tutor")
    semester = current_periods()[PeriodKind.SEMESTER_1]
    assert tutor.taught_offerings.filter(period=semester).count() >= 2
    assert tutor.curated_groups.exists()

    student = User.objects.get(username="student")
    profile = student.student_profile
    assert profile.group is not None and profile.status == StudentStatus.ACTIVE
    assert Enrollment.objects.filter(student=student, offering__period=semester).count() >= 2
    assert ParentLink.objects.filter(parent__username="parent", student=student).exists()

    methodologist = RoleAssignment.objects.get(user__username="methodologist")
    assert methodologist.scope_type == ScopeType.FACULTY
    leader = RoleAssignment.objects.get(user__username="programleader", role=Role.PROGRAM_LEADER)
    assert leader.scope_type == ScopeType.PROGRAM


def test_normative_documents_are_published_in_three_languages(demo, client):
    docs = {d.slug: d for d in NormativeDocument.objects.filter(is_published=True)}
    assert set(docs) == {"dlt-regulation", "grading-policy", "academic-calendar-order"}
    regulation = docs["dlt-regulation"]
    for lang in ("kk", "ru", "en"):
        assert len(getattr(regulation, f"body_{lang}")) > 8000
        assert "| FX | 0" in getattr(regulation, f"body_{lang}")
    assert KAZAKH_LETTERS & set(regulation.body_kk)
    assert "proctoring" in regulation.body_en and "прокторинг" in regulation.body_ru
    year = AcademicYear.objects.get(is_current=True)
    order = docs["academic-calendar-order"]
    assert year.title in order.title_kk and year.title in order.body_en
    assert order.body_ru.count("\n| ") >= CalendarEvent.objects.filter(year=year).count()

    response = client.get(reverse("portal:document_detail", args=["dlt-regulation"]))
    assert response.status_code == 200
    assert "<table" in response.content.decode()


def test_the_output_ends_with_the_table_of_demo_logins(demo):
    logins = {*DEMO_LOGINS, LEARNER_LOGIN}
    # and a second-year student with last year's grades, whose login follows the year (ac25001)
    rows = [line.split() for line in demo.output.strip().splitlines()[-len(logins) - 1 :]]
    extra = {row[0] for row in rows} - logins
    assert logins <= {row[0] for row in rows}
    assert len(extra) == 1 and re.fullmatch(r"ac\d{5}", extra.pop())
    assert all(row[-1] == "demo" for row in rows)


def test_running_it_again_changes_nothing(demo):
    models = (
        User,
        RoleAssignment,
        ParentLink,
        Faculty,
        Department,
        Program,
        Discipline,
        AcademicYear,
        AcademicPeriod,
        CalendarEvent,
        StudyGroup,
        StudentProfile,
        CourseOffering,
        Enrollment,
        NormativeDocument,
        AuditLogEntry,
    )
    before = {model.__name__: model.objects.count() for model in models}

    with CaptureQueriesContext(connection) as queries:
        call_command("seed_demo", stdout=io.StringIO())

    assert {model.__name__: model.objects.count() for model in models} == before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []
    assert authenticate(username="student", password="demo") is not None


def test_refuses_to_run_under_production_settings(demo, settings):
    settings.QASHYQ_REFUSE_DEMO_USERS = True
    before = User.objects.count()
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    assert User.objects.count() == before


def test_open_course_learner_signs_in_without_any_role_and_holds_a_certificate(demo):
    from qashyq.courses.models import Certificate

    user = authenticate(username=LEARNER_LOGIN, password="demo")
    assert user is not None
    assert primary_role(user) is None
    assert LEARNER_LOGIN in demo.output
    assert Certificate.objects.filter(user=user, revoked_at__isnull=True).exists()
