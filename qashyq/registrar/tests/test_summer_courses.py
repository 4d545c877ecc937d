"""Running the summer courses (the registrar's page, creating the offering and enrolling the
registered students, idempotent) and what the results do: a summer result replaces an F in the
cumulative GPA, the summer period has its own GPA, the transcript lists both attempts."""

from decimal import Decimal

import pytest
from django.db.models import Count

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.academics.tests.factories import StudentProfileFactory
from qashyq.core.errors import NotFound, PermissionDenied, ValidationFailed
from qashyq.registrar import selectors as registrar_selectors
from qashyq.registrar.models import SummerRegistration
from qashyq.registrar.services import summer as services

from . import fixtures_summer
from .fixtures_summer import make_grade

pytestmark = pytest.mark.django_db
sw = fixtures_summer.sw
today = fixtures_summer.today


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def second_debtor(sw):
    user = StudentProfileFactory(group=sw.group, year_of_study=1).user
    make_grade(user, sw.d_f, sw.sem1, "F", "0")
    services.summer_register(actor=user, summer=sw.summer, discipline=sw.d_f, reason="debt")
    return user


@pytest.fixture
def registered(sw):
    services.summer_register(actor=sw.student, summer=sw.summer, discipline=sw.d_f, reason="debt")
    services.summer_register(
        actor=sw.student, summer=sw.summer, discipline=sw.ahead5, reason="ahead"
    )
    return second_debtor(sw)


def create(sw, actor=None, discipline=None, tutors=None, language="ru"):
    return services.summer_course_create(
        actor=actor or sw.registrar,
        summer=sw.summer,
        discipline=discipline or sw.d_f,
        language=language,
        tutors=[sw.tutor] if tutors is None else tutors,
    )


def test_creates_the_summer_offering_and_enrols_the_registered(sw, registered):
    offering, enrolled = create(sw)
    assert enrolled == 2
    assert (offering.period, offering.language, offering.discipline) == (
        sw.summer_period,
        "ru",
        sw.d_f,
    )
    assert list(offering.tutors.all()) == [sw.tutor]
    assert set(Enrollment.objects.filter(offering=offering).values_list("student", flat=True)) == {
        sw.student.pk,
        registered.pk,
    }
    regs = SummerRegistration.objects.filter(discipline=sw.d_f)
    assert {(r.status, r.offering_id) for r in regs} == {("enrolled", offering.pk)}
    # the other discipline's registration is untouched
    assert SummerRegistration.objects.get(discipline=sw.ahead5).status == "registered"


def test_creating_twice_enrols_nobody_twice(sw, registered):
    first, _n = create(sw)
    again, enrolled = create(sw)
    assert again == first and enrolled == 0
    assert CourseOffering.objects.filter(period=sw.summer_period).count() == 1
    assert (
        Enrollment.objects.filter(offering=first)
        .values("student")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
        == 0
    )


def test_a_late_registration_is_enrolled_by_the_next_call(sw, registered):
    offering, _n = create(sw)
    late = StudentProfileFactory(group=sw.group, year_of_study=1).user
    make_grade(late, sw.d_f, sw.sem1, "F", "0")
    services.summer_register(actor=late, summer=sw.summer, discipline=sw.d_f, reason="debt")
    _same, enrolled = create(sw)
    assert enrolled == 1
    assert Enrollment.objects.filter(offering=offering, student=late).exists()


def test_an_enrolled_student_cannot_cancel(sw, registered):
    create(sw)
    reg = SummerRegistration.objects.get(student=sw.student, discipline=sw.d_f)
    from qashyq.core.errors import Conflict

    with pytest.raises(Conflict):
        services.summer_cancel(actor=sw.student, registration=reg)
    reg.refresh_from_db()
    assert reg.status == "enrolled"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("registrar", True),
        ("faculty_registrar", True),
        ("admin", True),
        ("other_faculty_registrar", False),
        ("tutor", False),
        ("student", False),
    ],
)
def test_who_may_create_the_course(sw, registered, who, allowed):
    if allowed:
        create(sw, actor=getattr(sw, who))
        assert CourseOffering.objects.filter(period=sw.summer_period).exists()
    else:
        with pytest.raises(PermissionDenied):
            create(sw, actor=getattr(sw, who))
        assert not CourseOffering.objects.filter(period=sw.summer_period).exists()
        assert set(SummerRegistration.objects.values_list("status", flat=True)) == {"registered"}


def test_tutors_must_hold_the_tutor_role_and_somebody_must_be_registered(sw, registered):
    with pytest.raises(ValidationFailed):
        create(sw, tutors=[sw.parent])
    with pytest.raises(ValidationFailed):
        create(sw, tutors=[])
    with pytest.raises(NotFound):
        create(sw, discipline=sw.d_ok)
    assert not CourseOffering.objects.filter(period=sw.summer_period).exists()


def test_registrar_page_groups_by_discipline_and_creates_the_course(
    client, sw, registered, english
):
    client.force_login(sw.registrar)
    page = client.get(f"/registrar/summer/{sw.summer.pk}/").content.decode()
    assert "2 registered (2 for a debt, 0 ahead), 0 enrolled" in page
    assert "1 registered (0 for a debt, 1 ahead)" in page
    assert sw.student.full_name in page and registered.full_name in page
    assert sw.tutor.full_name in page  # a tutor to choose
    response = client.post(
        f"/registrar/summer/{sw.summer.pk}/courses/",
        {"discipline": sw.d_f.pk, "language": "kk", "tutors": [sw.tutor.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "2 students enrolled now" in text
    assert "2 registered (2 for a debt, 0 ahead), 2 enrolled" in text
    assert CourseOffering.objects.filter(period=sw.summer_period, language="kk").count() == 1


def test_course_form_without_a_tutor_is_a_message(client, sw, registered, english):
    client.force_login(sw.registrar)
    response = client.post(
        f"/registrar/summer/{sw.summer.pk}/courses/",
        {"discipline": sw.d_f.pk, "language": "kk"},
        follow=True,
    )
    assert response.status_code == 200
    assert not CourseOffering.objects.filter(period=sw.summer_period).exists()


def test_registrar_page_queries_do_not_grow(
    client, sw, registered, django_assert_max_num_queries, english
):
    client.force_login(sw.registrar)
    url = f"/registrar/summer/{sw.summer.pk}/"
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _i in range(10):
        second_debtor(sw)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert "12 registered" in response.content.decode()


# --- the results: GPA and transcript -------------------------------------------------------------


def test_summer_result_replaces_the_f_in_the_cumulative_gpa(sw):
    before = registrar_selectors.gpa_summary(sw.student.pk)["cumulative"]
    # HIS101 F (0), PHI102 FX (0.5, counted by the default scheme), ART103 A, ENG104 B, ART203 C
    make_grade(sw.student, sw.d_f, sw.summer_period, "B", "3.0", kind="summer")
    summary = registrar_selectors.gpa_summary(sw.student.pk)
    assert summary["cumulative"] > before
    # latest attempts: B 3.0, FX 0.5, A 4.0, B 3.0, C 2.0; 5 credits each
    assert summary["cumulative"] == Decimal("12.5") / 5
    periods = {
        period.kind: (period_gpa, cumulative)
        for period, period_gpa, cumulative in summary["periods"]
    }
    # the summer period's GPA is its own result only; the first semester keeps its F
    assert periods["summer"][0] == Decimal("3")
    # semester 1: HIS101 F 0, ART103 A 4, ENG104 F 0 (its retake is in semester 2)
    assert periods["semester_1"][0] == Decimal(20) / Decimal(15)
    assert periods["summer"][1] == summary["cumulative"]


def test_summer_result_recorded_as_regular_also_counts_as_the_latest(sw):
    """A statement of a summer-period offering may record attempt_kind 'regular' (until
    gradebook records 'summer'): the later period still makes it the latest attempt."""
    make_grade(sw.student, sw.d_f, sw.summer_period, "B", "3.0", kind="regular")
    summary = registrar_selectors.gpa_summary(sw.student.pk)
    assert summary["cumulative"] == Decimal("12.5") / 5


def test_transcript_lists_both_attempts_with_the_retake_flag(sw):
    make_grade(sw.student, sw.d_f, sw.summer_period, "B", "3.0", kind="summer")
    record = registrar_selectors.transcript(sw.student.pk)
    rows = [
        (row.period.kind, row.grade.letter, row.retake, row.counted)
        for row in record.rows
        if row.discipline == sw.d_f
    ]
    assert rows == [("semester_1", "F", False, False), ("summer", "B", True, True)]
    assert record.credits_earned == 20  # HIS101 now passed; PHI102 (FX) still owed


def test_transcript_page_shows_the_summer_attempt(client, sw, english):
    make_grade(sw.student, sw.d_f, sw.summer_period, "B", "3.0", kind="summer")
    client.force_login(sw.student)
    text = client.get("/transcript/").content.decode()
    assert text.count("HIS101") >= 2
    assert "Summer semester" in text
