"""Opening summer registration (the registrar, audited), registering for debts or to study ahead
under the credit cap (15 fits, 16 is refused with the numbers), the window, cancelling, two quick
registrations under the cap, and who may do what (a denied action changes nothing)."""

import datetime
import threading

import pytest
from django.db import connection

from qashyq.academics.tests.factories import AcademicPeriodFactory
from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.registrar.models import SummerRegistration, SummerSemester
from qashyq.registrar.services import summer as services

from . import fixtures_summer

pytestmark = pytest.mark.django_db
sw = fixtures_summer.sw
today = fixtures_summer.today


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def register(sw, discipline, reason, actor=None):
    return services.summer_register(
        actor=actor or sw.student, summer=sw.summer, discipline=discipline, reason=reason
    )


def live(sw):
    return sorted(
        SummerRegistration.objects.filter(student=sw.student)
        .exclude(status="cancelled")
        .values_list("discipline__code", flat=True)
    )


# --- opening -----------------------------------------------------------------------------------


def next_summer(year_title="2027-2028"):
    from qashyq.academics.tests.factories import AcademicYearFactory

    year = AcademicYearFactory(
        title=year_title,
        starts_on=datetime.date(2027, 9, 1),
        ends_on=datetime.date(2028, 8, 31),
        is_current=False,
    )
    return AcademicPeriodFactory(
        year=year,
        kind="summer",
        starts_on=datetime.date(2028, 6, 15),
        ends_on=datetime.date(2028, 8, 10),
    )


def test_registrar_opens_summer_registration_with_a_default_cap_and_it_is_audited(sw):
    period = next_summer()
    summer = services.summer_open(
        actor=sw.registrar,
        period=period,
        opens_on=datetime.date(2028, 5, 10),
        closes_on=datetime.date(2028, 6, 5),
    )
    assert summer.credit_cap == 15 and summer.opened_by == sw.registrar
    entry = AuditLogEntry.objects.get(action="registrar.summer_open")
    assert entry.actor == sw.registrar and entry.new_value["credit_cap"] == 15


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("registrar", True),
        ("faculty_registrar", True),
        ("admin", True),
        ("tutor", False),
        ("student", False),
        ("parent", False),
    ],
)
def test_who_may_open(sw, who, allowed):
    period = next_summer()
    call = lambda: services.summer_open(  # noqa: E731
        actor=getattr(sw, who),
        period=period,
        opens_on=datetime.date(2028, 5, 10),
        closes_on=datetime.date(2028, 6, 5),
        credit_cap=12,
    )
    if allowed:
        call()
        assert SummerSemester.objects.get(period=period).credit_cap == 12
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert not SummerSemester.objects.filter(period=period).exists()
        assert not AuditLogEntry.objects.filter(action="registrar.summer_open").exists()


@pytest.mark.parametrize(
    ("opens", "closes", "cap", "code"),
    [
        (datetime.date(2028, 6, 5), datetime.date(2028, 5, 10), 15, "dates_order"),
        (datetime.date(2028, 5, 10), datetime.date(2028, 8, 20), 15, "dates_after_period"),
        (datetime.date(2028, 5, 10), datetime.date(2028, 6, 5), 0, "credit_cap"),
        (datetime.date(2028, 5, 10), datetime.date(2028, 6, 5), 61, "credit_cap"),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_saved(sw, opens, closes, cap, code):
    period = next_summer()
    with pytest.raises(ValidationFailed) as error:
        services.summer_open(
            actor=sw.registrar, period=period, opens_on=opens, closes_on=closes, credit_cap=cap
        )
    assert error.value.code == code
    assert not SummerSemester.objects.filter(period=period).exists()


def test_a_semester_period_or_a_second_opening_is_refused(sw):
    with pytest.raises(ValidationFailed):
        services.summer_open(
            actor=sw.registrar,
            period=sw.sem2,
            opens_on=datetime.date(2027, 5, 1),
            closes_on=datetime.date(2027, 5, 10),
        )
    with pytest.raises(Conflict):
        services.summer_open(
            actor=sw.registrar,
            period=sw.summer_period,
            opens_on=datetime.date(2027, 5, 1),
            closes_on=datetime.date(2027, 5, 10),
        )
    assert SummerSemester.objects.count() == 1


def test_registrar_edits_while_open_audited_old_to_new(sw):
    services.summer_update(
        actor=sw.registrar,
        summer=sw.summer,
        opens_on=sw.summer.registration_opens_on,
        closes_on=datetime.date(2027, 6, 12),
        credit_cap=20,
    )
    sw.summer.refresh_from_db()
    assert sw.summer.credit_cap == 20
    entry = AuditLogEntry.objects.get(action="registrar.summer_update")
    assert entry.old_value["credit_cap"] == 15 and entry.new_value["credit_cap"] == 20


def test_no_edit_after_registration_closed(sw):
    sw.move_today(datetime.date(2027, 6, 11))
    with pytest.raises(Conflict):
        services.summer_update(
            actor=sw.registrar,
            summer=sw.summer,
            opens_on=sw.summer.registration_opens_on,
            closes_on=sw.summer.registration_closes_on,
            credit_cap=20,
        )
    sw.summer.refresh_from_db()
    assert sw.summer.credit_cap == 15


def test_a_student_may_not_edit(sw):
    with pytest.raises(PermissionDenied):
        services.summer_update(
            actor=sw.student,
            summer=sw.summer,
            opens_on=sw.summer.registration_opens_on,
            closes_on=sw.summer.registration_closes_on,
            credit_cap=40,
        )
    sw.summer.refresh_from_db()
    assert sw.summer.credit_cap == 15


# --- registering -------------------------------------------------------------------------------


def test_registers_for_a_debt_and_to_study_ahead(sw):
    reg = register(sw, sw.d_f, "debt")
    assert (reg.credits, reg.reason, reg.status) == (5, "debt", "registered")
    register(sw, sw.ahead5, "ahead")
    assert live(sw) == ["ART201", "HIS101"]


def test_the_cap_at_the_boundary_15_fits_16_is_refused(sw):
    register(sw, sw.d_f, "debt")
    register(sw, sw.d_fx, "debt")
    register(sw, sw.ahead5, "ahead")  # 15 of 15
    with pytest.raises(ValidationFailed) as error:
        register(sw, sw.ahead1, "ahead")  # 16
    message = str(error.value.message)
    assert "16" in message and "15" in message and error.value.code == "credit_cap"
    assert live(sw) == ["ART201", "HIS101", "PHI102"]


def test_the_cap_is_the_institutions_choice(sw):
    sw.summer.credit_cap = 10
    sw.summer.save()
    register(sw, sw.d_f, "debt")
    register(sw, sw.d_fx, "debt")
    with pytest.raises(ValidationFailed):
        register(sw, sw.ahead1, "ahead")


def test_cancelled_registrations_do_not_count_against_the_cap(sw):
    register(sw, sw.d_f, "debt")
    register(sw, sw.d_fx, "debt")
    ahead = register(sw, sw.ahead5, "ahead")
    services.summer_cancel(actor=sw.student, registration=ahead)
    register(sw, sw.ahead1, "ahead")
    assert live(sw) == ["ART202", "HIS101", "PHI102"]


@pytest.mark.parametrize(
    ("name", "reason", "code"),
    [
        ("d_ok", "debt", "not_a_debt"),  # passed: no debt
        ("d_cleared", "debt", "not_a_debt"),  # cleared by a retake
        ("ahead5", "debt", "not_a_debt"),
        ("d_ok", "ahead", "not_ahead"),  # an earlier term
        ("d_f", "ahead", "not_ahead"),  # a debt is registered as a debt
        ("ahead_passed", "ahead", "not_ahead"),  # already passed
        ("d_f", "bogus", "reason"),
    ],
)
def test_only_debts_and_later_unpassed_disciplines(sw, name, reason, code):
    with pytest.raises(ValidationFailed) as error:
        register(sw, getattr(sw, name), reason)
    assert error.value.code == code
    assert live(sw) == []


def test_no_second_registration_for_the_same_discipline(sw):
    register(sw, sw.d_f, "debt")
    with pytest.raises(Conflict):
        register(sw, sw.d_f, "debt")
    assert live(sw) == ["HIS101"]


@pytest.mark.parametrize("day", [datetime.date(2027, 5, 14), datetime.date(2027, 6, 11)])
def test_outside_the_window_is_refused(sw, day):
    sw.move_today(day)
    with pytest.raises(Conflict) as error:
        register(sw, sw.d_f, "debt")
    assert error.value.code == "registration_closed"
    assert "2027-05-15" in str(error.value.message)
    assert live(sw) == []


@pytest.mark.parametrize("day", [datetime.date(2027, 5, 15), datetime.date(2027, 6, 10)])
def test_the_first_and_last_day_are_inside(sw, day):
    sw.move_today(day)
    register(sw, sw.d_f, "debt")
    assert live(sw) == ["HIS101"]


def test_cancel_while_open_and_not_after(sw):
    first = register(sw, sw.d_f, "debt")
    second = register(sw, sw.d_fx, "debt")
    services.summer_cancel(actor=sw.student, registration=first)
    assert live(sw) == ["PHI102"]
    sw.move_today(datetime.date(2027, 6, 11))
    with pytest.raises(Conflict):
        services.summer_cancel(actor=sw.student, registration=second)
    assert live(sw) == ["PHI102"]


@pytest.mark.parametrize("who", ["other", "parent", "registrar", "tutor", "admin"])
def test_only_the_student_registers_and_cancels(sw, who):
    if who != "other":  # another student registers only themself (no debt here: refused)
        with pytest.raises(PermissionDenied):
            register(sw, sw.d_f, "debt", actor=getattr(sw, who))
    else:
        with pytest.raises(ValidationFailed):
            register(sw, sw.d_f, "debt", actor=sw.other)
    reg = register(sw, sw.d_f, "debt")
    with pytest.raises(PermissionDenied):
        services.summer_cancel(actor=getattr(sw, who), registration=reg)
    reg.refresh_from_db()
    assert reg.status == "registered"
    assert SummerRegistration.objects.count() == 1


def test_a_student_on_leave_may_not_register(sw):
    sw.profile.status = "academic_leave"
    sw.profile.save()
    with pytest.raises(PermissionDenied):
        register(sw, sw.d_f, "debt")
    assert live(sw) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="row locks need PostgreSQL")
def test_two_quick_registrations_do_not_pass_the_cap(sw):
    sw.summer.credit_cap = 10
    sw.summer.save()
    register(sw, sw.d_f, "debt")  # 5 of 10: either of the next two fits, not both
    barrier = threading.Barrier(2)
    results = []

    def go(discipline, reason):
        from django.db import connection as conn

        barrier.wait()
        try:
            register(sw, discipline, reason)
            results.append("ok")
        except ValidationFailed:
            results.append("cap")
        finally:
            conn.close()

    threads = [
        threading.Thread(target=go, args=(sw.d_fx, "debt")),
        threading.Thread(target=go, args=(sw.ahead5, "ahead")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["cap", "ok"]
    assert (
        sum(
            SummerRegistration.objects.filter(student=sw.student, status="registered").values_list(
                "credits", flat=True
            )
        )
        == 10
    )


# --- the pages ---------------------------------------------------------------------------------


def test_student_page_lists_choices_and_registers_without_javascript(client, sw, english):
    client.force_login(sw.student)
    page = client.get("/summer/").content.decode()
    assert "HIS101" in page and "ART201" in page and "ART203" not in page
    assert "csrfmiddlewaretoken" in page
    response = client.post(
        f"/summer/{sw.summer.pk}/register/",
        {"discipline": sw.d_f.pk, "reason": "debt"},
        follow=True,
    )
    text = response.content.decode()
    assert "You are registered for" in text and "5 credits registered, 10 left." in text
    assert live(sw) == ["HIS101"]


def test_over_the_cap_on_the_page_is_a_message_and_nothing_saved(client, sw, english):
    for discipline, reason in ((sw.d_f, "debt"), (sw.d_fx, "debt"), (sw.ahead5, "ahead")):
        register(sw, discipline, reason)
    client.force_login(sw.student)
    response = client.post(
        f"/summer/{sw.summer.pk}/register/",
        {"discipline": sw.ahead1.pk, "reason": "ahead"},
        follow=True,
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "This would make 16 credits" in text and "at most 15" in text
    assert live(sw) == ["ART201", "HIS101", "PHI102"]


def test_cancel_on_the_page(client, sw, english):
    reg = register(sw, sw.d_f, "debt")
    client.force_login(sw.student)
    text = client.post(f"/summer/registrations/{reg.pk}/cancel/", follow=True).content.decode()
    assert "The registration is cancelled." in text
    assert live(sw) == []


def test_another_students_registration_cannot_be_cancelled_on_the_page(client, sw):
    reg = register(sw, sw.d_f, "debt")
    client.force_login(sw.other)
    assert client.post(f"/summer/registrations/{reg.pk}/cancel/").status_code == 403
    assert live(sw) == ["HIS101"]


def test_bad_input_on_the_page_is_a_message(client, sw, english):
    client.force_login(sw.student)
    response = client.post(
        f"/summer/{sw.summer.pk}/register/", {"discipline": "x", "reason": "debt"}, follow=True
    )
    assert response.status_code == 200 and live(sw) == []
    response = client.post(
        f"/summer/{sw.summer.pk}/register/", {"discipline": 999999, "reason": "debt"}, follow=True
    )
    assert "There is no such discipline." in response.content.decode()


def test_registrar_opens_and_edits_on_the_pages(client, sw, english):
    period = next_summer()
    client.force_login(sw.registrar)
    page = client.get("/registrar/summer/").content.decode()
    assert 'for="id_credit_cap"' in page and 'value="15"' in page
    response = client.post(
        "/registrar/summer/open/",
        {
            "period": period.pk,
            "registration_opens_on": "2028-05-10",
            "registration_closes_on": "2028-06-05",
            "credit_cap": "18",
        },
        follow=True,
    )
    assert "Summer registration is set up." in response.content.decode()
    summer = SummerSemester.objects.get(period=period)
    assert summer.credit_cap == 18
    response = client.post(
        f"/registrar/summer/{summer.pk}/edit/",
        {
            "registration_opens_on": "2028-05-10",
            "registration_closes_on": "2028-06-01",
            "credit_cap": "16",
        },
        follow=True,
    )
    assert "Summer registration is changed." in response.content.decode()
    summer.refresh_from_db()
    assert summer.credit_cap == 16 and summer.registration_closes_on == datetime.date(2028, 6, 1)


def test_bad_dates_on_the_open_page_are_a_message(client, sw, english):
    period = next_summer()
    client.force_login(sw.registrar)
    response = client.post(
        "/registrar/summer/open/",
        {
            "period": period.pk,
            "registration_opens_on": "2028-06-05",
            "registration_closes_on": "2028-05-10",
            "credit_cap": "15",
        },
        follow=True,
    )
    assert "Registration cannot close before it opens." in response.content.decode()
    assert not SummerSemester.objects.filter(period=period).exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("registrar", 200),
        ("faculty_registrar", 200),
        ("admin", 200),
        ("student", 403),
        ("parent", 403),
        ("tutor", 403),
    ],
)
def test_registrar_pages_matrix(client, sw, who, status):
    client.force_login(getattr(sw, who))
    assert client.get("/registrar/summer/").status_code == status
    assert client.get(f"/registrar/summer/{sw.summer.pk}/").status_code == status
    assert client.get(f"/registrar/summer/{sw.summer.pk}/edit/").status_code == status
    client.post(
        f"/registrar/summer/{sw.summer.pk}/edit/",
        {
            "registration_opens_on": "2027-05-15",
            "registration_closes_on": "2027-06-10",
            "credit_cap": "30",
        },
    )
    sw.summer.refresh_from_db()
    assert (sw.summer.credit_cap == 30) == (status == 200)


@pytest.mark.parametrize(
    ("language", "title"),
    [("kk", "Жазғы семестр"), ("ru", "Летний семестр"), ("en", "Summer semester")],
)
def test_summer_pages_in_each_language(client, sw, settings, language, title):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for user, url in ((sw.student, "/summer/"), (sw.registrar, "/registrar/summer/")):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert title in response.content.decode()
