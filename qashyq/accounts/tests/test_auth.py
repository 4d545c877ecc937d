"""Login, logout, password reset, brute-force protection and session cookies, through the real
allauth pages with CSRF checks on."""

import json
import os
import re
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from qashyq.accounts.roles import Role
from qashyq.accounts.tests.factories import user_with_role
from qashyq.accounts.tests.helpers import csrf_token, fake_translations, isolate_cache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PASSWORD = "pass-Word-123"
LOGIN_URL = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """allauth keeps failed-login counters (and used TOTP codes) in the cache: one test's
    failures must not lock out the next test's logins from the same test IP."""
    isolate_cache(settings)


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def student():
    return user_with_role(Role.STUDENT, username="aigerim", email="aigerim@example.kz")


def login(client, login_value, password=PASSWORD, **extra):
    page = client.get(LOGIN_URL)
    assert page.status_code == 200
    return client.post(
        LOGIN_URL,
        {"login": login_value, "password": password, "csrfmiddlewaretoken": csrf_token(page.text)},
        **extra,
    )


def signed_in_id(client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize(
    "login_value", ["aigerim", "AIGERIM", "aigerim@example.kz", "Aigerim@Example.KZ"]
)
def test_login_by_username_or_email(browser, student, login_value):
    response = login(browser, login_value)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert signed_in_id(browser) == str(student.pk)
    assert browser.get("/dashboard/").status_code == 200


def test_login_post_without_csrf_token_is_refused(browser, student):
    response = browser.post(LOGIN_URL, {"login": "aigerim", "password": PASSWORD})
    assert response.status_code == 403
    assert signed_in_id(browser) is None


def test_wrong_password_shows_an_error_and_does_not_sign_in(browser, student):
    response = login(browser, "aigerim", "wrong-password")
    assert response.status_code == 200
    assert "not correct" in response.text
    assert signed_in_id(browser) is None


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(browser, student):
    wrong_password = login(browser, "aigerim", "wrong-password")
    nobody = login(browser, "nobody-here", "wrong-password")
    assert nobody.status_code == wrong_password.status_code == 200
    assert "not correct" in nobody.text


def test_inactive_user_cannot_sign_in(browser):
    user_with_role(Role.STUDENT, username="gone", is_active=False)
    login(browser, "gone")
    assert signed_in_id(browser) is None


def test_logout_needs_a_post_with_csrf(browser, student):
    login(browser, "aigerim")
    confirm = browser.get("/accounts/logout/")
    assert confirm.status_code == 200
    assert signed_in_id(browser) == str(student.pk)  # a GET (e.g. a link or an <img>) does not
    assert browser.post("/accounts/logout/").status_code == 403
    assert signed_in_id(browser) == str(student.pk)
    response = browser.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf_token(confirm.text)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_id(browser) is None
    assert browser.get("/dashboard/").status_code == 302


# --- password reset ------------------------------------------------------------------------------


def request_reset(client, email):
    page = client.get("/accounts/password/reset/")
    assert page.status_code == 200
    return client.post(
        "/accounts/password/reset/",
        {"email": email, "csrfmiddlewaretoken": csrf_token(page.text)},
    )


def test_password_reset_mail_has_a_working_link(browser, student):
    response = request_reset(browser, "Aigerim@example.kz")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["aigerim@example.kz"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", message.body)
    assert link, message.body
    form_page = browser.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_password_url = (
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    )
    done = browser.post(
        set_password_url,
        {
            "password1": "a-Brand-new-phrase-77",
            "password2": "a-Brand-new-phrase-77",
            "csrfmiddlewaretoken": csrf_token(form_page.text),
        },
    )
    assert done.status_code == 302
    student.refresh_from_db()
    assert student.check_password("a-Brand-new-phrase-77")
    # the link works once only
    again = browser.get(link.group(1), follow=True)
    assert 'name="password1"' not in again.text
    other = Client(enforce_csrf_checks=True)
    assert login(other, "aigerim", "a-Brand-new-phrase-77").status_code == 302


def test_password_reset_does_not_reveal_whether_an_account_exists(browser, student):
    known = request_reset(browser, "aigerim@example.kz")
    unknown = request_reset(Client(enforce_csrf_checks=True), "stranger@example.kz")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    no_token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    page_known = no_token.sub("", browser.get(known["Location"]).text)
    page_unknown = no_token.sub("", Client().get(unknown["Location"]).text)
    assert page_known == page_unknown
    reset_links = [m for m in mail.outbox if "/password/reset/key/" in m.body]
    assert [m.to for m in reset_links] == [["aigerim@example.kz"]]


# --- brute force ---------------------------------------------------------------------------------


def _limit_for_one_account() -> int:
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    per_key = next(rate for rate in rates if rate.endswith("/key"))
    return int(per_key.split("/")[0])


def test_after_the_failed_attempts_even_the_right_password_is_refused(browser, student):
    limit = _limit_for_one_account()
    for attempt in range(limit):
        # alternating identifiers of the same account share one allowance
        login_value = "aigerim" if attempt % 2 else "aigerim@example.kz"
        assert login(browser, login_value, f"guess-{attempt}").status_code == 200
    response = login(browser, "aigerim", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.text
    assert signed_in_id(browser) is None
    # another account from the same address is not locked by this one
    user_with_role(Role.STUDENT, username="dana")
    assert login(Client(enforce_csrf_checks=True), "dana").status_code == 302


def test_the_lockout_message_is_in_the_users_language(browser, student, monkeypatch):
    fake_translations(
        monkeypatch,
        "ru",
        {
            "Too many failed login attempts. Wait a few minutes and try again, or reset your "
            "password.": "Слишком много неудачных попыток входа. Подождите несколько минут."
        },
    )
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    for attempt in range(_limit_for_one_account()):
        login(browser, "aigerim", f"guess-{attempt}")
    response = login(browser, "aigerim", PASSWORD)
    assert "Слишком много неудачных попыток входа" in response.text


def test_a_successful_login_does_not_reset_the_failure_count(browser, student):
    limit = _limit_for_one_account()
    for attempt in range(limit - 1):
        login(browser, "aigerim", f"guess-{attempt}")
    assert login(browser, "aigerim").status_code == 302
    browser.post("/accounts/logout/", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    login(browser, "aigerim", "guess-last")
    assert "Too many failed login attempts" in login(browser, "aigerim").text


def test_behind_the_proxy_each_client_address_has_its_own_allowance(settings, student):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # as in production behind nginx
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    per_ip = int(next(rate for rate in rates if rate.endswith("/ip")).split("/")[0])
    attacker = Client(enforce_csrf_checks=True, headers={"X-Forwarded-For": "203.0.113.7"})
    for attempt in range(per_ip):
        login(attacker, f"nobody-{attempt}", "guess")  # many accounts, one address
    assert "Too many failed login attempts" in login(attacker, "aigerim").text
    colleague = Client(enforce_csrf_checks=True, headers={"X-Forwarded-For": "198.51.100.4"})
    assert login(colleague, "aigerim").status_code == 302


def _redis_available(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False
    return True


def test_rate_limit_works_on_the_redis_cache_of_production(settings, student):
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if not _redis_available(url):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {url}")
        pytest.skip(f"Redis is not reachable at {url}")
    import redis

    prefix = f"test-ratelimit-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    server = redis.Redis.from_url(url)
    try:
        browser = Client(enforce_csrf_checks=True)
        for attempt in range(_limit_for_one_account()):
            login(browser, "aigerim", f"guess-{attempt}")
        # the failure counters live in Redis, where every web worker sees them
        assert server.keys(f"{prefix}:*allauth:rl:allauth.account:login_failed*")
        response = login(browser, "aigerim", PASSWORD)
        assert "Too many failed login attempts" in response.text
        assert signed_in_id(browser) is None
    finally:
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)


# --- session cookies ------------------------------------------------------------------------------


def test_session_and_csrf_cookies_are_httponly_and_samesite(browser, student):
    response = login(browser, "aigerim")
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"
    assert browser.cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    # the session id changes at login (no session fixation)
    anonymous = Client(enforce_csrf_checks=True)
    anonymous.get(LOGIN_URL)
    before = anonymous.session.session_key
    login(anonymous, "aigerim")
    assert anonymous.session.session_key != before


def test_production_settings_secure_the_cookies_and_use_redis():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 64,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/qashyq",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "ALLOWED_HOSTS": "dl.example.kz",
        "DEBUG": "false",
    }
    code = (
        "import json, django; from django.conf import settings as s; django.setup(); "
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'SESSION_COOKIE_SECURE','SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_SAMESITE',"
        "'CSRF_COOKIE_SECURE','CSRF_COOKIE_SAMESITE','QASHYQ_ENFORCE_STAFF_MFA',"
        "'SECURE_SSL_REDIRECT','ALLAUTH_TRUSTED_PROXY_COUNT']} "
        "| {'cache': s.CACHES['default']['BACKEND']}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "QASHYQ_ENFORCE_STAFF_MFA": True,
        "SECURE_SSL_REDIRECT": True,
        "ALLAUTH_TRUSTED_PROXY_COUNT": 1,
        "cache": "django.core.cache.backends.redis.RedisCache",
    }
