"""The attempt API as the exam page uses it (docs/subsystems/attempts.md): start and resume from
another device, saves with sequence numbers, the deadline and its grace, refusals with their
codes, submit, sequential navigation, and who may read or write an attempt."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from qashyq.assessments.models import (
    Answer,
    AnswerEvent,
    AnswerOutcome,
    Attempt,
    AttemptState,
    FinishedBy,
)
from qashyq.assessments.services import tests_admin

from .attempt_world import API, KEY, QTYPES, World, save, slot_of, start, token_headers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world(db):
    return World()


def answers_of(attempt_id):
    return {
        a.slot.number: (a.response, a.seq)
        for a in Answer.objects.filter(slot__attempt_id=attempt_id).select_related("slot")
    }


def test_start_then_resume_from_another_device_returns_the_same_attempt_with_its_answers(world):
    test = world.test()
    laptop, phone = Client(), Client()
    first = start(laptop, world.student, test)
    assert first.status_code == 201
    doc = first.json()
    assert doc["state"] == "in_progress" and len(doc["slots"]) == len(QTYPES)
    assert doc["server_time"].endswith("Z") and doc["deadline"].endswith("Z")
    single = slot_of(doc, "single")
    assert save(laptop, doc["id"], single["slot"], "b", 1).status_code == 200
    assert save(laptop, doc["id"], single["slot"], "a", 2).status_code == 200

    again = start(phone, world.student, test)
    assert again.status_code == 200
    resumed = again.json()
    assert resumed["id"] == doc["id"] and resumed["offline_key"] == doc["offline_key"]
    same = slot_of(resumed, "single")
    assert same["slot"] == single["slot"] and same["response"] == "a" and same["seq"] == 2
    # the same questions in the same order with the same option order
    strip = [{k: v for k, v in s.items() if k not in ("response", "seq")} for s in doc["slots"]]
    assert [
        {k: v for k, v in s.items() if k not in ("response", "seq")} for s in resumed["slots"]
    ] == strip
    read = phone.get(f"{API}/attempts/{doc['id']}").json()
    assert slot_of(read, "single")["response"] == "a"
    assert Attempt.objects.filter(student=world.student).count() == 1


def test_a_replayed_or_out_of_order_save_changes_nothing(world):
    test = world.test()
    client = Client()
    doc = start(client, world.student, test).json()
    slot = slot_of(doc, "short")["slot"]
    assert save(client, doc["id"], slot, "бірінші", 1).json()["seq"] == 1
    third = save(client, doc["id"], slot, "үшінші", 3)
    assert third.status_code == 200 and third.json()["seq"] == 3
    # seq 2 arrives late (out of order), seq 3 is replayed with other content
    late = save(client, doc["id"], slot, "екінші", 2)
    replay = save(client, doc["id"], slot, "басқа", 3)
    for response in (late, replay):
        assert response.status_code == 200
        assert response.json()["seq"] == 3
    assert answers_of(doc["id"])[slot] == ("үшінші", 3)
    assert AnswerEvent.objects.filter(outcome=AnswerOutcome.STALE).count() == 2


def test_save_after_the_deadline_is_refused_logged_and_the_attempt_finished(world):
    test = world.test(time_limit=30)
    client = Client()
    doc = start(client, world.student, test).json()
    slot = slot_of(doc, "single")["slot"]
    assert save(client, doc["id"], slot, "b", 1).status_code == 200
    Attempt.objects.filter(pk=doc["id"]).update(
        deadline=timezone.now() - datetime.timedelta(seconds=31)
    )
    refused = save(client, doc["id"], slot, "a", 2)
    assert refused.status_code == 409 and refused.json()["code"] == "attempt_finished"
    assert answers_of(doc["id"])[slot] == ("b", 1)
    event = AnswerEvent.objects.get(attempt_id=doc["id"])
    assert event.outcome == AnswerOutcome.REFUSED_LATE and event.seq == 2
    attempt = Attempt.objects.get(pk=doc["id"])
    assert attempt.state == AttemptState.FINISHED and attempt.finished_by == FinishedBy.DEADLINE
    # and after that, every write is refused as finished
    again = save(client, doc["id"], slot, "a", 3)
    assert again.status_code == 409 and again.json()["code"] == "attempt_finished"
    assert AnswerEvent.objects.filter(outcome=AnswerOutcome.REFUSED_FINISHED).count() == 1


def test_a_save_in_flight_within_the_grace_is_taken(world, settings):
    settings.QASHYQ_ATTEMPT_GRACE_SECONDS = 30
    test = world.test(time_limit=30)
    client = Client()
    doc = start(client, world.student, test).json()
    slot = slot_of(doc, "single")["slot"]
    Attempt.objects.filter(pk=doc["id"]).update(
        deadline=timezone.now() - datetime.timedelta(seconds=20)
    )
    assert save(client, doc["id"], slot, "a", 1).status_code == 200
    assert answers_of(doc["id"])[slot] == ("a", 1)
    # reading it within the grace does not finish it either
    assert client.get(f"{API}/attempts/{doc['id']}").json()["state"] == "in_progress"
    settings.QASHYQ_ATTEMPT_GRACE_SECONDS = 5
    assert save(client, doc["id"], slot, "b", 2).status_code == 409
    assert answers_of(doc["id"])[slot] == ("a", 1)


def test_reading_an_overdue_attempt_finishes_and_scores_it(world):
    test = world.test(time_limit=30)
    client = Client()
    doc = start(client, world.student, test).json()
    save(client, doc["id"], slot_of(doc, "single")["slot"], "a", 1)
    Attempt.objects.filter(pk=doc["id"]).update(
        deadline=timezone.now() - datetime.timedelta(minutes=5)
    )
    read = client.get(f"{API}/attempts/{doc['id']}").json()
    assert read["state"] == "finished"
    attempt = Attempt.objects.get(pk=doc["id"])
    assert attempt.finished_by == FinishedBy.DEADLINE and attempt.score == 1


def test_invalid_response_shape_is_refused_with_400_and_changes_nothing(world):
    test = world.test()
    client = Client()
    doc = start(client, world.student, test).json()
    bad = {
        "single": ["a"],
        "multiple": "a",
        "truefalse": "true",
        "short": 12,
        "numerical": True,
        "matching": ["Адай"],
        "ordering": {"o1": 1},
        "cloze": "1997",
        "essay": "текст",
        "file": {"files": "x"},
    }
    for qtype, response in bad.items():
        r = save(client, doc["id"], slot_of(doc, qtype)["slot"], response, 1)
        assert r.status_code == 400, qtype
        assert r.json()["code"] == "invalid_response"
    assert all(seq == 0 for _r, seq in answers_of(doc["id"]).values())
    assert AnswerEvent.objects.filter(outcome=AnswerOutcome.INVALID).count() == len(bad)
    # a bad seq never reaches the service
    r = client.put(
        f"{API}/attempts/{doc['id']}/answers/1",
        data={"response": None, "seq": 0},
        content_type="application/json",
    )
    assert r.status_code == 422


def test_every_type_accepts_its_key_and_null_clears(world):
    test = world.test()
    client = Client()
    doc = start(client, world.student, test).json()
    for qtype in QTYPES:
        assert (
            save(client, doc["id"], slot_of(doc, qtype)["slot"], KEY[qtype], 1).status_code == 200
        )
    slot = slot_of(doc, "single")["slot"]
    assert save(client, doc["id"], slot, None, 2).status_code == 200
    assert answers_of(doc["id"])[slot] == (None, 2)


def test_submit_is_idempotent_and_a_finished_attempt_is_read_only(world):
    test = world.test()
    client = Client()
    doc = start(client, world.student, test).json()
    slot = slot_of(doc, "single")["slot"]
    save(client, doc["id"], slot, "a", 1)
    first = client.post(f"{API}/attempts/{doc['id']}/submit")
    second = client.post(f"{API}/attempts/{doc['id']}/submit")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["state"] == "finished" and first.json()["review_url"]
    attempt = Attempt.objects.get(pk=doc["id"])
    assert attempt.finished_by == FinishedBy.STUDENT and attempt.score == 1
    r = save(client, doc["id"], slot, "b", 2)
    assert r.status_code == 409 and r.json()["code"] == "attempt_finished"
    assert answers_of(doc["id"])[slot] == ("a", 1)
    assert Attempt.objects.get(pk=doc["id"]).score == 1


def test_nobody_but_the_owner_writes_and_outsiders_do_not_see_the_attempt(world):
    test = world.test()
    owner = Client()
    doc = start(owner, world.student, test).json()
    slot = slot_of(doc, "single")["slot"]
    save(owner, doc["id"], slot, "a", 1)
    classmate = Client()
    classmate.force_login(world.students[1])
    for method, path, body in [
        ("get", f"/attempts/{doc['id']}", None),
        ("put", f"/attempts/{doc['id']}/answers/{slot}", {"response": "b", "seq": 5}),
        ("post", f"/attempts/{doc['id']}/submit", None),
        ("post", f"/attempts/{doc['id']}/next", None),
        ("get", f"/attempts/{doc['id']}/review", None),
    ]:
        kwargs = {"data": body, "content_type": "application/json"} if body else {}
        r = getattr(classmate, method)(API + path, **kwargs)
        assert r.status_code == 404, path
    # the tutor reads it but cannot answer in it
    tutor = Client(headers=token_headers(world.tutor))
    read = tutor.get(f"{API}/attempts/{doc['id']}")
    assert read.status_code == 200 and "offline_key" not in read.json()
    r = save(tutor, doc["id"], slot, "b", 9)
    assert r.status_code == 404
    assert answers_of(doc["id"])[slot] == ("a", 1)
    assert Attempt.objects.get(pk=doc["id"]).state == AttemptState.IN_PROGRESS
    # the faculty's methodologist reads it too, read-only
    overseer = Client(headers=token_headers(world.methodologist))
    assert overseer.get(f"{API}/attempts/{doc['id']}").status_code == 200
    assert save(overseer, doc["id"], slot, "b", 9).status_code == 404
    assert overseer.post(f"{API}/attempts/{doc['id']}/submit").status_code == 404
    # the tutor may finish it for the student (who left the room)
    assert tutor.post(f"{API}/attempts/{doc['id']}/submit").status_code == 200
    assert Attempt.objects.get(pk=doc["id"]).finished_by == FinishedBy.STAFF
    anonymous = Client()
    assert anonymous.get(f"{API}/attempts/{doc['id']}").status_code == 401


def test_refusals_to_start_carry_the_contract_codes(world):
    client = Client()
    closed = world.test(
        opens_at=timezone.now() + datetime.timedelta(hours=1),
        closes_at=timezone.now() + datetime.timedelta(hours=2),
    )
    r = start(client, world.student, closed)
    assert r.status_code == 403 and r.json()["code"] == "test_closed"
    over = world.test(
        opens_at=timezone.now() - datetime.timedelta(hours=2),
        closes_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert start(client, world.student, over).json()["code"] == "test_closed"
    test = world.test()
    r = start(client, world.outsider, test)
    assert r.status_code == 403 and r.json()["code"] == "not_enrolled"
    draft = world.test()
    tests_admin.test_publish(actor=world.tutor, test=draft, published=False)
    assert start(client, world.student, draft).status_code == 404
    assert not Attempt.objects.exists()


def test_password_is_asked_to_start_but_not_to_resume(world):
    test = world.test(password="Домбыра-7")
    client = Client()
    r = start(client, world.student, test)
    assert r.status_code == 403 and r.json()["code"] == "wrong_password"
    r = start(client, world.student, test, password="домбыра-7")
    assert r.json()["code"] == "wrong_password"
    assert not Attempt.objects.exists()
    bad = client.post(
        f"{API}/tests/{test.pk}/attempts", data={"password": 7}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bad_request"
    assert start(client, world.student, test, password="Домбыра-7").status_code == 201
    # resuming needs no password, and no body at all
    assert client.post(f"{API}/tests/{test.pk}/attempts").status_code == 200


def test_allowed_ip_ranges(world):
    test = world.test(allowed_ip_ranges="10.20.0.0/16\n# the library\n192.168.5.7")
    client = Client()
    r = start(client, world.student, test, REMOTE_ADDR="172.16.0.9")
    assert r.status_code == 403 and r.json()["code"] == "ip_not_allowed"
    assert start(client, world.student, test, REMOTE_ADDR="10.20.33.4").status_code == 201
    # resuming from outside the room is refused too
    r = start(client, world.student, test, REMOTE_ADDR="172.16.0.9")
    assert r.status_code == 403 and r.json()["code"] == "ip_not_allowed"
    assert Attempt.objects.get().ip == "10.20.33.4"


def test_attempts_allowed(world):
    test = world.test(attempts_allowed=2)
    client = Client()
    for number in (1, 2):
        doc = start(client, world.student, test).json()
        assert doc["number"] == number
        client.post(f"{API}/attempts/{doc['id']}/submit")
    r = start(client, world.student, test)
    assert r.status_code == 403 and r.json()["code"] == "no_attempts_left"
    assert Attempt.objects.filter(student=world.student).count() == 2


def test_sequential_navigation_shows_only_reached_slots_and_has_no_way_back(world):
    test = world.test(navigation="sequential")
    client = Client()
    doc = start(client, world.student, test).json()
    assert doc["current_slot"] == 1 and [s["slot"] for s in doc["slots"]] == [1]
    assert doc["slot_count"] == len(QTYPES)
    # a slot not reached yet does not exist for the client
    assert save(client, doc["id"], 2, None, 1).status_code == 404
    assert save(client, doc["id"], 1, None, 1).status_code == 200
    moved = client.post(f"{API}/attempts/{doc['id']}/next").json()
    assert moved["current_slot"] == 2 and [s["slot"] for s in moved["slots"]] == [1, 2]
    back = save(client, doc["id"], 1, None, 2)
    assert back.status_code == 409 and back.json()["code"] == "slot_locked"
    for _ in range(len(QTYPES) - 2):
        assert client.post(f"{API}/attempts/{doc['id']}/next").status_code == 200
    last = client.post(f"{API}/attempts/{doc['id']}/next")
    assert last.status_code == 409 and last.json()["code"] == "last_slot"
    free = world.test()
    other = start(client, world.student, free).json()
    r = client.post(f"{API}/attempts/{other['id']}/next")
    assert r.status_code == 400 and r.json()["code"] == "not_sequential"


def test_the_deadline_is_the_earlier_of_the_time_limit_and_the_close(world):
    closes = timezone.now() + datetime.timedelta(minutes=10)
    test = world.test(time_limit=40, closes_at=closes)
    doc = start(Client(), world.student, test).json()
    deadline = datetime.datetime.fromisoformat(doc["deadline"])
    assert abs((deadline - closes).total_seconds()) < 1
    long = world.test(time_limit=40)
    doc = start(Client(), world.students[1], long).json()
    deadline = datetime.datetime.fromisoformat(doc["deadline"])
    started = datetime.datetime.fromisoformat(doc["started_at"])
    assert abs((deadline - started).total_seconds() - 40 * 60) < 2


def test_saving_is_a_handful_of_queries(world, django_assert_max_num_queries):
    test = world.test()
    client = Client()
    doc = start(client, world.student, test).json()
    slot = slot_of(doc, "single")["slot"]
    save(client, doc["id"], slot, "a", 1)
    # session, user, roles, the locked slot with its attempt (loaded once), the update
    # (+ savepoint and release on SQLite)
    with django_assert_max_num_queries(7):
        assert save(client, doc["id"], slot, "b", 2).status_code == 200
    assert answers_of(doc["id"])[slot] == ("b", 2)
    # the one load still tells a missing question from a missing attempt
    no_question = save(client, doc["id"], 999, "b", 3)
    no_attempt = save(client, doc["id"] + 1000, slot, "b", 3)
    assert no_question.status_code == no_attempt.status_code == 404
    assert no_question.json()["message"] != no_attempt.json()["message"]
    assert answers_of(doc["id"])[slot] == ("b", 2)
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/attempts/{doc['id']}").status_code == 200


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = set(client.get(API + "/openapi.json").json()["paths"])
    assert {
        "/api/v1/tests/{test_id}/attempts",
        "/api/v1/attempts/{attempt_id}",
        "/api/v1/attempts/{attempt_id}/answers/{slot}",
        "/api/v1/attempts/{attempt_id}/next",
        "/api/v1/attempts/{attempt_id}/submit",
        "/api/v1/attempts/{attempt_id}/review",
        "/api/v1/attempts/{attempt_id}/offline-answers",
    } <= paths
