import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of one test never reach another test or the developer's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english(settings):
    """Make English the fallback language, for tests that assert the English source strings.

    Kazakh stays the default everywhere else; the catalogues are checked on their own in
    qashyq/core/tests/test_translations.py.
    """
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_question_versions():
    """A rolled-back test lets the next one reuse its ids: the process's cache of question
    versions (qashyq/assessments/version_cache.py) must not carry one test's versions into
    another."""
    from qashyq.assessments import version_cache

    version_cache.clear()
    yield
    version_cache.clear()
