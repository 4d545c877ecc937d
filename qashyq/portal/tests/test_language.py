import pytest
from django.conf import settings
from django.urls import reverse

from qashyq.accounts.models import User
from qashyq.accounts.tests.factories import UserFactory

URL = "/i18n/setlang/"


def test_url_name():
    assert reverse("portal:set_language") == URL


@pytest.mark.django_db
def test_anonymous_switch_sets_cookie_and_redirects_back(client):
    response = client.post(URL, {"language": "ru", "next": "/programs/?level=bachelor"})
    assert response.status_code == 302
    assert response["Location"] == "/programs/?level=bachelor"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ru"
    assert int(cookie["max-age"]) == settings.LANGUAGE_COOKIE_AGE
    assert '<html lang="ru">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_signed_in_switch_saves_preferred_language(client):
    user = UserFactory(preferred_language="kk")
    client.force_login(user)
    client.post(URL, {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"


@pytest.mark.django_db
def test_preference_follows_the_user_to_a_new_browser(client):
    user = UserFactory(preferred_language="kk")
    client.force_login(user)
    client.post(URL, {"language": "ru", "next": "/"})
    client.logout()
    client.cookies.clear()
    response = client.post(
        reverse("account_login"), {"login": user.username, "password": "pass-Word-123"}
    )
    assert response.status_code == 302
    assert '<html lang="ru">' in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", "http://evil.example"],
)
def test_unsafe_next_is_refused(client, unsafe):
    response = client.post(URL, {"language": "en", "next": unsafe})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_unsafe_referer_is_refused(client):
    response = client.post(URL, {"language": "en"}, HTTP_REFERER="https://evil.example/x")
    assert response["Location"] == "/"
    response = client.post(URL, {"language": "en"}, HTTP_REFERER="http://testserver/guide/")
    assert response["Location"] == "http://testserver/guide/"


@pytest.mark.django_db
def test_unknown_language_is_a_clear_error_and_changes_nothing(client):
    user = UserFactory(preferred_language="kk")
    client.force_login(user)
    response = client.post(URL, {"language": "xx", "next": "/"})
    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert 'role="alert"' in response.content.decode()
    assert User.objects.get(pk=user.pk).preferred_language == "kk"


@pytest.mark.django_db
def test_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_switch_requires_csrf_token(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, {"language": "ru", "next": "/"})
    assert response.status_code == 403
