"""Issue 4 gaps, item 4: question files uploaded for an import preview do not stay forever (a
periodic job deletes those older than a day; confirming or cancelling deletes the file at once),
and an upload is imported once even without a shared cache (a database guard)."""

from __future__ import annotations

import datetime
import os
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qashyq.academics.tests.factories import CourseOfferingFactory, DisciplineFactory
from qashyq.accounts.tests.factories import UserFactory
from qashyq.assessments import formats, imports, periodic
from qashyq.assessments.models import Question, QuestionBank
from qashyq.assessments.views_bank import PENDING_KEY
from qashyq.core.errors import Conflict
from qashyq.core.models import AuditLogEntry
from qashyq.core.periodic import installed_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SAMPLES = Path(formats.__file__).resolve().parent / "samples"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def media(settings, tmp_path):
    """A media folder of this test's own, so counting files is exact."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def no_shared_cache(settings):
    """Every process has its own cache (here: none at all), as on a site without Redis."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def world(db):
    discipline = DisciplineFactory()
    tutor = UserFactory()
    CourseOfferingFactory(discipline=discipline, tutors=[tutor])
    bank = QuestionBank.objects.create(title="Импорт банкі", discipline=discipline)

    class W:
        pass

    w = W()
    w.tutor, w.bank = tutor, bank
    return w


def pending_files(media) -> list[Path]:
    folder = Path(media) / imports.PENDING_FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def upload_for_preview(client, world, name="platonus_kk.txt") -> str:
    data = (SAMPLES / name).read_bytes()
    response = client.post(
        reverse("assessments:bank_import", args=[world.bank.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="text/plain")},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


# --- the sweep ------------------------------------------------------------------------------------


def test_the_sweep_deletes_unconfirmed_uploads_older_than_a_day(client, world, media):
    client.force_login(world.tutor)
    stale_url = upload_for_preview(client, world)
    fresh_url = upload_for_preview(client, world)
    stale, fresh = pending_files(media)
    # which file belongs to which preview: the session knows
    entries = client.session[PENDING_KEY]
    by_token = {token: Path(media) / e["stored"] for token, e in entries.items()}
    stale = by_token[stale_url.rstrip("/").rsplit("/", 1)[1]]
    fresh = by_token[fresh_url.rstrip("/").rsplit("/", 1)[1]]
    age(stale, 25)
    age(fresh, 23)

    assert imports.pending_uploads_sweep() == 1
    assert not stale.exists() and fresh.exists()
    assert imports.pending_uploads_sweep() == 0  # safe to run twice

    # the stale preview now says to upload again; the fresh one still imports
    gone = client.get(stale_url)
    assert gone.status_code == 404
    assert "Upload the file again." in gone.content.decode()
    assert client.post(stale_url).status_code == 404
    assert Question.objects.count() == 0
    assert client.get(fresh_url).status_code == 200


def test_the_sweep_keeps_other_folders_and_copes_with_no_folder(media):
    assert imports.pending_uploads_sweep() == 0  # nothing uploaded yet: no folder at all
    default_storage.save("attempt-files/old.txt", ContentFile(b"x"))
    old = Path(media) / "attempt-files" / "old.txt"
    age(old, 24 * 30)
    default_storage.save(f"{imports.PENDING_FOLDER}/a.txt", ContentFile(b"x"))
    age(Path(media) / imports.PENDING_FOLDER / "a.txt", 48)
    assert imports.pending_uploads_sweep() == 1
    assert old.exists()
    later = timezone.now() + datetime.timedelta(days=2)
    default_storage.save(f"{imports.PENDING_FOLDER}/b.txt", ContentFile(b"x"))
    assert imports.pending_uploads_sweep(now=later) == 1  # the age is measured from ``now``


def test_the_sweep_is_a_periodic_job():
    names = {job.name: job for job in installed_jobs()}
    job = names["delete unconfirmed question imports"]
    assert job in periodic.JOBS
    assert job.run is imports.pending_uploads_sweep
    assert job.every_seconds <= 3600


# --- confirm and cancel delete the file -----------------------------------------------------------


def test_confirm_deletes_the_uploaded_file(client, world, media):
    client.force_login(world.tutor)
    preview = upload_for_preview(client, world)
    assert len(pending_files(media)) == 1
    done = client.post(preview)
    assert done.status_code == 302
    assert Question.objects.filter(bank=world.bank).exists()
    assert pending_files(media) == []


def test_cancel_deletes_the_uploaded_file(client, world, media):
    client.force_login(world.tutor)
    preview = upload_for_preview(client, world)
    token = preview.rstrip("/").rsplit("/", 1)[1]
    client.post(reverse("assessments:bank_import_cancel", args=[world.bank.pk, token]))
    assert pending_files(media) == []
    assert Question.objects.count() == 0


# --- imported once, without a shared cache --------------------------------------------------------


def test_a_second_confirm_that_still_finds_the_file_imports_nothing(
    client, world, media, no_shared_cache
):
    """Two confirmations racing: the second read the session and the file before the first
    removed them. Without a shared cache only the database can stop it."""
    client.force_login(world.tutor)
    preview = upload_for_preview(client, world)
    token = preview.rstrip("/").rsplit("/", 1)[1]
    entry = client.session[PENDING_KEY][token]
    content = default_storage.open(entry["stored"], "rb").read()

    assert client.post(preview).status_code == 302
    created = Question.objects.count()
    assert created > 0
    # put back what the first confirmation removed, as the second request still saw it
    default_storage.save(entry["stored"], ContentFile(content))
    session = client.session
    session[PENDING_KEY] = {token: entry}
    session.save()

    again = client.post(preview, follow=True)
    assert again.status_code == 200
    assert "This upload has already been imported." in again.content.decode()
    assert Question.objects.count() == created
    assert AuditLogEntry.objects.filter(action=imports.AUDIT_ACTION).count() == 1
    assert pending_files(media) == []  # and the leftover file is gone too


def test_the_import_service_refuses_a_token_it_has_written(world):
    result = formats.parse((SAMPLES / "platonus_kk.txt").read_bytes(), format="platonus")
    first = imports.questions_import(
        actor=world.tutor, bank=world.bank, result=result, upload_token="abc123"
    )
    assert first.written and first.created > 0
    entry = AuditLogEntry.objects.get(action=imports.AUDIT_ACTION)
    assert entry.new_value["token"] == "abc123"
    with pytest.raises(Conflict) as refused:
        imports.questions_import(
            actor=world.tutor, bank=world.bank, result=result, upload_token="abc123"
        )
    assert refused.value.code == "already_imported"
    assert Question.objects.count() == first.created
    # another upload of the same file is another import; a token of another bank is no guard
    imports.questions_import(
        actor=world.tutor, bank=world.bank, result=result, upload_token="def456"
    )
    assert Question.objects.count() == 2 * first.created
    other = QuestionBank.objects.create(title="Басқа", discipline=world.bank.discipline)
    imports.questions_import(actor=world.tutor, bank=other, result=result, upload_token="abc123")
    assert Question.objects.filter(bank=other).count() == first.created
