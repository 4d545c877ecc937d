"""config.settings.production refuses unsafe configurations and passes `check --deploy`.

Settings are imported in a subprocess: they are read once per process, and a refusal is an
exception raised while importing them.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from qashyq.accounts.checks import refuse_demo_users  # what config/wsgi.py and asgi.py run

GOOD_ENV = {
    "SECRET_KEY": "k7Hq2-vXr9Lw0_ZpT4sNmB8yEcFgJ1aUoDiQ6RhVtW3xYzKlMnPb5CdE",
    # Port 1 refuses at once: settings must not need the database to load.
    "DATABASE_URL": "postgres://qashyq@127.0.0.1:1/qashyq",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "ALLOWED_HOSTS": "dls.example.kz",
}
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "ASGI_PROCESS",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    # Set while the browser tests' Playwright runs in this process; check --deploy rejects it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_production(*args: str, **env_overrides: str | None) -> subprocess.CompletedProcess:
    process_env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    process_env.update(GOOD_ENV)
    for name, value in env_overrides.items():
        if value is None:
            process_env.pop(name, None)
        else:
            process_env[name] = value
    process_env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=process_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def load_settings(**env_overrides: str | None) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return run_production("-c", code, **env_overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"SECRET_KEY": None}, "Set SECRET_KEY"),
        ({"SECRET_KEY": "dev-insecure-qashyq-secret-key-change-me" + "x" * 20}, "Set SECRET_KEY"),
        ({"SECRET_KEY": "short-but-random-Q8w"}, "Set SECRET_KEY"),
        ({"DATABASE_URL": None}, "Set DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:////tmp/qashyq.sqlite3"}, "Set DATABASE_URL"),
        ({"REDIS_URL": None}, "Set REDIS_URL"),
        ({"ALLOWED_HOSTS": None}, "Set ALLOWED_HOSTS"),
    ],
    ids=[
        "debug-on",
        "no-key",
        "default-key",
        "short-key",
        "no-database",
        "sqlite",
        "no-redis",
        "no-hosts",
    ],
)
def test_refuses_to_start(overrides, message):
    result = load_settings(**overrides)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_loads_with_good_environment():
    result = load_settings()

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_check_deploy_is_clean():
    result = run_production("manage.py", "check", "--deploy")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_redis_s3_and_asgi_pool_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND']); "
        "print(s.CHANNEL_LAYERS['default']['BACKEND']); "
        "print(s.STORAGES['default']['BACKEND'], s.STORAGES['default']['OPTIONS']['bucket_name']); "
        "d = s.DATABASES['default']; print(d['ENGINE'], d['CONN_MAX_AGE'], d['OPTIONS'])"
    )

    result = run_production(
        "-c",
        code,
        S3_BUCKET="qashyq-media",
        S3_ENDPOINT_URL="https://s3.example.kz",
        ASGI_PROCESS="1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "django.core.cache.backends.redis.RedisCache",
        "channels_redis.core.RedisChannelLayer",
        "storages.backends.s3.S3Storage qashyq-media",
        "django.db.backends.postgresql 0 {'pool': True}",
    ]


@pytest.mark.django_db
def test_demo_users_make_production_refuse(settings):
    settings.QASHYQ_REFUSE_DEMO_USERS = True
    get_user_model().objects.create_user(username="admin", password="demo", is_demo=True)

    with pytest.raises(ImproperlyConfigured, match="Demo users are present"):
        refuse_demo_users()


@pytest.mark.django_db
def test_real_users_do_not_make_production_refuse(settings):
    settings.QASHYQ_REFUSE_DEMO_USERS = True
    get_user_model().objects.create_user(username="real-rector", password="x" * 20)

    refuse_demo_users()


@pytest.mark.django_db
def test_dev_settings_allow_demo_users(settings):
    settings.QASHYQ_REFUSE_DEMO_USERS = False
    get_user_model().objects.create_user(username="admin", password="demo", is_demo=True)

    refuse_demo_users()


@pytest.mark.django_db(transaction=True)
def test_production_process_refuses_a_database_with_demo_users():
    """The real entry points against the real (PostgreSQL) test database: wsgi, asgi, check."""
    if connection.vendor != "postgresql":
        pytest.skip("production settings need PostgreSQL: make test-postgres runs this")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    get_user_model().objects.create_user(username="student", password="demo", is_demo=True)

    for module in ("config.wsgi", "config.asgi"):
        result = run_production("-c", f"import {module}", DATABASE_URL=url)
        assert result.returncode != 0, module
        assert "Demo users are present" in result.stderr, module

    check = run_production("manage.py", "check", "--deploy", DATABASE_URL=url)
    assert check.returncode != 0
    assert "qashyq.E001" in check.stdout + check.stderr
