"""``seed_admission(ctx)`` after the accounts and academics demo: 14 applications in various
states, one registered and applied order admitting 10 students, one draft order; a second run
changes nothing."""

import datetime
import io
import random

import pypdf
import pytest

from qashyq.academics import demo as academics_demo
from qashyq.academics.models import StudentProfile
from qashyq.accounts import demo as accounts_demo
from qashyq.portal.management.commands.seed_demo import DemoContext
from qashyq.registrar.demo_admission import seed_admission
from qashyq.registrar.models import AdmissionApplication, ApplicationDocument, RectorOrder
from qashyq.registrar.order_pdf import order_pdf

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(AdmissionApplication.objects.order_by("pk").values_list("pk", "status")),
        list(RectorOrder.objects.order_by("pk").values_list("pk", "status", "number")),
        ApplicationDocument.objects.count(),
        list(StudentProfile.objects.exclude(distance_ground="").values_list("pk", flat=True)),
    )


def test_seed_admission(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ctx = DemoContext(
        rng=random.Random(20261129),  # noqa: S311 - demo data
        today=datetime.date(2026, 10, 1),
        log=lambda _line: None,
    )
    ctx.objects["users"] = {}
    accounts_demo.seed(ctx)
    academics_demo.seed(ctx)
    grounds_before = StudentProfile.objects.exclude(distance_ground="").count()
    seed_admission(ctx)

    applications = AdmissionApplication.objects.all()
    assert applications.count() == 14
    statuses = sorted(applications.values_list("status", flat=True))
    assert statuses.count("ordered") == 10
    assert {"approved", "submitted", "rejected", "draft"} <= set(statuses)
    assert len(set(applications.values_list("ground", flat=True))) == 4
    order = RectorOrder.objects.get(status="registered")
    assert order.number == "2026-ДОТ-01" and order.applied_at is not None
    assert order.lines.count() == 10
    assert RectorOrder.objects.filter(status="draft").count() == 1
    assert StudentProfile.objects.exclude(distance_ground="").count() == grounds_before + 10
    paid = applications.filter(funding="paid", status="ordered")
    assert all(a.contract_number for a in paid)
    text = " ".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(order_pdf(order, language="kk"))).pages
    )
    assert "БҰЙРЫҚ" in text and "қашықтықтан" in text

    before = _state()
    seed_admission(ctx)
    assert _state() == before
