"""Academic debts: the rule (latest attempt FX or F; a later pass clears it), the student's page,
the parent's read-only view, the registrar's filtered and paginated list (bounded queries)."""

import pytest
from django.conf import settings as django_settings

from qashyq.academics.tests.factories import (
    DisciplineFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.registrar.selectors import summer as selectors

from . import fixtures_summer
from .fixtures_summer import make_grade

pytestmark = pytest.mark.django_db
sw = fixtures_summer.sw
today = fixtures_summer.today


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def codes(debts):
    return [(d.discipline.code, d.kind) for d in debts]


# --- the rule ----------------------------------------------------------------------------------


def test_debts_are_the_disciplines_whose_latest_attempt_is_f_or_fx(sw):
    debts = selectors.academic_debts(sw.student.pk)
    # ENG104 had an F but a later retake passed; ART103 and ART203 are passed
    assert codes(debts) == [("HIS101", "F"), ("PHI102", "FX")]
    assert [d.credits for d in debts] == [5, 5]
    assert debts[0].period == sw.sem1 and debts[1].period == sw.sem2


def test_a_passing_fx_resit_clears_the_debt(sw):
    make_grade(sw.student, sw.d_fx, sw.sem2, "C", "2.0", kind="fx_resit")
    assert codes(selectors.academic_debts(sw.student.pk)) == [("HIS101", "F")]


def test_a_failed_resit_keeps_the_debt_with_its_own_letter(sw):
    make_grade(sw.student, sw.d_fx, sw.sem2, "F", "0", kind="fx_resit")
    assert ("PHI102", "F") in codes(selectors.academic_debts(sw.student.pk))


def test_a_summer_pass_clears_an_f(sw):
    make_grade(sw.student, sw.d_f, sw.summer_period, "B", "3.0", kind="summer")
    assert codes(selectors.academic_debts(sw.student.pk)) == [("PHI102", "FX")]


def test_a_summer_result_recorded_as_regular_still_clears_an_earlier_f(sw):
    # a statement of a summer-period offering may record "regular" (gradebook's choice):
    # the summer period starts later, so it is still the latest attempt
    make_grade(sw.student, sw.d_f, sw.summer_period, "C", "2.0", kind="regular")
    assert codes(selectors.academic_debts(sw.student.pk)) == [("PHI102", "FX")]


def test_an_ungraded_attempt_does_not_clear_a_debt(sw):
    make_grade(sw.student, sw.d_f, sw.summer_period, "", "0", kind="summer")
    assert ("HIS101", "F") in codes(selectors.academic_debts(sw.student.pk))


def test_no_grades_no_debts(sw):
    assert selectors.academic_debts(sw.other.pk) == []


# --- the student's page and who sees it --------------------------------------------------------


def debts_url(student):
    return f"/students/{student.pk}/debts/"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 200),
        ("parent", 200),
        ("registrar", 200),
        ("faculty_registrar", 200),
        ("admin", 200),
        ("other", 403),
        ("other_parent", 403),
        ("other_faculty_registrar", 403),
        ("tutor", 403),
    ],
)
def test_who_sees_a_students_debts(client, sw, who, status):
    client.force_login(getattr(sw, who))
    response = client.get(debts_url(sw.student))
    assert response.status_code == status
    text = response.content.decode()
    assert ("HIS101" in text) == (status == 200)


def test_anonymous_is_sent_to_log_in(client, sw):
    response = client.get(debts_url(sw.student))
    assert response.status_code == 302 and "login" in response["Location"]


def test_parent_view_is_read_only_and_lists_children(client, sw, english):
    client.force_login(sw.parent)
    page = client.get("/children/debts/").content.decode()
    assert debts_url(sw.student) in page
    text = client.get(debts_url(sw.student)).content.decode()
    assert "HIS101" in text and "<form" not in text.split("<main", 1)[-1].split("</main>")[0]


def test_my_debts_page_says_what_to_do(client, sw, english):
    client.force_login(sw.student)
    text = client.get("/debts/").content.decode()
    assert "My academic debts" in text
    assert "Study again" in text and "Re-sit the exam" in text
    assert "10 credits" in text
    # the window is open: a link to register
    assert "/summer/" in text


def test_a_student_without_debts_is_told_so(client, sw, english):
    client.force_login(sw.other)
    assert "No academic debts." in client.get("/debts/").content.decode()


@pytest.mark.parametrize(
    ("language", "header", "name"),
    [
        ("kk", "Пән", "Қазақстан тарихы"),
        ("ru", "Дисциплина", "История Казахстана"),
        ("en", "Discipline", "History of Kazakhstan"),
    ],
)
def test_debts_page_in_each_language(client, sw, language, header, name):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(sw.student)
    response = client.get("/debts/")
    text = response.content.decode()
    assert response.status_code == 200
    assert f'lang="{language}"' in text
    assert header in text and name in text


# --- the registrar's list ----------------------------------------------------------------------


def test_registrar_list_shows_students_with_debts_only(client, sw, english):
    cleared = StudentProfileFactory(group=sw.group, year_of_study=1).user
    make_grade(cleared, sw.d_f, sw.sem1, "F", "0")
    make_grade(cleared, sw.d_f, sw.summer_period, "A", "4.0", kind="summer")
    client.force_login(sw.registrar)
    text = client.get("/registrar/debts/").content.decode()
    assert sw.student.full_name in text
    assert cleared.full_name not in text
    assert sw.other.full_name not in text


def test_filters_by_group_and_program(client, sw, english):
    elsewhere = StudentProfileFactory(group=StudyGroupFactory()).user
    make_grade(elsewhere, DisciplineFactory(), sw.sem1, "FX", "0.5")
    client.force_login(sw.registrar)
    everyone = client.get("/registrar/debts/").content.decode()
    assert sw.student.full_name in everyone and elsewhere.full_name in everyone
    by_group = client.get(f"/registrar/debts/?group={sw.group.pk}").content.decode()
    assert sw.student.full_name in by_group and elsewhere.full_name not in by_group
    by_program = client.get(f"/registrar/debts/?program={sw.program.pk}").content.decode()
    assert sw.student.full_name in by_program and elsewhere.full_name not in by_program


def test_faculty_registrar_sees_only_their_faculty(client, sw, english):
    elsewhere = StudentProfileFactory(group=StudyGroupFactory()).user
    make_grade(elsewhere, DisciplineFactory(), sw.sem1, "FX", "0.5")
    client.force_login(sw.faculty_registrar)
    text = client.get("/registrar/debts/").content.decode()
    assert sw.student.full_name in text and elsewhere.full_name not in text
    # asking for another faculty's group by id shows nobody of it
    other_group = elsewhere.student_profile.group_id
    text = client.get(f"/registrar/debts/?group={other_group}").content.decode()
    assert elsewhere.full_name not in text


@pytest.mark.parametrize("who", ["student", "parent", "tutor", "other"])
def test_only_the_registrar_sees_the_list(client, sw, who):
    client.force_login(getattr(sw, who))
    assert client.get("/registrar/debts/").status_code == 403


def _debtors(sw, n):
    for _i in range(n):
        user = StudentProfileFactory(group=sw.group, year_of_study=1).user
        make_grade(user, sw.d_f, sw.sem1, "F", "0")
        make_grade(user, sw.d_fx, sw.sem2, "FX", "0.5")


def test_list_is_paginated(client, sw, english):
    _debtors(sw, 55)
    client.force_login(sw.registrar)
    first = client.get("/registrar/debts/").content.decode()
    assert "56 students" in first and "Page 1 of 2" in first
    second = client.get("/registrar/debts/?page=2").content.decode()
    assert "Page 2 of 2" in second
    assert second.count("data-student=") == 6


def test_list_queries_do_not_grow_with_the_students(client, sw, django_assert_max_num_queries):
    client.force_login(sw.registrar)
    _debtors(sw, 3)
    client.get("/registrar/debts/")  # warm caches (session, roles)
    with django_assert_max_num_queries(12) as few:
        client.get("/registrar/debts/")
    _debtors(sw, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/registrar/debts/")
    assert response.content.decode().count("data-student=") == 34
