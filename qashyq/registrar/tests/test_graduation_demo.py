"""The graduation demo: events for every demo program, a few results, and nothing twice."""

import datetime
import random

import pytest
from django.utils import timezone

from qashyq.academics.models import AcademicYear
from qashyq.academics.tests.factories import (
    ProgramFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import user_with_role
from qashyq.registrar.demo_graduation import seed_graduation
from qashyq.registrar.models import FinalAttestationEvent, FinalAttestationResult

pytestmark = pytest.mark.django_db


class Ctx:
    def __init__(self, programs, actor):
        self.objects = {"programs": programs}
        self.actor = actor
        self.today = timezone.localdate()
        self.rng = random.Random(1)
        self.lines = []

    def log(self, line):
        self.lines.append(line)


def test_demo_seeds_events_and_results_once():
    today = timezone.localdate()
    AcademicYear.objects.create(
        title="2026-2027",
        starts_on=today - datetime.timedelta(days=90),
        ends_on=today + datetime.timedelta(days=270),
        is_current=True,
    )
    final = ProgramFactory(code="6B02102", duration_years=4)
    junior = ProgramFactory(code="6B02105", duration_years=4)
    group = StudyGroupFactory(program=final, year_of_study=4)
    students = [StudentProfileFactory(group=group, year_of_study=4) for _ in range(6)]
    ctx = Ctx({"6B02102": final, "6B02105": junior}, user_with_role("admin"))
    seed_graduation(ctx)
    events = FinalAttestationEvent.objects.all()
    assert events.count() == 4
    assert set(events.values_list("format", flat=True)) == {"distance", "onsite"}
    exam = events.get(program=final, kind="state_exam")
    assert exam.starts_at <= timezone.now() and exam.place.startswith("https://")
    results = FinalAttestationResult.objects.filter(event=exam)
    assert results.count() == 5
    assert sorted(results.values_list("passed", flat=True)) == [False, True, True, True, True]
    assert students[5].user_id not in set(results.values_list("student_id", flat=True))
    before = (
        list(FinalAttestationEvent.objects.values()),
        list(FinalAttestationResult.objects.values()),
    )
    seed_graduation(ctx)
    after = (
        list(FinalAttestationEvent.objects.values()),
        list(FinalAttestationResult.objects.values()),
    )
    assert after == before


def test_demo_does_nothing_without_programs():
    seed_graduation(Ctx({}, None))
    assert not FinalAttestationEvent.objects.exists()
