"""Nothing leaks: the raw JSON the exam page receives (start, resume, read, save, next, and the
review while the options forbid it) never holds a right answer, a fraction, feedback, an
accepted answer, a tolerance, grader information, the correct order, or — in a sequential test —
a question not reached yet. Every key in the bank carries a SECRET marker (attempt_world), and
the scan looks at the raw bytes and at the decoded text."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client

from qashyq.assessments.models import Attempt, QuestionVersion

from .attempt_world import API, QTYPES, WRONG, World, save, slot_of, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FORBIDDEN_TEXT = [
    "SECRET",  # every feedback, general feedback, grader info, the short answer's key
    "31415",  # the numerical key
    "0.7771",  # its tolerance
    "1997",  # the cloze gap's numerical key
]
FORBIDDEN_KEYS = [
    "fraction",
    "feedback",
    "feedback_true",
    "feedback_false",
    "general_feedback",
    "correct",
    "answers",
    "answer",
    "tolerance",
    "grader_info",
    "pairs",
    "distractors",
    "case_sensitive",
    "score",
]


def keys_of(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_of(item)


# random or clock values that could contain a forbidden number by chance ("…:05.777Z")
NOISE = ("offline_key", "server_time", "saved_at", "started_at", "deadline", "finished_at")


def assert_no_leak(response, *, also=()):
    raw = response.content
    for name in NOISE:
        value = json.loads(raw).get(name)
        if isinstance(value, str) and value:
            raw = raw.replace(json.dumps(value).encode(), b'""')
    text = json.dumps(json.loads(raw), ensure_ascii=False)
    for secret in [*FORBIDDEN_TEXT, *also]:
        assert secret.encode() not in raw, secret
        assert secret not in text, secret
    keys = set(keys_of(json.loads(raw)))
    assert not keys & set(FORBIDDEN_KEYS), keys & set(FORBIDDEN_KEYS)


@pytest.fixture
def world(db):
    return World()


def test_start_read_save_and_review_during_never_carry_a_key(world):
    test = world.test(
        review_during_score=True,
        review_during_right_answers=True,
        review_during_feedback=True,
    )
    client = Client()
    started = start(client, world.student, test)
    assert started.status_code == 201
    assert_no_leak(started)
    doc = started.json()
    assert {s["qtype"] for s in doc["slots"]} == set(QTYPES)
    ordering = slot_of(doc, "ordering")
    assert [i["id"] for i in ordering["items"]] != ["o1", "o2", "o3", "o4"]
    for qtype in QTYPES:
        saved = save(client, doc["id"], slot_of(doc, qtype)["slot"], WRONG[qtype], 1)
        assert saved.status_code == 200
        assert_no_leak(saved)
    assert_no_leak(client.get(f"{API}/attempts/{doc['id']}"))
    assert_no_leak(start(client, world.student, test))
    # even when the tutor ticked "right answers" and "feedback" for "during the attempt", they
    # wait until it is finished (the student could otherwise change the answer)
    assert_no_leak(client.get(f"{API}/attempts/{doc['id']}/review"))


def test_review_shows_only_what_the_options_allow_at_this_moment(world):
    test = world.test()  # defaults: right after: score and responses, no answers or feedback
    client = Client()
    doc = start(client, world.student, test).json()
    for qtype in QTYPES:
        save(client, doc["id"], slot_of(doc, qtype)["slot"], WRONG[qtype], 1)
    client.post(f"{API}/attempts/{doc['id']}/submit")
    review = client.get(f"{API}/attempts/{doc['id']}/review")
    body = review.json()
    assert body["moment"] == "immediately" and body["score"] == 0
    raw = review.content
    for secret in FORBIDDEN_TEXT:
        assert secret.encode() not in raw
    assert all("correct" not in s and "feedback" not in s for s in body["slots"])
    assert all("response" in s and "score" in s for s in body["slots"])

    # the positive control: once the options allow them, the same scan finds the keys
    test.review_immediately_right_answers = True
    test.review_immediately_feedback = True
    test.save()
    body = client.get(f"{API}/attempts/{doc['id']}/review").json()
    assert slot_of(body, "short")["correct"] == "SECRETANSWERastana"
    assert slot_of(body, "single")["correct"] == "a"
    assert slot_of(body, "ordering")["correct"] == ["o1", "o2", "o3", "o4"]
    assert "SECRET-FB-single-b" in slot_of(body, "single")["feedback"]  # the chosen option's
    assert "SECRET-FB-single-a" not in slot_of(body, "single")["feedback"]
    assert "SECRET-GENERAL-essay" in slot_of(body, "essay")["feedback"]
    assert "SECRET-GRADER-INFO" not in json.dumps(body, ensure_ascii=False)

    # nothing at all later, when every option of "later while open" is off
    for item in ("score", "responses", "right_answers", "feedback"):
        setattr(test, f"review_later_{item}", False)
    test.save()
    Attempt.objects.filter(pk=doc["id"]).update(
        finished_at=Attempt.objects.get(pk=doc["id"]).finished_at - datetime.timedelta(minutes=5)
    )
    later = client.get(f"{API}/attempts/{doc['id']}/review")
    assert later.json()["moment"] == "later"
    assert_no_leak(later)
    assert all("response" not in s for s in later.json()["slots"])


def test_a_sequential_test_never_sends_questions_not_reached(world):
    test = world.test(navigation="sequential", shuffle_questions=False)
    client = Client()
    started = start(client, world.student, test)
    doc = started.json()
    attempt = Attempt.objects.get(pk=doc["id"])
    versions = {
        s.number: s.question_version for s in attempt.slots.select_related("question_version")
    }

    def unreached_texts(current):
        texts = []
        for number, version in versions.items():
            if number > current:
                texts.append(version.text.split("{{")[0])
                # option texts as rendered (a word may be part of an earlier question's text)
                texts += [f"<p>{o['text']}</p>" for o in version.data.get("options", [])]
                texts += [f"<p>{i['text']}</p>" for i in version.data.get("items", [])]
                texts += [f"<p>{p['prompt']}</p>" for p in version.data.get("pairs", [])]
        return texts

    assert_no_leak(started, also=unreached_texts(1))
    for current in range(2, len(versions)):
        moved = client.post(f"{API}/attempts/{doc['id']}/next")
        assert moved.json()["current_slot"] == current
        assert_no_leak(moved, also=unreached_texts(current))
        assert_no_leak(client.get(f"{API}/attempts/{doc['id']}"), also=unreached_texts(current))
        assert_no_leak(
            client.get(f"{API}/attempts/{doc['id']}/review"), also=unreached_texts(current)
        )
    assert QuestionVersion.objects.count() >= len(versions)
