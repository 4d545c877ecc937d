"""The offline answers file: what the exam page encrypts with the attempt's key (AES-GCM, as
Web Crypto does it), a tutor uploads, and the server applies through the save rules."""

from __future__ import annotations

import base64
import json
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.test import Client

from qashyq.assessments.models import Answer, AnswerEvent, Attempt
from qashyq.assessments.services import attempts as svc
from qashyq.core.models import AuditLogEntry

from .attempt_world import API, World, token_headers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def encrypt(attempt, answers, *, key=None, attempt_id=None):
    key = base64.b64decode(key or attempt.offline_key)
    iv = os.urandom(12)
    plain = json.dumps(
        {"attempt": attempt_id or attempt.pk, "created": "2026-11-29T06:30:00Z", "answers": answers}
    ).encode()
    return {
        "attempt": attempt.pk,
        "created": "2026-11-29T06:30:00Z",
        "ciphertext": base64.b64encode(AESGCM(key).encrypt(iv, plain, None)).decode(),
        "iv": base64.b64encode(iv).decode(),
    }


def test_a_tutor_uploads_the_file_and_the_finished_attempt_is_scored_again():
    world = World()
    test = world.test(
        questions=[world.questions["single"], world.questions["truefalse"]],
        shuffle_questions=False,
    )
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test)
    svc.answer_save(actor=world.student, attempt=attempt, slot=1, response="b", seq=3)
    attempt = svc.attempt_submit(actor=world.student, attempt=attempt)  # the network never came
    assert attempt.score == 0
    document = encrypt(
        attempt,
        [
            {"slot": 1, "seq": 2, "response": "a"},  # older than the saved one: changes nothing
            {"slot": 2, "seq": 1, "response": True},
            {"slot": 9, "seq": 1, "response": True},  # no such slot: ignored
        ],
    )
    tutor = Client(headers=token_headers(world.tutor))
    student = Client()
    student.force_login(world.student)
    url = f"{API}/attempts/{attempt.pk}/offline-answers"
    assert student.post(url, document, content_type="application/json").status_code == 403
    r = tutor.post(url, document, content_type="application/json")
    assert r.status_code == 200
    assert r.json() == [
        {"slot": 1, "seq": 2, "outcome": "stale", "old_seq": 3},
        {"slot": 2, "seq": 1, "outcome": "saved", "old_seq": 0},
    ]
    attempt.refresh_from_db()
    assert attempt.score == 1
    assert Answer.objects.get(slot__attempt=attempt, slot__number=1).response == "b"
    assert AnswerEvent.objects.filter(detail__source="offline_file").count() == 2
    assert AuditLogEntry.objects.filter(action="assessments.offline_answers_applied").count() == 1
    # uploading the same file again changes nothing
    again = tutor.post(url, document, content_type="application/json").json()
    assert {a["outcome"] for a in again} == {"stale"}


def test_a_forged_or_foreign_file_is_refused_and_changes_nothing():
    world = World()
    test = world.test(questions=[world.questions["single"]])
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test)
    other, _ = svc.attempt_start_or_resume(actor=world.students[1], test=test)
    answers = [{"slot": 1, "seq": 1, "response": "a"}]
    forged = encrypt(attempt, answers, key=base64.b64encode(os.urandom(32)).decode())
    foreign = encrypt(other, answers)
    foreign["attempt"] = attempt.pk
    tampered = encrypt(attempt, answers)
    tampered["ciphertext"] = tampered["ciphertext"][:-4] + "AAA="
    tutor = Client(headers=token_headers(world.tutor))
    for document in (forged, foreign, tampered, {**forged, "iv": "не base64"}):
        r = tutor.post(
            f"{API}/attempts/{attempt.pk}/offline-answers",
            document,
            content_type="application/json",
        )
        assert r.status_code == 400 and r.json()["code"] == "offline_file_unreadable"
    assert Answer.objects.get(slot__attempt=attempt).seq == 0
    assert not AnswerEvent.objects.exists()
    assert Attempt.objects.get(pk=attempt.pk).score is None


def test_a_tutor_applies_the_file_from_the_attempt_page(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.QASHYQ_ENFORCE_STAFF_MFA = False  # the tutor's TOTP is not what this test is about
    world = World()
    test = world.test(questions=[world.questions["truefalse"]], shuffle_questions=False)
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test)
    attempt = svc.attempt_submit(actor=world.student, attempt=attempt)
    document = json.dumps(encrypt(attempt, [{"slot": 1, "seq": 1, "response": True}])).encode()
    url = reverse("assessments:attempt_offline_file", args=[attempt.pk])

    student = Client()
    student.force_login(world.student)
    refused = student.post(url, {"answers_file": SimpleUploadedFile("a.json", document)})
    assert refused.status_code == 404
    assert Answer.objects.get(slot__attempt=attempt).seq == 0

    tutor = Client()
    tutor.force_login(world.tutor)
    page = tutor.get(reverse("assessments:attempt_view", args=[attempt.pk])).content.decode()
    assert "Upload the student's offline answers file" in page
    response = tutor.post(
        url, {"answers_file": SimpleUploadedFile("answers.json", document)}, follow=True
    )
    assert "1 applied" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.score == 1

    damaged = tutor.post(url, {"answers_file": SimpleUploadedFile("a.json", b"{}")}, follow=True)
    assert damaged.status_code == 200
    assert Answer.objects.get(slot__attempt=attempt).seq == 1
