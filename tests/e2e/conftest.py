"""Browser-test infrastructure: Playwright for Python driving Debian's Chromium package.

- Chromium comes from the system (`apt-get install chromium`), never from `playwright install`.
  When it is missing the browser tests are skipped, except under CI=true, where they fail.
- Every test in tests/e2e is marked `e2e` (`make e2e` runs only these).
- `page` is a fresh browser context per test (no cookies shared), default locale kk, opened on
  pytest-django's `live_server` (a real HTTP server in a thread of the test process).
- `live_server` implies `transactional_db`: the server thread needs committed data, on
  PostgreSQL as on SQLite, so every browser test sees only what it (or a session fixture, below)
  committed, and the tables are flushed after each test.

Demo data once per session: the e2e author adds a fixture here, e.g.

    @pytest.fixture(scope="session")
    def django_db_setup(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            call_command("seed_demo")

and marks the tests `@pytest.mark.django_db(transaction=True, serialized_rollback=True)` so the
flush after each test restores the demo academy instead of leaving empty tables.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from config import env

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000
HERE = Path(__file__).resolve().parent


def _is_e2e(item) -> bool:
    return HERE in Path(item.path).resolve().parents


def pytest_itemcollected(item):
    """Mark every test under tests/e2e as `e2e` (so `-m e2e` selects them)."""
    if _is_e2e(item):
        item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run the browser tests last, after pytest-django's own ordering.

    Playwright's sync API keeps an asyncio loop running in the main thread from the first browser
    test to the end of the session; a unit test after it would find itself "in an async context"
    (`async_to_sync` refuses, the ORM needs DJANGO_ALLOW_ASYNC_UNSAFE). Last in the list, they are
    also last on every pytest-xdist worker, which takes tests in list order.
    """
    items.sort(key=_is_e2e)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def _playwright():
    path = chromium_path()
    if path is None:
        message = "Chromium is missing: apt-get install chromium (the browser tests need it)"
        if env.get_bool("CI"):
            pytest.fail(message + "; under CI=true browser tests fail instead of skipping.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in the main thread from start()
    # to stop(), so Django's async-safety guard would refuse every ORM call of this process in
    # the meantime, including those of unit tests that pytest-xdist hands to the same worker
    # afterwards. Allow it for exactly that window.
    patch = pytest.MonkeyPatch()
    patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    try:
        yield playwright, path
    finally:
        playwright.stop()
        patch.undo()


@pytest.fixture(scope="session")
def browser(_playwright):
    playwright, path = _playwright
    browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def browser_context_args() -> dict:
    """Override in a test module (or parametrize) to change the locale, viewport, permissions."""
    return {"locale": "kk-KZ", "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def context(browser, browser_context_args, live_server):
    """A fresh browser context per test whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, **browser_context_args)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A fresh page: `page.goto("/")` opens the live server's home page, in Kazakh by default."""
    page = context.new_page()
    yield page
    page.close()


# --- the demo academy ---------------------------------------------------------------------------
#
# `manage.py seed_demo` takes 3-6 s, too long to repeat for every browser test, and every
# browser test is transactional (live_server), so the tables are flushed after each one.
# Django's serialized_rollback would restore the academy through the JSON deserializer, row by
# row (~3,400 rows, seconds per test). Instead, once per test process (each pytest-xdist worker
# has its own database), `demo_snapshot` runs seed_demo inside a transaction, keeps the rows in
# memory as model instances and rolls the transaction back, so the database stays empty for the
# unit tests that run after it in the same process. `demo_academy` bulk-inserts the rows again
# before each test that asks for it (a fraction of a second); the usual flush removes them after.
# Works the same on SQLite (in-memory, shared with the live server) and on PostgreSQL.

DEMO_PASSWORD = "demo"


def _snapshot_models():
    from django.apps import apps

    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker):
    """The demo academy's rows (model, instances), seeded once per process and rolled back."""
    import io

    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        snapshot = [
            (model, list(model._base_manager.order_by("pk"))) for model in _snapshot_models()
        ]
        transaction.set_rollback(True)
    ContentType.objects.clear_cache()
    return [(model, rows) for model, rows in snapshot if rows]


def restore_snapshot(snapshot) -> None:
    """Replace the rows of the snapshot's tables by the snapshot (the flush after the previous
    test left only what post_migrate recreates: content types and permissions)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connection, transaction

    with transaction.atomic():
        # Foreign keys are deferred to the commit on SQLite and PostgreSQL, so order is free.
        with connection.cursor() as cursor:
            for model, _rows in snapshot:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        for model, rows in snapshot:
            model._base_manager.bulk_create(rows, batch_size=500)
        # PostgreSQL: rows inserted with their ids leave the sequences behind; move them on.
        statements = connection.ops.sequence_reset_sql(no_style(), [m for m, _r in snapshot])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
    ContentType.objects.clear_cache()


@pytest.fixture
def demo_academy(demo_snapshot, transactional_db, live_server):
    """The demo academy of `manage.py seed_demo`, committed, for this one browser test."""
    restore_snapshot(demo_snapshot)


@pytest.fixture
def no_staff_mfa(settings):
    """Staff may reach their dashboards without setting up TOTP (the server runs in-process)."""
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


def _gettext(message: str, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(message)


@pytest.fixture
def log_in(demo_academy):
    """`log_in(page, username, password="demo", language="kk")`: sign in through the real form.

    Returns nothing; the caller asserts where the browser landed (the dashboard, or TOTP).
    """

    def log_in(page, login: str, password: str = DEMO_PASSWORD, language: str = "kk") -> None:
        page.goto("/accounts/login/")
        page.get_by_label(_gettext("Username or e-mail", language)).fill(login)
        page.get_by_label(_gettext("Password", language), exact=True).fill(password)
        page.get_by_role("button", name=_gettext("Log in", language), exact=True).click()

    return log_in


@pytest.fixture
def log_out():
    """`log_out(page, language="kk")`: open the user menu in the header and press "Log out"."""

    def log_out(page, language: str = "kk") -> None:
        page.locator(".user-menu summary").click()
        page.get_by_role("button", name=_gettext("Log out", language), exact=True).click()
        page.wait_for_url(re.compile(r"^https?://[^/]+/$"))  # allauth sends them home

    return log_out


@pytest.fixture
def new_browser_page(browser, browser_context_args, live_server):
    """`new_browser_page()`: a page in another fresh context, as if from another browser (no
    cookies shared with `page`); closed after the test."""
    contexts = []

    def new_browser_page():
        context = browser.new_context(base_url=live_server.url, **browser_context_args)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield new_browser_page
    for context in contexts:
        context.close()
