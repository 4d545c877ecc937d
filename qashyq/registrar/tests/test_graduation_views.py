"""The graduation pages: who sees what, forms that refuse bad input and change nothing, the
graduates list (its exports, its query count, the draft order button) and the three languages."""

import csv
import datetime
import io

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from qashyq.core.models import AuditLogEntry
from qashyq.registrar.models import (
    FinalAttestationEvent,
    FinalAttestationResult,
    OrderKind,
    OrderLine,
    RectorOrder,
)

from .fixtures_graduation import final_year_student, make_world, pass_everything

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def gw(db):
    return make_world()


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def en(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def urls(gw):
    return {
        "eligibility": f"/students/{gw.student.pk}/graduation/",
        "events": f"/graduation/programs/{gw.program.pk}/events/",
        "results": f"/graduation/events/{gw.exam.pk}/results/",
        "graduates": f"/graduation/programs/{gw.program.pk}/graduates/",
        "xlsx": f"/graduation/programs/{gw.program.pk}/graduates.xlsx",
        "new_event": f"/graduation/programs/{gw.program.pk}/events/new/",
    }


def snapshot():
    return (
        list(FinalAttestationEvent.objects.order_by("pk").values()),
        list(FinalAttestationResult.objects.order_by("pk").values()),
        RectorOrder.objects.count(),
        AuditLogEntry.objects.count(),
    )


# (who, eligibility, events, results, graduates and export, new event form)
PAGES = [
    ("student", 200, 200, 403, 403, 403),
    ("junior", 403, 403, 403, 403, 403),
    ("parent", 403, 403, 403, 403, 403),
    ("tutor", 403, 200, 403, 403, 403),
    ("registrar", 200, 200, 200, 200, 200),
    ("faculty_registrar", 200, 200, 200, 200, 200),
    ("other_faculty_registrar", 403, 200, 403, 403, 403),
    ("admin", 200, 200, 200, 200, 200),
    ("leader", 200, 200, 200, 200, 200),
    ("other_leader", 403, 200, 403, 403, 403),
]


def _user(gw, who):
    return gw.junior.user if who == "junior" else getattr(gw, who)


@pytest.mark.parametrize(("who", "eligibility", "events", "results", "graduates", "new"), PAGES)
def test_who_sees_which_page(en, gw, who, eligibility, events, results, graduates, new):
    en.force_login(_user(gw, who))
    expected = {
        "eligibility": eligibility,
        "events": events,
        "results": results,
        "graduates": graduates,
        "xlsx": graduates,
        "new_event": new,
    }
    for name, url in urls(gw).items():
        response = en.get(url)
        assert response.status_code == expected[name], name
        if expected[name] == 403:
            body = response.content.decode()
            assert gw.profile.student_number not in body
            assert "ART401" not in body


# (who, post a result, post a new event, draft the order)
POSTS = [
    ("student", 403, 403, 403),
    ("tutor", 403, 403, 403),
    ("other_faculty_registrar", 403, 403, 403),
    ("other_leader", 403, 403, 403),
    ("leader", 302, 302, 403),
    ("faculty_registrar", 302, 302, 403),  # rector's orders are drafted site-wide only
    ("registrar", 302, 302, 302),
    ("admin", 302, 302, 302),
]


@pytest.mark.parametrize(("who", "result", "event", "order"), POSTS)
def test_who_may_post(en, gw, who, result, event, order):
    en.force_login(_user(gw, who))
    before = snapshot()
    response = en.post(
        f"/graduation/events/{gw.exam.pk}/results/{gw.student.pk}/",
        {"percent": "55", "reason": "Appeal"},
    )
    assert response.status_code == result
    letter = FinalAttestationResult.objects.get(event=gw.exam, student=gw.student).letter
    assert letter == ("D+" if result == 302 else "B+")
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=2))
    response = en.post(
        urls(gw)["new_event"] + f"?year={gw.year.pk}",
        {
            "kind": "creative",
            "format": "onsite",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "place": "Зал 1",
            "commission": "",
        },
    )
    assert response.status_code == event
    assert FinalAttestationEvent.objects.filter(kind="creative").exists() is (event == 302)
    response = en.post(
        f"/graduation/programs/{gw.program.pk}/graduates/order/", {"year": gw.year.pk}
    )
    assert response.status_code == order
    if result == 403:
        assert snapshot() == before


def test_anonymous_is_sent_to_sign_in(client, gw):
    for url in urls(gw).values():
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


# --- a student's own page ------------------------------------------------------------------


def test_student_sees_own_eligibility_and_results(en, gw):
    FinalAttestationResult.objects.filter(event=gw.thesis).update(letter="FX", passed=False)
    en.force_login(gw.student)
    text = en.get("/graduation/me/").content.decode()
    assert "Not eligible to graduate yet" in text
    assert "Defence of the thesis or project: FX, not passed" in text
    assert "20 of 20 credits" in text
    assert "PRA404" in text and "https://meet.example.kz/ge" in text
    assert en.get("/graduation/").status_code == 302  # a student's index is their own page


def test_eligible_student_is_told_so(en, gw):
    en.force_login(gw.student)
    text = en.get("/graduation/me/").content.decode()
    assert "Eligible to graduate" in text and "Not eligible" not in text


def test_a_non_student_has_no_own_page(en, gw):
    en.force_login(gw.tutor)
    assert en.get("/graduation/me/").status_code == 403
    assert en.get("/graduation/").status_code == 403


def test_student_sees_own_result_on_the_events_page(en, gw):
    en.force_login(gw.student)
    text = en.get(urls(gw)["events"]).content.decode()
    assert "85% · B+" in text and "Distance" in text and "On site" in text
    assert "/results/" not in text and "/edit/" not in text


# --- events ----------------------------------------------------------------------------------


def test_leader_adds_an_event_through_the_form(en, gw):
    en.force_login(gw.leader)
    page = en.get(urls(gw)["new_event"]).content.decode()
    assert (
        'for="id_starts_at"' in page and 'for="id_place"' in page and "csrfmiddlewaretoken" in page
    )
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=10)).replace(
        second=0, microsecond=0
    )
    response = en.post(
        urls(gw)["new_event"],
        {
            "year": gw.year.pk,
            "kind": "creative",
            "format": "distance",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "place": "https://meet.example.kz/creative",
            "commission": "Төраға: Б. Қасымов",
        },
    )
    assert response.status_code == 302
    event = FinalAttestationEvent.objects.get(kind="creative")
    assert event.starts_at == start and event.created_by == gw.leader
    page = en.get(response["Location"]).content.decode()
    assert "Creative exam or performance" in page and f"/graduation/events/{event.pk}/edit/" in page


def test_a_bad_event_form_says_why_and_changes_nothing(en, gw):
    en.force_login(gw.registrar)
    before = snapshot()
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=3))
    response = en.post(
        urls(gw)["new_event"],
        {
            "year": gw.year.pk,
            "kind": "creative",
            "format": "distance",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "place": "Room 12",
        },
    )
    assert response.status_code == 400
    assert "link to the online room" in response.content.decode()
    response = en.post(urls(gw)["new_event"], {"year": gw.year.pk, "kind": "state_exam"})
    assert response.status_code == 400
    assert snapshot() == before


def test_a_started_event_offers_no_edit(en, gw):
    en.force_login(gw.registrar)
    response = en.get(f"/graduation/events/{gw.exam.pk}/edit/")
    assert "can no longer be changed" in response.content.decode()
    before = snapshot()
    response = en.post(
        f"/graduation/events/{gw.exam.pk}/edit/",
        {"kind": "state_exam", "format": "onsite", "starts_at": "2026-12-20T10:00"},
    )
    assert response.status_code == 409
    assert snapshot() == before


# --- results ---------------------------------------------------------------------------------


def test_results_page_lists_final_year_students_with_labelled_inputs(en, gw):
    other = final_year_student(gw)
    en.force_login(gw.leader)
    text = en.get(urls(gw)["results"]).content.decode()
    assert gw.student.full_name in text and other.user.full_name in text
    assert gw.junior.user.full_name not in text
    assert f'<label for="percent-{other.user_id}"' in text
    assert 'value="85"' in text  # the recorded mark, ready to change


@pytest.mark.parametrize(
    ("percent", "message"),
    [("abc", "is not a number"), ("120", "from 0 to 100"), ("", "Enter the mark")],
)
def test_a_bad_mark_is_refused_on_the_page(en, gw, percent, message):
    other = final_year_student(gw)
    en.force_login(gw.registrar)
    before = snapshot()
    response = en.post(
        f"/graduation/events/{gw.exam.pk}/results/{other.user_id}/", {"percent": percent}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and 'aria-invalid="true"' in text
    assert snapshot() == before


def test_a_change_without_a_reason_is_refused_on_the_page(en, gw):
    en.force_login(gw.registrar)
    before = snapshot()
    response = en.post(
        f"/graduation/events/{gw.exam.pk}/results/{gw.student.pk}/", {"percent": "70"}
    )
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    assert snapshot() == before


def test_recording_a_mark_on_the_page(en, gw):
    other = final_year_student(gw)
    en.force_login(gw.registrar)
    response = en.post(
        f"/graduation/events/{gw.exam.pk}/results/{other.user_id}/", {"percent": "91,5"}
    )
    assert response.status_code == 302
    result = FinalAttestationResult.objects.get(event=gw.exam, student=other.user)
    assert (str(result.percent), result.letter, result.passed) == ("91.50", "A-", True)
    text = en.get(response["Location"]).content.decode()
    assert "91.5% (A-)" in text


# --- graduates ---------------------------------------------------------------------------------


def test_graduates_list_shows_eligibility_and_why_not(en, gw):
    other = final_year_student(gw)
    en.force_login(gw.registrar)
    text = en.get(urls(gw)["graduates"]).content.decode()
    assert 'id="eligible-count">1<' in text
    assert gw.student.full_name in text and other.user.full_name in text
    assert "ART401 " in text and "no result yet" in text
    assert text.count("PRA404 ") == 1  # a reason of two conditions is shown once
    assert "Put 1 eligible student into a draft graduation order" in text


def test_leader_sees_the_list_without_the_order_button(en, gw):
    en.force_login(gw.leader)
    text = en.get(urls(gw)["graduates"]).content.decode()
    assert gw.student.full_name in text and "draft graduation order" not in text


def test_graduates_list_queries_do_not_grow(en, gw, django_assert_max_num_queries):
    en.force_login(gw.registrar)
    en.get(urls(gw)["graduates"])  # warm the session and the role cache
    for _ in range(2):
        pass_everything(gw, final_year_student(gw).user)
    with django_assert_max_num_queries(14) as few:
        en.get(urls(gw)["graduates"])
    for _ in range(8):
        pass_everything(gw, final_year_student(gw).user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = en.get(urls(gw)["graduates"])
    assert 'id="eligible-count">11<' in response.content.decode()


def test_export_xlsx_and_csv(en, gw):
    from openpyxl import load_workbook

    final_year_student(gw)
    en.force_login(gw.registrar)
    response = en.get(urls(gw)["xlsx"])
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="graduates-6B09901-2026-2027.xlsx"' in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("No.", "Record book number", "Student")
    by_name = {row[2]: row for row in rows[1:]}
    assert by_name[gw.student.full_name][4:7] == (20, 20, "yes")
    assert len(rows) == 3
    response = en.get(f"/graduation/programs/{gw.program.pk}/graduates.csv")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][0] == "No." and len(table) == 3
    assert any(row[2] == gw.student.full_name and row[6] == "yes" for row in table)


def test_the_order_button_drafts_a_graduation_order_of_the_eligible(en, gw):
    other = final_year_student(gw)
    en.force_login(gw.registrar)
    response = en.post(
        f"/graduation/programs/{gw.program.pk}/graduates/order/", {"year": gw.year.pk}
    )
    assert response.status_code == 302
    order = RectorOrder.objects.get()
    assert (order.kind, order.status) == (OrderKind.GRADUATION, "draft")
    assert list(order.lines.values_list("student_id", flat=True)) == [gw.student.pk]
    assert "6B09901" in order.preamble
    text = en.get(response["Location"]).content.decode()
    assert "A draft graduation order with 1 students is created." in text
    assert OrderLine.objects.filter(student=other.user).count() == 0
    # the same students are not put into a second order
    response = en.post(
        f"/graduation/programs/{gw.program.pk}/graduates/order/", {"year": gw.year.pk}, follow=True
    )
    assert "No eligible student is left" in response.content.decode()
    assert RectorOrder.objects.count() == 1


# --- languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"),
    [("kk", "Қорытынды аттестаттау"), ("ru", "Итоговая аттестация"), ("en", "Final attestation")],
)
def test_pages_in_each_language(client, gw, language, heading):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(gw.registrar)
    for url in (urls(gw)["events"], urls(gw)["graduates"], urls(gw)["eligibility"]):
        response = client.get(url)
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()
    text = client.get(urls(gw)["events"]).content.decode()
    assert heading in text


def test_a_student_before_the_final_year_does_not_see_the_events(en, gw):
    en.force_login(gw.junior.user)
    text = en.get("/graduation/me/").content.decode()
    assert "Not eligible to graduate yet" in text
    assert "shown in the final year of study" in text
    assert "https://meet.example.kz/ge" not in text and "Бас ғимарат" not in text
