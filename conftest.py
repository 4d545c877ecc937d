import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files of one test never reach another test or the developer's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
