"""Saves under real concurrency (PostgreSQL: SQLite serialises every writer anyway): two saves
of one slot at the same moment keep the newer ``seq``, and a save racing the submit is either
counted in the score or refused — never acknowledged and then lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from qashyq.assessments import scoring
from qashyq.assessments.models import Answer, Attempt, AttemptState
from qashyq.assessments.services import attempts as svc
from qashyq.core.errors import Conflict

from .attempt_world import World

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor == "sqlite", reason="row locks need PostgreSQL"),
]


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        from django.db import connection as conn

        barrier.wait()
        try:
            results[i] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = ("error", exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_simultaneous_saves_of_one_slot_keep_the_newer_seq():
    world = World()
    test = world.test(questions=[world.questions["short"]])
    attempt, _ = svc.attempt_start_or_resume(actor=world.student, test=test)
    for round_ in range(10):
        older, newer = 2 * round_ + 1, 2 * round_ + 2
        results = run_together(
            lambda s=older: svc.answer_save(
                actor=world.student, attempt=attempt, slot=1, response=f"v{s}", seq=s
            ),
            lambda s=newer: svc.answer_save(
                actor=world.student, attempt=attempt, slot=1, response=f"v{s}", seq=s
            ),
        )
        assert all(kind == "ok" for kind, _r in results), results
        stored = Answer.objects.get(slot__attempt=attempt)
        assert (stored.response, stored.seq) == (f"v{newer}", newer)
        assert results[1][1].seq == newer  # the newer save is always acknowledged as itself


def test_a_save_racing_the_submit_is_counted_or_refused_never_lost():
    world = World()
    test = world.test(
        questions=[world.questions["single"], world.questions["truefalse"]],
        shuffle_questions=False,
    )
    for round_ in range(6):
        student = world.students[round_ % 3]
        Attempt.objects.filter(student=student).delete()
        attempt, _ = svc.attempt_start_or_resume(actor=student, test=test)
        results = run_together(
            lambda a=attempt, s=student: svc.answer_save(
                actor=s, attempt=a, slot=1, response="a", seq=1
            ),
            lambda a=attempt, s=student: svc.answer_save(
                actor=s, attempt=a, slot=2, response=True, seq=1
            ),
            lambda a=attempt, s=student: svc.attempt_submit(actor=s, attempt=a),
        )
        finished = Attempt.objects.get(pk=attempt.pk)
        assert finished.state == AttemptState.FINISHED
        expected = 0
        for kind, value in results[:2]:
            assert kind == "ok" or isinstance(value, Conflict), value
        for answer in Answer.objects.filter(slot__attempt=attempt).select_related(
            "slot__question_version"
        ):
            version = answer.slot.question_version
            fraction = scoring.score(version.qtype, version.data, answer.response)
            assert answer.fraction == fraction  # scored with what is stored
            expected += fraction
        acknowledged = sum(1 for kind, _v in results[:2] if kind == "ok")
        assert finished.score == expected == acknowledged


def test_two_devices_starting_at_the_same_moment_get_one_attempt():
    world = World()
    test = world.test()
    for student in world.students:
        results = run_together(
            *[lambda s=student: svc.attempt_start_or_resume(actor=s, test=test) for _ in range(3)]
        )
        assert all(kind == "ok" for kind, _v in results), results
        ids = {value[0].pk for _kind, value in results}
        assert len(ids) == 1
        assert sum(1 for _kind, value in results if value[1]) == 1  # one of them created it
        assert Attempt.objects.filter(student=student, test=test).count() == 1
