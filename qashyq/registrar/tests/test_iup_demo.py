"""``seed_iup(ctx)`` after the accounts and academics demo: study plans, limits, plans in each
state the brief asks for, and a second run changes nothing."""

import datetime
import random

import pytest

from qashyq.academics import demo as academics_demo
from qashyq.academics.models import Enrollment, ProgramPlanEntry
from qashyq.accounts import demo as accounts_demo
from qashyq.accounts.demo import STUDENT_LOGIN
from qashyq.portal.management.commands.seed_demo import DemoContext
from qashyq.registrar.demo_iup import seed_iup
from qashyq.registrar.models import CreditLimits, IndividualPlan, IndividualPlanItem, PlanStatus
from qashyq.registrar.policies import iup as policies
from qashyq.registrar.selectors import iup as selectors

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(ProgramPlanEntry.objects.order_by("pk").values_list()),
        list(CreditLimits.objects.values_list()),
        list(IndividualPlan.objects.order_by("pk").values_list("pk", "status", "decided_at")),
        list(IndividualPlanItem.objects.order_by("pk").values_list()),
        Enrollment.objects.count(),
    )


def test_seed_iup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ctx = DemoContext(
        rng=random.Random(20261129),  # noqa: S311 - demo data
        today=datetime.date(2026, 10, 1),
        log=lambda _line: None,
    )
    ctx.objects["users"] = {}
    accounts_demo.seed(ctx)
    academics_demo.seed(ctx)
    seed_iup(ctx)

    assert (
        ProgramPlanEntry.objects.filter(component="elective").exclude(elective_group="").count()
        == 5
    )
    assert CreditLimits.objects.filter(academic_year__is_current=True).exists()
    student = ctx.objects["users"][STUDENT_LOGIN]
    own = IndividualPlan.objects.get(student=student)
    assert own.status == PlanStatus.APPROVED
    assert own.decided_by.username == "programleader"
    assert own.items.filter(component="elective").count() == 1
    assert not own.items.filter(offering__isnull=True).exists()  # every discipline enrolled
    waiting = IndividualPlan.objects.filter(status=PlanStatus.SUBMITTED)
    assert waiting.count() == 3
    group_id = student.student_profile.group_id
    assert all(p.student.student_profile.group_id == group_id for p in waiting)
    leader = ctx.objects["users"]["programleader"]
    queue = selectors.approval_queue(policies.plans_filter(leader))
    assert {p.pk for p in queue} == {p.pk for p in waiting}
    approved = IndividualPlan.objects.filter(status=PlanStatus.APPROVED).count()
    assert approved > 250  # most of the 300 demo students (two are on academic leave)
    assert not IndividualPlan.objects.filter(status=PlanStatus.DRAFT).exists()

    before = _state()
    seed_iup(ctx)
    assert _state() == before
