import datetime
import re

import pytest
from django.urls import reverse

from qashyq.academics.models import CalendarEvent
from qashyq.academics.tests.factories import (
    AcademicPeriodFactory,
    CourseOfferingFactory,
    DisciplineFactory,
    FacultyFactory,
    ProgramFactory,
    StudyGroupFactory,
)
from qashyq.academics.tests.factories import (
    StudentProfileFactory as _StudentProfileFactory,
)
from qashyq.accounts.models import ParentLink, RoleAssignment
from qashyq.accounts.roles import Role
from qashyq.accounts.tests.factories import UserFactory as _UserFactory
from qashyq.accounts.tests.factories import user_with_role as _user_with_role

# Assertions read the English interface, so model names show in English too.
pytestmark = pytest.mark.usefixtures("english")

URL = "/dashboard/"


# The IIN is optional for staff; leaving it blank keeps factory-made IINs from ever colliding.
def UserFactory(**kw):  # noqa: N802
    return _UserFactory(iin="", **kw)


def user_with_role(role, **kw):
    return _user_with_role(role, iin="", **kw)


def StudentProfileFactory(**kw):  # noqa: N802
    return _StudentProfileFactory(user__iin="", **kw)


TODAY = datetime.date(2026, 10, 15)


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    from qashyq.academics import selectors

    monkeypatch.setattr(selectors, "today", lambda: TODAY)


@pytest.fixture
def academy(db):
    """Two faculties; a distance program with a group of 3 students and a course taught by a
    tutor in the current period; a blended program in the other faculty."""
    period = AcademicPeriodFactory()  # 2026-09-01 .. 2027-01-15, current year
    CalendarEvent.objects.create(
        year=period.year,
        period=period,
        kind="midterm_1",
        starts_on=datetime.date(2026, 10, 26),
        ends_on=datetime.date(2026, 10, 31),
        note_en="First midterm week",
    )
    CalendarEvent.objects.create(
        year=period.year,
        kind="practice",
        starts_on=datetime.date(2027, 5, 1),
        ends_on=datetime.date(2027, 5, 31),
    )
    arts = FacultyFactory(code="ARTS", name_kk="Өнер факультеті", name_en="Faculty of Arts")
    stage = FacultyFactory(code="STAGE", name_kk="Сахна факультеті", name_en="Faculty of Stage")
    history = ProgramFactory(
        code="6B02101", name_kk="Өнертану", name_en="Art history", department__faculty=arts
    )
    acting = ProgramFactory(
        code="6B02104",
        name_kk="Актерлік өнер",
        name_en="Acting",
        delivery_format="blended",
        department__faculty=stage,
    )
    group = StudyGroupFactory(code="ӨТ-25-1", program=history)
    other_group = StudyGroupFactory(code="АӨ-25-1", program=acting)
    students = [
        StudentProfileFactory(group=group, funding="grant"),
        StudentProfileFactory(group=group, funding="paid", distance_ground="special_needs"),
        StudentProfileFactory(group=group, funding="paid", status="academic_leave"),
    ]
    StudentProfileFactory(group=other_group, funding="paid")
    tutor = UserFactory(first_name="Асқар", last_name="Бекұлы")
    offering = CourseOfferingFactory(
        discipline=DisciplineFactory(
            code="ART101", name_kk="Өнер тарихы", name_en="History of art"
        ),
        period=period,
        groups=[group],
        tutors=[tutor],
    )
    practice = CourseOfferingFactory(
        discipline=DisciplineFactory(
            code="PRC201",
            name_kk="Оқу практикасы",
            name_en="Study practice",
            control_form="practice",
        ),
        period=period,
        groups=[other_group],
    )
    return {
        "period": period,
        "arts": arts,
        "stage": stage,
        "history": history,
        "acting": acting,
        "group": group,
        "other_group": other_group,
        "students": students,
        "tutor": tutor,
        "offering": offering,
        "practice": practice,
    }


def open_dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    return response, response.content.decode()


def test_dashboard_requires_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_student_dashboard(client, academy):
    student = academy["students"][1].user
    response, html = open_dashboard(client, student)
    assert response.status_code == 200
    assert "<h1>Student&#x27;s dashboard</h1>" in html
    assert "Art history" in html  # program
    assert "ӨТ-25-1" in html  # group
    assert "History of art" in html  # course this period
    assert "Бекұлы Асқар" in html  # its tutor
    assert "First midterm week" in html  # calendar ahead
    assert "Special educational needs" in html  # ground for distance study


def test_tutor_dashboard_lists_groups_and_student_counts(client, academy):
    response, html = open_dashboard(client, academy["tutor"])
    assert "<h1>Tutor&#x27;s dashboard</h1>" in html
    assert "History of art" in html
    assert "ӨТ-25-1" in html
    assert '<td class="num">3</td>' in html  # three students enrolled from the group
    assert "Study practice" not in html  # a course somebody else teaches


def test_tutor_dashboard_leads_to_the_tasks_of_each_course_and_the_question_banks(client, academy):
    response, html = open_dashboard(client, academy["tutor"])
    offering = academy["tutor"].taught_offerings.get()
    assert f'href="{reverse("assignments:task_list", args=[offering.pk])}"' in html
    assert f'href="{reverse("assessments:bank_list")}"' in html


def test_student_dashboard_leads_to_each_course_s_materials_tasks_tests_and_own_marks(
    client, academy
):
    student = academy["students"][0].user
    response, html = open_dashboard(client, student)
    offering = student.enrollments.first().offering
    for url in (
        reverse("courses:materials", args=[offering.pk]),
        reverse("assignments:task_list", args=[offering.pk]),
        reverse("assessments:test_list", args=[offering.pk]),
        reverse("gradebook:journal_mine", args=[offering.pk]),
    ):
        assert f'href="{url}"' in html
    assert reverse("gradebook:journal", args=[offering.pk]) + '"' not in html


def test_registrar_dashboard_leads_to_late_edits_transcripts_and_the_transfer_list(client, academy):
    response, html = open_dashboard(client, user_with_role("registrar"))
    for name in ("gradebook:late_edits", "registrar:search", "registrar:below_threshold"):
        assert f'href="{reverse(name)}"' in html


def _section_links(html: str, section_id: str) -> list[str]:
    start = html.index(f'id="{section_id}"')
    return re.findall(r'href="([^"]+)"', html[start : html.index("</section>", start)])


@pytest.mark.parametrize(
    ("role", "section", "count"),
    [
        ("registrar", "registrar-tools", 6),
        ("admin", "registrar-tools", 5),
        ("admission", "admission-tools", 2),
        ("program_leader", "plan-links", 2),
        ("rector", "order-links", 1),
    ],
)
def test_staff_dashboards_lead_to_the_registrar_s_tools_and_each_opens(
    client, academy, settings, role, section, count
):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    _response, html = open_dashboard(client, user_with_role(role))
    links = _section_links(html, section)
    assert len(links) == count
    for url in links:
        assert client.get(url).status_code == 200, url


def test_student_dashboard_leads_to_plan_debts_summer_admission_and_graduation(client, academy):
    student = academy["students"][0].user
    _response, html = open_dashboard(client, student)
    links = _section_links(html, "record-links")
    for name in (
        "registrar:my_transcript",
        "registrar:iup_mine",
        "registrar:debts_mine",
        "registrar:summer_mine",
        "registrar:admission_mine",
        "registrar:graduation_mine",
    ):
        assert reverse(name) in links
    for url in links:
        assert client.get(url).status_code == 200, url


def test_student_and_parent_dashboards_lead_to_transcript_marks_and_gpa(client, academy):
    child = academy["students"][0].user
    response, html = open_dashboard(client, child)
    assert f'href="{reverse("registrar:my_transcript")}"' in html
    parent = UserFactory()
    ParentLink.objects.create(parent=parent, student=child)
    RoleAssignment.objects.create(user=parent, role="parent")
    response, html = open_dashboard(client, parent)
    assert f'href="{reverse("registrar:children_gpa")}"' in html
    assert f'href="{reverse("gradebook:my_journal")}"' in html


def test_methodologist_dashboard_leads_to_question_banks_and_open_courses(client, academy):
    response, html = open_dashboard(client, user_with_role("methodologist"))
    assert f'href="{reverse("assessments:bank_list")}"' in html
    assert f'href="{reverse("courses:open_manage")}"' in html


def test_parent_sees_only_own_child(client, academy):
    child = academy["students"][0].user
    parent = UserFactory()
    ParentLink.objects.create(parent=parent, student=child)
    RoleAssignment.objects.create(user=parent, role="parent")
    response, html = open_dashboard(client, parent)
    assert "<h1>Parent&#x27;s dashboard</h1>" in html
    assert child.full_name in html
    assert "ӨТ-25-1" in html
    assert "History of art" in html
    for other in academy["students"][1:]:
        assert other.user.full_name not in html


def test_registrar_dashboard_counts_and_links(client, academy):
    registrar = user_with_role("registrar", is_staff=True)
    response, html = open_dashboard(client, registrar)
    assert "<h1>Office registrar&#x27;s dashboard</h1>" in html
    assert "<strong>4</strong> student records" in html
    assert "<strong>2</strong> study groups" in html
    assert reverse("admin:index") in html
    assert "Academic leave" in html


def test_registrar_dashboard_links_to_import_when_it_exists(client, academy):
    from django.urls import NoReverseMatch

    registrar = user_with_role("registrar")
    response, html = open_dashboard(client, registrar)
    try:
        import_url = reverse("academics:import")
    except NoReverseMatch:
        assert "not available yet" in html
    else:
        assert import_url in html


def test_admin_dashboard(client, academy):
    admin = user_with_role("admin", is_staff=True)
    response, html = open_dashboard(client, admin)
    assert "<h1>System administrator&#x27;s dashboard</h1>" in html
    assert reverse("admin:index") in html


@pytest.mark.parametrize(
    ("role", "heading"), [("rector", "Rector&#x27;s"), ("vice_rector", "Vice-rector&#x27;s")]
)
def test_leadership_dashboard(client, academy, role, heading):
    response, html = open_dashboard(client, user_with_role(role))
    assert f"<h1>{heading} dashboard</h1>" in html
    assert "Faculty of Arts" in html and "Faculty of Stage" in html
    assert "State grant" in html and "Paid" in html
    assert "Special educational needs" in html


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        ("head_of_department", "Head of department&#x27;s"),
        ("methodologist", "Methodologist&#x27;s"),
        ("program_leader", "Program leader&#x27;s"),
    ],
)
def test_academic_staff_see_their_scope_only(client, academy, role, heading):
    user = user_with_role(role, scope_type="faculty", scope_id=academy["arts"].pk)
    response, html = open_dashboard(client, user)
    assert f"<h1>{heading} dashboard</h1>" in html
    assert "Art history" in html and "ӨТ-25-1" in html and "History of art" in html
    assert "Acting" not in html and "АӨ-25-1" not in html and "Study practice" not in html


def test_program_leader_scoped_to_a_program(client, academy):
    user = user_with_role("program_leader", scope_type="program", scope_id=academy["acting"].pk)
    response, html = open_dashboard(client, user)
    assert "Acting" in html and "АӨ-25-1" in html
    assert "Art history" not in html


def test_academic_staff_without_scope_is_told_so(client, academy):
    user = user_with_role("methodologist", scope_type="course", scope_id=999999)
    response, html = open_dashboard(client, user)
    assert "Art history" not in html
    assert response.status_code == 200


def test_admission_dashboard(client, academy):
    response, html = open_dashboard(client, user_with_role("admission"))
    assert "<h1>Admission committee&#x27;s dashboard</h1>" in html
    assert "Art history" in html
    assert reverse("registrar:admission_queue") in html


def test_proctor_dashboard(client, academy):
    response, html = open_dashboard(client, user_with_role("proctor"))
    assert "<h1>Proctor&#x27;s dashboard</h1>" in html
    assert "First midterm week" in html
    assert "History of art" in html
    assert "not available yet" in html


def test_librarian_dashboard(client, academy):
    response, html = open_dashboard(client, user_with_role("librarian"))
    assert "<h1>Librarian&#x27;s dashboard</h1>" in html
    assert "<strong>2</strong> disciplines" in html
    assert "not available yet" in html


def test_practice_supervisor_dashboard(client, academy):
    response, html = open_dashboard(client, user_with_role("practice_supervisor"))
    assert "<h1>Practice supervisor&#x27;s dashboard</h1>" in html
    assert "Study practice" in html
    assert "History of art" not in html  # not a practice course
    assert "Professional practice" in html  # the practice period ahead


def test_accountant_dashboard(client, academy):
    response, html = open_dashboard(client, user_with_role("accountant"))
    assert "<h1>Accountant&#x27;s dashboard</h1>" in html
    assert "State grant" in html and "Paid" in html
    assert "not available yet" in html


def test_every_role_has_a_dashboard(client, academy):
    for role in Role:
        response, html = open_dashboard(client, user_with_role(role.value))
        assert response.status_code == 200, role
        assert "<h1>" in html and "dashboard</h1>" in html, role


def test_user_with_several_roles_can_switch(client, academy):
    tutor = academy["tutor"]
    RoleAssignment.objects.create(user=tutor, role="proctor")
    response, html = open_dashboard(client, tutor)
    assert "<h1>Tutor&#x27;s dashboard</h1>" in html  # the more senior role first
    assert "?role=proctor" in html
    response, html = open_dashboard(client, tutor, role="proctor")
    assert "<h1>Proctor&#x27;s dashboard</h1>" in html


def test_role_not_held_is_refused(client, academy):
    student = academy["students"][0].user
    for role in ("rector", "registrar", "tutor", "nonsense"):
        response, html = open_dashboard(client, student, role=role)
        assert response.status_code == 403, role
        assert "Rector&#x27;s dashboard" not in html
        assert "student records" not in html


def test_user_without_roles_gets_an_explanation(client, db):
    response, html = open_dashboard(client, UserFactory())
    assert response.status_code == 200
    assert "No role has been assigned" in html


QUERY_BUDGET = 12


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_dashboard_query_count_is_bounded(client, academy, role, django_assert_max_num_queries):
    # More data of every kind must not mean more queries.
    for _n in range(5):
        group = StudyGroupFactory(program=academy["history"])
        for _m in range(3):
            StudentProfileFactory(group=group)
        CourseOfferingFactory(period=academy["period"], groups=[group], tutors=[academy["tutor"]])
    user = academy["tutor"] if role == "tutor" else user_with_role(role)
    if role == "student":
        user = academy["students"][0].user
    if role == "parent":
        for profile in academy["students"]:
            ParentLink.objects.create(parent=user, student=profile.user)
    client.force_login(user)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(URL)
    assert response.status_code == 200
