"""Files in answers (docs/subsystems/attempts.md, "Upload a file"): a student uploads a drawing
or a recording into a file question or an essay, the answer references it by id, the owner and
the course's staff download it; refused uploads store nothing, late ones are logged, and an
answer cannot name a file of another attempt or question."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from qashyq.assessments import files as attempt_files
from qashyq.assessments.models import (
    Answer,
    AnswerEvent,
    AnswerOutcome,
    Attempt,
    AttemptFile,
    AttemptState,
)

from .attempt_world import API, World, save, slot_of, start, token_headers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
PDF = b"%PDF-1.7\n" + b"0" * 2000 + b"\n%%EOF\n"


@pytest.fixture
def world(db):
    return World()


def upload(client, attempt_id, slot, name="сурет.png", content=PNG, **extra):
    return client.post(
        f"{API}/attempts/{attempt_id}/slots/{slot}/files",
        data={"file": SimpleUploadedFile(name, content)},
        **extra,
    )


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def begin(world, student=None, **test_fields):
    client = Client()
    doc = start(client, student or world.student, world.test(**test_fields)).json()
    return client, doc


def test_an_image_uploaded_attached_and_back_in_the_document_then_downloaded(world):
    client, doc = begin(world)
    slot = slot_of(doc, "file")
    assert slot["files"] == [] and slot["accept"] == ["image"]
    r = upload(client, doc["id"], slot["slot"])
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "сурет.png" and body["size"] == len(PNG) and body["kind"] == "png"
    record = AttemptFile.objects.get(pk=body["id"])
    assert record.sha256 and record.mime_type == "image/png" and len(stored_files()) == 1
    assert save(client, doc["id"], slot["slot"], {"files": [body["id"]]}, 1).status_code == 200

    again = client.get(f"{API}/attempts/{doc['id']}").json()
    shown = slot_of(again, "file")
    assert shown["response"] == {"files": [body["id"]]}
    assert [(f["id"], f["name"], f["size"]) for f in shown["files"]] == [
        (body["id"], "сурет.png", len(PNG))
    ]
    got = client.get(body["url"])
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert b"".join(got.streaming_content) == PNG
    part = client.get(body["url"], HTTP_RANGE="bytes=0-7")
    assert part.status_code == 206 and b"".join(part.streaming_content) == PNG[:8]
    [entry] = attempt_files.attempt_files(Attempt.objects.get(pk=doc["id"]))
    assert entry.attached and entry.slot == slot["slot"] and entry.name == "сурет.png"


def test_a_file_of_the_wrong_kind_is_refused_and_nothing_is_stored(world):
    client, doc = begin(world)
    slot = slot_of(doc, "file")["slot"]
    r = upload(client, doc["id"], slot, name="drawing.pdf", content=PDF)  # asks for an image
    assert r.status_code == 400 and r.json()["code"] == "file_kind_not_allowed"
    r = upload(client, doc["id"], slot, name="drawing.png", content=PDF)  # a renamed PDF
    assert r.status_code == 400 and r.json()["code"] == "file_kind_not_allowed"
    r = upload(client, doc["id"], slot, name="run.exe", content=PNG)
    assert r.status_code == 400 and r.json()["code"] == "file_forbidden"
    assert not AttemptFile.objects.exists() and stored_files() == []


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(world, settings):
    settings.QASHYQ_ATTEMPT_FILE_MAX_MB = 1
    client, doc = begin(world)
    big = PNG + b"\0" * (1024 * 1024)
    r = upload(client, doc["id"], slot_of(doc, "file")["slot"], content=big)
    assert r.status_code == 400 and r.json()["code"] == "file_too_large"
    assert not AttemptFile.objects.exists() and stored_files() == []


def test_max_files_counts_the_files_the_answer_references(world):
    client, doc = begin(world)
    slot = slot_of(doc, "file")["slot"]  # max_files 1
    first = upload(client, doc["id"], slot).json()["id"]
    assert save(client, doc["id"], slot, {"files": [first]}, 1).status_code == 200
    r = upload(client, doc["id"], slot, name="екінші.png")
    assert r.status_code == 400 and r.json()["code"] == "too_many_files"
    assert AttemptFile.objects.count() == 1 and len(stored_files()) == 1
    # removing the file from the answer makes room; the removed file is kept for staff
    assert save(client, doc["id"], slot, {"files": []}, 2).status_code == 200
    second = upload(client, doc["id"], slot, name="екінші.png")
    assert second.status_code == 201
    # an answer naming two files is refused too: the question takes one
    two = {"files": [first, second.json()["id"]]}
    r = save(client, doc["id"], slot, two, 3)
    assert r.status_code == 400 and r.json()["code"] == "invalid_response"
    listed = attempt_files.attempt_files(doc["id"])
    assert [(e.name, e.attached) for e in listed] == [("сурет.png", False), ("екінші.png", False)]


def test_essay_attachments_take_documents_and_objective_questions_take_no_file(world):
    client, doc = begin(world)
    essay = slot_of(doc, "essay")["slot"]
    r = upload(client, doc["id"], essay, name="эссе.pdf", content=PDF)
    assert r.status_code == 201 and r.json()["kind"] == "pdf"
    response = {"text": "Абай", "files": [r.json()["id"]]}
    assert save(client, doc["id"], essay, response, 1).status_code == 200
    r = upload(client, doc["id"], slot_of(doc, "single")["slot"])
    assert r.status_code == 400 and r.json()["code"] == "files_not_allowed"
    assert AttemptFile.objects.count() == 1


def test_only_the_owner_uploads_and_another_attempt_is_404(world):
    client, doc = begin(world)
    slot = slot_of(doc, "file")["slot"]
    other = Client()
    other.force_login(world.students[1])
    assert upload(other, doc["id"], slot).status_code == 404
    tutor = Client()
    assert upload(tutor, doc["id"], slot, headers=token_headers(world.tutor)).status_code == 404
    assert upload(client, doc["id"], 999).status_code == 404
    assert upload(Client(), doc["id"], slot).status_code == 401
    assert not AttemptFile.objects.exists() and stored_files() == []


def test_after_the_deadline_an_upload_is_refused_logged_and_the_attempt_finished(world):
    client, doc = begin(world)
    Attempt.objects.filter(pk=doc["id"]).update(
        deadline=timezone.now() - datetime.timedelta(minutes=5)
    )
    r = upload(client, doc["id"], slot_of(doc, "file")["slot"])
    assert r.status_code == 409 and r.json()["code"] == "attempt_finished"
    event = AnswerEvent.objects.get(attempt_id=doc["id"])
    assert event.outcome == AnswerOutcome.REFUSED_LATE and event.detail["source"] == "upload"
    assert Attempt.objects.get(pk=doc["id"]).state == AttemptState.FINISHED
    assert not AttemptFile.objects.exists() and stored_files() == []


def test_a_finished_attempt_takes_no_file(world):
    client, doc = begin(world)
    assert client.post(f"{API}/attempts/{doc['id']}/submit").status_code == 200
    r = upload(client, doc["id"], slot_of(doc, "file")["slot"])
    assert r.status_code == 409 and r.json()["code"] == "attempt_finished"
    assert stored_files() == []


def test_downloads_are_for_the_owner_and_the_course_staff(world):
    client, doc = begin(world)
    file_id = upload(client, doc["id"], slot_of(doc, "file")["slot"]).json()["id"]
    url = f"{API}/attempts/{doc['id']}/files/{file_id}"
    assert client.get(url).status_code == 200
    assert Client().get(url, headers=token_headers(world.tutor)).status_code == 200
    assert Client().get(url, headers=token_headers(world.methodologist)).status_code == 200
    other = Client()
    other.force_login(world.students[1])
    assert other.get(url).status_code == 404
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(url).status_code == 404
    # the id of this file under another attempt's address is no file at all
    other_doc = start(other, world.students[1], Attempt.objects.get(pk=doc["id"]).test).json()
    assert other.get(f"{API}/attempts/{other_doc['id']}/files/{file_id}").status_code == 404
    # a file lost from the storage is a clear 404, not a server error
    for path in stored_files():
        path.unlink()
    missing = client.get(url)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_an_answer_naming_a_foreign_file_is_refused_and_changes_nothing(world):
    client, doc = begin(world)
    test = Attempt.objects.get(pk=doc["id"]).test
    file_slot, essay_slot = slot_of(doc, "file")["slot"], slot_of(doc, "essay")["slot"]
    mine = upload(client, doc["id"], file_slot).json()["id"]
    assert save(client, doc["id"], file_slot, {"files": [mine]}, 1).status_code == 200
    essay_file = upload(client, doc["id"], essay_slot, name="a.pdf", content=PDF).json()["id"]
    other = Client()
    other_doc = start(other, world.students[1], test).json()
    theirs = upload(other, other_doc["id"], slot_of(other_doc, "file")["slot"]).json()["id"]

    for files in ([theirs], [essay_file], [mine, mine], [123456], ["1"]):
        r = save(client, doc["id"], file_slot, {"files": files}, 2)
        assert r.status_code == 400 and r.json()["code"] == "invalid_response", files
    answer = Answer.objects.get(slot__attempt_id=doc["id"], slot__number=file_slot)
    assert answer.response == {"files": [mine]} and answer.seq == 1
    # the other student cannot claim this student's file either
    r = save(other, other_doc["id"], slot_of(other_doc, "file")["slot"], {"files": [mine]}, 1)
    assert r.status_code == 400
    assert AnswerEvent.objects.filter(outcome=AnswerOutcome.INVALID).count() == 6


def test_the_review_lists_the_files_when_responses_are_shown(world):
    client, doc = begin(world)
    slot = slot_of(doc, "file")["slot"]
    file_id = upload(client, doc["id"], slot).json()["id"]
    save(client, doc["id"], slot, {"files": [file_id]}, 1)
    client.post(f"{API}/attempts/{doc['id']}/submit")
    staff = Client().get(f"{API}/attempts/{doc['id']}/review", headers=token_headers(world.tutor))
    assert [f["id"] for f in slot_of(staff.json(), "file")["files"]] == [file_id]
    # nothing is deleted when the attempt ends
    assert len(stored_files()) == 1
