"""The admission pages, the order pages, the order PDF and the API, as users see them."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.conf import settings as django_settings

from qashyq.academics.models import StudentProfile
from qashyq.accounts import services as account_services
from qashyq.accounts.tests.factories import UserFactory
from qashyq.registrar.models import AdmissionApplication, RectorOrder
from qashyq.registrar.services.orders import OrderLineSpec, order_create_draft, order_register

from .fixtures_admission import adm_fixture, file_application, pdf_upload  # noqa: F401

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def lang(client, language="en"):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language


def text_of(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())  # a table cell may wrap a name onto two lines


def registered(adm, *applications, number="15-ДОТ"):
    order = order_create_draft(
        actor=adm.registrar,
        kind="dlt_admission",
        lines=[OrderLineSpec(student=a.applicant, application=a) for a in applications],
    )
    return order_register(
        actor=adm.registrar, order=order, number=number, signed_on=adm.today, effective_on=adm.today
    )


def test_the_whole_flow_through_the_pages(client, adm):
    lang(client)
    client.force_login(adm.applicant)
    page = client.get(f"/admission/new/?program={adm.program.pk}")
    assert page.status_code == 200
    assert "Grounds for distance study: special educational needs." in page.content.decode()
    response = client.post(
        "/admission/new/",
        {
            "program": adm.program.pk,
            "ground": "special_needs",
            "disability_group": "2",
            "funding": "grant",
            "statement": "Қашықтықтан оқуға рұқсат сұраймын.",
        },
    )
    application = AdmissionApplication.objects.get(applicant=adm.applicant)
    assert response.status_code == 302 and response["Location"] == f"/admission/{application.pk}/"
    detail = client.get(f"/admission/{application.pk}/").content.decode()
    assert "Still missing before you can submit" in detail
    # submitting without the documents: a message, nothing changes
    client.post(f"/admission/{application.pk}/submit/")
    page = client.get(f"/admission/{application.pk}/").content.decode()
    assert "Attach the required documents first" in page
    application.refresh_from_db()
    assert application.status == "draft"
    for kind in ("identity", "medical"):
        client.post(f"/admission/{application.pk}/documents/", {"kind": kind, "file": pdf_upload()})
    assert application.documents.count() == 2
    client.post(f"/admission/{application.pk}/submit/")
    application.refresh_from_db()
    assert application.status == "submitted"

    client.force_login(adm.committee)
    queue = client.get("/admission/queue/").content.decode()
    assert "Құрманов" in queue
    client.post(f"/admission/{application.pk}/decide/", {"decision": "reject", "note": ""})
    application.refresh_from_db()
    assert application.status == "submitted"  # a refusal needs a reason
    client.post(f"/admission/{application.pk}/decide/", {"decision": "approve", "note": "Иә"})
    application.refresh_from_db()
    assert application.status == "approved"

    client.force_login(adm.registrar)
    new_order = client.get("/orders/new/").content.decode()
    assert f'value="{application.pk}"' in new_order
    response = client.post("/orders/new/", {"applications": [application.pk], "preamble": ""})
    order = RectorOrder.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    client.force_login(adm.rector)
    client.post(
        f"/orders/{order.pk}/register/",
        {"number": "21-ДОТ", "signed_on": adm.today.isoformat(), "effective_on": adm.today},
    )
    order.refresh_from_db()
    assert order.status == "registered" and order.number == "21-ДОТ"
    profile = StudentProfile.objects.get(user=adm.applicant)
    assert profile.distance_ground == "special_needs" and profile.disability_group == 2
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Құрманов" in page and "applied to the students" in page


def test_drafting_an_order_with_an_undecided_application_shows_the_error(client, adm):
    lang(client)
    undecided = file_application(adm.applicant, adm.program, status="submitted")
    client.force_login(adm.registrar)
    response = client.post("/orders/new/", {"applications": [undecided.pk]})
    assert response.status_code == 400
    assert "has not approved the application" in response.content.decode()
    assert RectorOrder.objects.count() == 0


def test_a_duplicate_number_is_shown_and_the_draft_stays(client, adm):
    lang(client)
    registered(adm, file_application(adm.student, adm.program, status="approved"), number="3")
    other = order_create_draft(
        actor=adm.registrar,
        kind="dlt_admission",
        lines=[
            OrderLineSpec(
                student=adm.applicant,
                application=file_application(adm.applicant, adm.program, status="approved"),
            )
        ],
    )
    client.force_login(adm.registrar)
    response = client.post(
        f"/orders/{other.pk}/register/",
        {"number": "3", "signed_on": adm.today, "effective_on": adm.today},
        follow=True,
    )
    assert "already used by another order" in response.content.decode()
    other.refresh_from_db()
    assert other.status == "draft"


def test_the_criteria_are_shown_in_the_users_language(client, adm):
    client.force_login(adm.applicant)
    for language, text in [
        ("kk", "ерекше білім беру қажеттіліктері"),
        ("ru", "особые образовательные потребности"),
        ("en", "special educational needs"),
    ]:
        lang(client, language)
        page = client.get(f"/admission/new/?program={adm.program.pk}").content.decode()
        assert text in page, language


def test_the_application_links_its_draft_plan(client, adm):
    lang(client)
    application = file_application(adm.student, adm.program, status="draft")
    client.force_login(adm.student)
    page = client.get(f"/admission/{application.pk}/").content.decode()
    assert f'href="/iup/{application.draft_plan_id}/"' in page
    assert client.get(f"/iup/{application.draft_plan_id}/").status_code == 200


def test_a_student_has_their_program_prefilled(client, adm):
    lang(client)
    client.force_login(adm.student)
    page = client.get("/admission/new/").content.decode()
    assert f'<option value="{adm.program.pk}" selected>' in page
    assert adm.other_program.code not in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("applicant", 200), ("committee", 200), ("registrar", 200), ("admin", 200),
     ("other", 403), ("tutor", 403), ("rector", 403), ("student", 403)],
)  # fmt: skip
def test_who_opens_an_application_and_downloads_its_documents(client, adm, who, status):
    application = file_application(adm.applicant, adm.program, status="submitted")
    document = application.documents.first()
    client.force_login(getattr(adm, who))
    assert client.get(f"/admission/{application.pk}/").status_code == status
    response = client.get(f"/admission/{application.pk}/documents/{document.pk}/")
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("who", ["other", "tutor", "student", "applicant", "rector"])
def test_the_queue_is_for_the_committee_and_a_denied_decision_changes_nothing(client, adm, who):
    application = file_application(adm.applicant, adm.program, status="submitted")
    client.force_login(getattr(adm, who))
    assert client.get("/admission/queue/").status_code == 403
    response = client.post(f"/admission/{application.pk}/decide/", {"decision": "approve"})
    assert response.status_code in (403, 302)
    application.refresh_from_db()
    assert application.status == "submitted"


@pytest.mark.parametrize(
    ("who", "status"),
    [("registrar", 200), ("admin", 200), ("rector", 200), ("committee", 200),
     ("student", 403), ("tutor", 403), ("other", 403)],
)  # fmt: skip
def test_who_sees_the_orders(client, adm, who, status):
    order = registered(adm, file_application(adm.applicant, adm.program, status="approved"))
    client.force_login(getattr(adm, who))
    assert client.get("/orders/").status_code == status
    assert client.get(f"/orders/{order.pk}/").status_code == status


@pytest.mark.parametrize("who", ["rector", "committee", "student", "tutor"])
def test_only_the_registrar_drafts_and_a_denied_post_changes_nothing(client, adm, who):
    approved = file_application(adm.applicant, adm.program, status="approved")
    client.force_login(getattr(adm, who))
    assert client.get("/orders/new/").status_code == 403
    assert client.post("/orders/new/", {"applications": [approved.pk]}).status_code == 403
    assert RectorOrder.objects.count() == 0


def test_the_order_pdf_has_kazakh_text_in_each_language(client, adm):
    order = registered(
        adm,
        file_application(adm.student, adm.program, status="approved"),
        file_application(adm.applicant, adm.program, ground="business_trip", status="approved"),
    )
    client.force_login(adm.registrar)
    kk = client.get(f"/orders/{order.pk}/pdf/?lang=kk")
    assert kk.status_code == 200 and kk["Content-Type"] == "application/pdf"
    text = text_of(kk.content)
    for expected in ("БҰЙРЫҚ", "15-ДОТ", "Үсенова Әлия", "Құрманов Ғалым", "Өнертану", "№ 137"):
        assert expected in text, (expected, text)
    assert "қашықтықтан" in text
    ru = text_of(client.get(f"/orders/{order.pk}/pdf/?lang=ru").content)
    assert "Искусствоведение" in ru and "ПРИКАЗЫВАЮ" in ru
    en = text_of(client.get(f"/orders/{order.pk}/pdf/?lang=en").content)
    assert "Art history" in en and "Long-term foreign business trip" in en


def test_a_student_downloads_an_extract_with_their_line_only(client, adm):
    order = registered(
        adm,
        file_application(adm.student, adm.program, status="approved"),
        file_application(adm.applicant, adm.program, status="approved"),
    )
    lang(client)
    client.force_login(adm.applicant)
    mine = client.get("/admission/").content.decode()
    assert f"/orders/{order.pk}/pdf/" in mine
    text = text_of(client.get(f"/orders/{order.pk}/pdf/?lang=kk").content)
    assert "Құрманов" in text and "Үсенова" not in text
    assert client.get(f"/orders/{order.pk}/").status_code == 403
    client.force_login(adm.other)
    assert client.get(f"/orders/{order.pk}/pdf/").status_code == 403


def test_a_draft_order_has_no_extract_for_its_students(client, adm):
    approved = file_application(adm.applicant, adm.program, status="approved")
    order = order_create_draft(
        actor=adm.registrar,
        kind="dlt_admission",
        lines=[OrderLineSpec(student=adm.applicant, application=approved)],
    )
    client.force_login(adm.applicant)
    assert client.get(f"/orders/{order.pk}/pdf/").status_code == 403


def _applications(adm, n):
    for _i in range(n):
        user = UserFactory()
        file_application(user, adm.program, ground="business_trip", status="submitted")


def test_the_queue_costs_the_same_for_more_rows(client, adm, django_assert_max_num_queries):
    client.force_login(adm.committee)
    _applications(adm, 2)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/admission/queue/").status_code == 200
    _applications(adm, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/admission/queue/")
    assert page.content.decode().count("/admission/") >= 10


def test_the_orders_list_and_an_order_cost_the_same_for_more_rows(
    client, adm, django_assert_max_num_queries
):
    client.force_login(adm.registrar)
    registered(adm, file_application(adm.student, adm.program, status="approved"), number="1")
    with django_assert_max_num_queries(12) as few:
        assert client.get("/orders/").status_code == 200
    apps = []
    for n in range(6):
        user = UserFactory()
        apps.append(file_application(user, adm.program, ground="business_trip", status="approved"))
        registered(adm, apps[-1], number=f"N{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/orders/").status_code == 200
    big = order_create_draft(
        actor=adm.registrar,
        kind="dlt_admission",
        lines=[
            OrderLineSpec(student=u.applicant, application=u)
            for u in [
                file_application(
                    UserFactory(), adm.program, ground="business_trip", status="approved"
                )
                for _i in range(5)
            ]
        ],
    )
    with django_assert_max_num_queries(14):
        page = client.get(f"/orders/{big.pk}/")
    assert page.status_code == 200


# --- the API -------------------------------------------------------------------------------------


def api_get(client, user, path):
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return client.get(API + path, headers={"Authorization": f"Bearer {key}"})


def test_api_applications_own_or_the_queue(client, adm):
    mine = file_application(adm.applicant, adm.program, status="submitted")
    file_application(adm.student, adm.program, status="draft")
    own = api_get(client, adm.applicant, "/admission/applications").json()
    assert [a["id"] for a in own] == [mine.pk] and own[0]["status"] == "submitted"
    queue = api_get(client, adm.committee, "/admission/applications").json()
    assert [a["id"] for a in queue] == [mine.pk]  # drafts are not in the queue
    assert api_get(client, adm.other, "/admission/applications").json() == []
    assert api_get(client, adm.committee, "/admission/applications?status=bad").status_code == 404


def test_api_order_for_readers_and_an_extract_for_a_student(client, adm):
    order = registered(
        adm,
        file_application(adm.student, adm.program, status="approved"),
        file_application(adm.applicant, adm.program, status="approved"),
    )
    full = api_get(client, adm.registrar, f"/orders/{order.pk}").json()
    assert full["number"] == "15-ДОТ" and len(full["lines"]) == 2 and not full["extract"]
    extract = api_get(client, adm.applicant, f"/orders/{order.pk}").json()
    assert extract["extract"] and [line["student_id"] for line in extract["lines"]] == [
        adm.applicant.pk
    ]
    assert api_get(client, adm.other, f"/orders/{order.pk}").status_code == 403
    assert api_get(client, adm.other, "/orders/999999").status_code == 403
    assert api_get(client, adm.registrar, "/orders/999999").status_code == 404
