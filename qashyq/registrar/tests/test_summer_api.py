"""The debts and summer-registration API: who reads what, registering under the cap and in the
window with stable error codes, cancelling; a denied call changes nothing."""

import datetime
import json

import pytest

from qashyq.accounts import services as account_services
from qashyq.registrar.models import SummerRegistration
from qashyq.registrar.services import summer as services

from . import fixtures_summer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
sw = fixtures_summer.sw
today = fixtures_summer.today
API = "/api/v1"


@pytest.fixture(autouse=True)
def _no_staff_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def headers(user) -> dict:
    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}"}


def call(client, method, user, path, body=None):
    kwargs = {"headers": headers(user)}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(API + path, **kwargs)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("student", 200),
        ("parent", 200),
        ("registrar", 200),
        ("faculty_registrar", 200),
        ("other_faculty_registrar", 403),
        ("other", 403),
        ("other_parent", 403),
        ("tutor", 403),
    ],
)
def test_debts_readers(client, sw, who, status):
    response = call(client, "get", getattr(sw, who), f"/students/{sw.student.pk}/debts")
    assert response.status_code == status
    if status == 200:
        data = response.json()
        assert [(d["discipline_code"], d["kind"]) for d in data["debts"]] == [
            ("HIS101", "F"),
            ("PHI102", "FX"),
        ]
        assert data["credits"] == 10
        assert data["debts"][0]["name_en"] == "History of Kazakhstan"
        assert data["debts"][0]["period"]["kind"] == "semester_1"
    else:
        assert response.json()["code"] == "permission_denied"


def test_debts_of_no_such_student(client, sw):
    assert call(client, "get", sw.student, "/students/999999/debts").status_code == 403
    assert call(client, "get", sw.registrar, "/students/999999/debts").status_code == 404


def test_anonymous_is_401(client, sw):
    assert client.get(f"{API}/students/{sw.student.pk}/debts").status_code == 401


def test_register_list_and_cancel(client, sw):
    path = f"/summer/{sw.summer.pk}/registrations"
    response = call(
        client, "post", sw.student, path, {"discipline_id": sw.d_f.pk, "reason": "debt"}
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["discipline_code"], created["credits"], created["status"]) == (
        "HIS101",
        5,
        "registered",
    )
    mine = call(client, "get", sw.student, path).json()
    assert [r["id"] for r in mine] == [created["id"]]
    # another student sees only their own (none)
    assert call(client, "get", sw.other, path).json() == []
    # the registrar sees everyone's
    assert [r["student_id"] for r in call(client, "get", sw.registrar, path).json()] == [
        sw.student.pk
    ]
    response = call(client, "delete", sw.student, f"{path}/{created['id']}")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert not SummerRegistration.objects.exclude(status="cancelled").exists()


@pytest.mark.parametrize("who", ["parent", "tutor"])
def test_non_students_do_not_see_registrations(client, sw, who):
    path = f"/summer/{sw.summer.pk}/registrations"
    assert call(client, "get", getattr(sw, who), path).status_code == 403


def test_over_the_cap_is_400_with_the_numbers_and_nothing_saved(client, sw):
    for discipline, reason in ((sw.d_f, "debt"), (sw.d_fx, "debt"), (sw.ahead5, "ahead")):
        services.summer_register(
            actor=sw.student, summer=sw.summer, discipline=discipline, reason=reason
        )
    response = call(
        client,
        "post",
        sw.student,
        f"/summer/{sw.summer.pk}/registrations",
        {"discipline_id": sw.ahead1.pk, "reason": "ahead"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "credit_cap" and "16" in body["message"] and "15" in body["message"]
    assert SummerRegistration.objects.count() == 3


def test_outside_the_window_is_409(client, sw):
    sw.move_today(datetime.date(2027, 7, 1))
    response = call(
        client,
        "post",
        sw.student,
        f"/summer/{sw.summer.pk}/registrations",
        {"discipline_id": sw.d_f.pk, "reason": "debt"},
    )
    assert response.status_code == 409 and response.json()["code"] == "registration_closed"
    assert not SummerRegistration.objects.exists()


def test_bad_reason_and_unknown_discipline(client, sw):
    path = f"/summer/{sw.summer.pk}/registrations"
    bad = call(client, "post", sw.student, path, {"discipline_id": sw.d_f.pk, "reason": "x"})
    assert bad.status_code == 400 and bad.json()["code"] == "reason"
    missing = call(client, "post", sw.student, path, {"discipline_id": 999999, "reason": "debt"})
    assert missing.status_code == 404
    assert (
        call(
            client,
            "post",
            sw.student,
            "/summer/999999/registrations",
            {
                "discipline_id": sw.d_f.pk,
                "reason": "debt",
            },
        ).status_code
        == 404
    )
    assert not SummerRegistration.objects.exists()


@pytest.mark.parametrize("who", ["other", "registrar", "parent"])
def test_only_the_student_cancels(client, sw, who):
    reg = services.summer_register(
        actor=sw.student, summer=sw.summer, discipline=sw.d_f, reason="debt"
    )
    response = call(
        client, "delete", getattr(sw, who), f"/summer/{sw.summer.pk}/registrations/{reg.pk}"
    )
    assert response.status_code == 403
    reg.refresh_from_db()
    assert reg.status == "registered"
