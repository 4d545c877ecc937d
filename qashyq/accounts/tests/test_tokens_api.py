"""Getting into the API: personal tokens (from the real management command), the browser session
with CSRF, refused credentials, and how the staff MFA rule applies to each."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from qashyq.accounts import services
from qashyq.accounts.models import ApiToken, User
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.core.api import NotAuthenticated

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def _token_for(user) -> str:
    _token, key = services.api_token_create(actor=user, owner=user)
    return key


def _bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def _assert_not_authenticated(response):
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert body["message"]
    assert "details" in body
    assert response["WWW-Authenticate"] == "Bearer"


def test_token_from_the_management_command_opens_the_api(client):
    user = UserFactory(username="aigerim", first_name="Айгерім", last_name="Сапарова")
    out = io.StringIO()
    call_command("create_api_token", "aigerim", stdout=out)
    key = out.getvalue().strip()
    assert key.startswith("qsh_")

    response = client.get(ME, headers=_bearer(key))

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "aigerim"
    assert body["full_name"] == "Сапарова Айгерім"
    token = ApiToken.objects.get(user=user)
    assert token.last_used_at is not None
    assert response.cookies.get("sessionid") is None  # a token call opens no session


@pytest.mark.parametrize(
    "header",
    [
        "Bearer qsh_not-a-real-token",
        "Bearer ",
        "bearer qsh_" + "x" * 43,
        "Token something",
        "Basic YWRtaW46ZGVtbw==",
    ],
)
def test_bad_credentials_are_refused(client, header):
    UserFactory()
    _assert_not_authenticated(client.get(ME, headers={"Authorization": header}))


def test_no_credentials_is_refused(client):
    _assert_not_authenticated(client.get(ME))


def test_revoked_token_is_refused(client):
    user = UserFactory()
    key = _token_for(user)
    assert client.get(ME, headers=_bearer(key)).status_code == 200
    services.api_token_revoke(actor=user, token=ApiToken.objects.get(user=user))

    _assert_not_authenticated(client.get(ME, headers=_bearer(key)))


def test_token_of_an_inactive_user_is_refused(client):
    user = UserFactory()
    key = _token_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    _assert_not_authenticated(client.get(ME, headers=_bearer(key)))


def test_bad_token_is_refused_even_on_a_public_endpoint(client):
    assert client.get("/api/v1/programs").status_code == 200
    _assert_not_authenticated(
        client.get("/api/v1/programs", headers=_bearer("qsh_forged-token-value"))
    )


def test_a_bad_token_wins_over_a_good_session(client):
    user = UserFactory()
    client.force_login(user)
    _assert_not_authenticated(client.get(ME, headers=_bearer("qsh_forged")))


def test_session_of_an_inactive_user_is_refused(client):
    user = UserFactory()
    client.force_login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    _assert_not_authenticated(client.get(ME))


def test_browser_session_reads_without_csrf_but_writes_only_with_it():
    user = UserFactory(preferred_language="kk")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get(ME).json()["username"] == user.username

    refused = browser.patch(ME, {"preferred_language": "ru"}, content_type="application/json")

    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    user.refresh_from_db()
    assert user.preferred_language == "kk"

    browser.get("/")  # any page sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.patch(
        ME,
        {"preferred_language": "ru"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 200
    assert accepted.json()["preferred_language"] == "ru"
    user.refresh_from_db()
    assert user.preferred_language == "ru"


def test_token_writes_need_no_csrf():
    user = UserFactory(preferred_language="kk")
    key = _token_for(user)
    client = Client(enforce_csrf_checks=True)
    response = client.patch(
        ME, {"preferred_language": "en"}, content_type="application/json", headers=_bearer(key)
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.preferred_language == "en"


def test_staff_without_mfa_are_stopped_on_the_session_but_their_token_works(client):
    """The middleware's rule holds for the browser session; a token (minted behind the MFA gate
    or by an operator at the shell) is a credential of its own and is not stopped."""
    tutor = user_with_role("tutor")
    client.force_login(tutor)

    stopped = client.get(ME)

    assert stopped.status_code == 403
    assert stopped.json()["code"] == "mfa_required"
    client.logout()
    key = _token_for(tutor)
    assert client.get(ME, headers=_bearer(key)).status_code == 200


def test_staff_cannot_reach_the_token_page_before_setting_up_mfa(client):
    """Why tokens may skip the MFA check: without TOTP a staff member cannot mint one."""
    tutor = user_with_role("tutor")
    client.force_login(tutor)
    response = client.post("/profile/tokens/", {"name": "sneaky"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=tutor).exists()


def test_auth_errors_speak_the_callers_language(client):
    response = client.get(ME, headers={"Accept-Language": "ru"})
    assert response.status_code == 401
    assert response["Content-Language"] == "ru"
    with translation.override("ru"):
        expected = str(NotAuthenticated.default_message)
    assert response.json()["message"] == expected


def test_token_caller_gets_their_preferred_language_unless_they_ask_for_another(client):
    user = UserFactory(preferred_language="en")
    key = _token_for(user)

    assert client.get(ME, headers=_bearer(key))["Content-Language"] == "en"
    asked = client.get(ME, headers={**_bearer(key), "Accept-Language": "ru"})
    assert asked["Content-Language"] == "ru"
