"""config.env: the one reader of the environment, and its DATABASE_URL parsing."""

import pytest

from config import env
from config.settings.base import database_for_process


def test_sqlite_url_with_absolute_path():
    db = env.database_from_url("sqlite:////srv/qashyq/db.sqlite3")

    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/srv/qashyq/db.sqlite3"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_sqlite_url_with_relative_path():
    assert env.database_from_url("sqlite:///var/qashyq.sqlite3")["NAME"] == "var/qashyq.sqlite3"


def test_postgres_url_gives_every_part():
    db = env.database_from_url(
        "postgres://qashyq:p%40ss%2Fword@db.example.kz:6432/qashyq_prod?sslmode=require",
        conn_max_age=60,
    )

    assert db == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "qashyq_prod",
        "USER": "qashyq",
        "PASSWORD": "p@ss/word",
        "HOST": "db.example.kz",
        "PORT": "6432",
        "CONN_MAX_AGE": 60,
        "OPTIONS": {"sslmode": "require"},
    }


def test_postgresql_scheme_without_password_or_port():
    db = env.database_from_url("postgresql://postgres@127.0.0.1/qashyq")

    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "postgres",
        "",
        "127.0.0.1",
        "",
        "qashyq",
    )


def test_unsupported_scheme_is_refused():
    with pytest.raises(ValueError, match="mysql"):
        env.database_from_url("mysql://root@localhost/qashyq")


def test_asgi_process_uses_the_pool_and_no_persistent_connections():
    pg = env.database_from_url("postgres://postgres@127.0.0.1/qashyq", conn_max_age=60)

    asgi = database_for_process(pg, asgi=True)
    wsgi = database_for_process(pg, asgi=False)

    assert asgi["CONN_MAX_AGE"] == 0 and asgi["OPTIONS"]["pool"] is True
    assert wsgi["CONN_MAX_AGE"] == 60 and "pool" not in wsgi["OPTIONS"]
    assert wsgi["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in pg["OPTIONS"], "the parsed entry itself is left alone"


def test_sqlite_under_asgi_has_no_pool_option():
    db = database_for_process(env.database_from_url("sqlite:////tmp/x.sqlite3"), asgi=True)

    assert db["CONN_MAX_AGE"] == 0 and "pool" not in db["OPTIONS"]


def test_typed_getters_treat_empty_as_unset(monkeypatch):
    monkeypatch.setenv("QASHYQ_T_BOOL", "Yes")
    monkeypatch.setenv("QASHYQ_T_INT", "42")
    monkeypatch.setenv("QASHYQ_T_LIST", " a.kz, b.kz ,,")
    monkeypatch.setenv("QASHYQ_T_EMPTY", "")

    assert env.get_bool("QASHYQ_T_BOOL") is True
    assert env.get_bool("QASHYQ_T_EMPTY", True) is True
    assert env.get_int("QASHYQ_T_INT", 0) == 42
    assert env.get_list("QASHYQ_T_LIST") == ["a.kz", "b.kz"]
    assert env.get("QASHYQ_T_EMPTY", "default") == "default"
    assert env.get("QASHYQ_T_UNSET_FOR_SURE") is None


def test_child_environ_adds_to_this_process_environment(monkeypatch):
    monkeypatch.setenv("QASHYQ_T_PARENT", "1")

    child = env.child_environ(ASGI_PROCESS="1")

    assert child["QASHYQ_T_PARENT"] == "1" and child["ASGI_PROCESS"] == "1"
