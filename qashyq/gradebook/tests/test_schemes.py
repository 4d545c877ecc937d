"""Grading schemes: the national default from the data migration, versions, a version in use is
frozen, validation, who may manage them."""

import datetime
from decimal import Decimal as D

import pytest

from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry
from qashyq.gradebook import computation, selectors, services
from qashyq.gradebook.models import GradingScheme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

START = datetime.date(2027, 9, 1)


def test_default_scheme_is_the_national_one():
    scheme = GradingScheme.objects.get(is_default=True)
    assert scheme.version == 1
    assert (scheme.admission_weight, scheme.exam_weight) == (D("0.6"), D("0.4"))
    assert (scheme.admission_threshold, scheme.exam_minimum) == (D(50), D(50))
    assert scheme.rounding == "whole" and scheme.fx_in_gpa and scheme.fx_points == D("0.5")
    assert scheme.rules().scale == computation.NATIONAL_SCALE
    assert selectors.default_scheme() == scheme


def test_a_version_in_use_is_frozen_and_a_new_version_takes_over(world):
    v1 = GradingScheme.objects.get(is_default=True)
    services.journal_for(world.offering)
    with pytest.raises(Conflict) as exc:
        services.scheme_update(actor=world.registrar, scheme=v1, exam_minimum=40)
    assert exc.value.code == "scheme_in_use"
    v1.refresh_from_db()
    assert v1.exam_minimum == D(50)

    v2 = services.scheme_version_create(
        actor=world.registrar, base=v1, valid_from=START, admission_weight="0.5", exam_weight="0.5"
    )
    v1.refresh_from_db()
    assert (v2.version, v2.name, v2.is_default, v1.is_default) == (2, v1.name, True, False)
    assert v2.exam_minimum == D(50) and v2.admission_weight == D("0.5")
    # the old journal keeps v1; a new journal is graded under v2
    assert world.offering.journal.scheme == v1
    assert services.journal_for(world.other_offering).scheme == v2
    assert AuditLogEntry.objects.filter(action="gradebook.scheme_version_created").count() == 1


def test_journal_graded_under_its_own_version(world):
    services.marks_set(
        actor=world.tutor,
        offering=world.offering,
        student=world.student,
        values={"tk1": 100, "rk1": 100, "tk2": 100, "rk2": 100, "exam": 50},
    )
    v1 = GradingScheme.objects.get(is_default=True)
    services.scheme_version_create(
        actor=world.registrar, base=v1, valid_from=START, admission_weight="0.2", exam_weight="0.8"
    )
    # 0.6 x 100 + 0.4 x 50 = 80 under v1 (not 0.2 x 100 + 0.8 x 50 = 60 under v2)
    assert selectors.journal_row(world.offering, world.student.pk).result.final_percent == D(80)


def test_an_unused_scheme_may_change(world):
    scheme = services.scheme_create(actor=world.registrar, name="Medical", valid_from=START)
    assert scheme.version == 1 and not scheme.is_default
    services.scheme_update(actor=world.admin, scheme=scheme, admission_threshold=60)
    scheme.refresh_from_db()
    assert scheme.admission_threshold == D(60)
    with pytest.raises(Conflict):
        services.scheme_create(actor=world.registrar, name="Medical", valid_from=START)


@pytest.mark.parametrize(
    "changes",
    [
        {"admission_weight": "0.7"},  # 0.7 + 0.4 != 1
        {"admission_threshold": 101},
        {"fx_points": 5},
        {"fx_points": "abc"},
        {"first_half_weeks": 15},
        {"scale": [{"letter": "A", "points": 4, "min": 50, "max": 100}]},
        {"scale": "nonsense"},
        {"fx_points": "0.7"},  # the FX row of the scale says 0.5
        {"colour": "red"},
    ],
)
def test_bad_schemes_are_refused(world, changes):
    with pytest.raises(ValidationFailed):
        services.scheme_create(actor=world.registrar, name="Bad", valid_from=START, **changes)
    assert not GradingScheme.objects.filter(name="Bad").exists()


@pytest.mark.parametrize("who", ["tutor", "methodologist", "student", "faculty_registrar"])
def test_only_registrar_and_admin_manage_schemes(world, who):
    v1 = GradingScheme.objects.get(is_default=True)
    with pytest.raises(PermissionDenied):
        services.scheme_create(actor=getattr(world, who), name="X", valid_from=START)
    with pytest.raises(PermissionDenied):
        services.scheme_version_create(actor=getattr(world, who), base=v1, valid_from=START)
    assert GradingScheme.objects.count() == 1


def test_data_migration_is_reversible(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("qashyq.gradebook.migrations.0002_default_grading_scheme")
    migration.remove_default(apps, None)
    assert not GradingScheme.objects.exists()
    migration.create_default(apps, None)
    migration.create_default(apps, None)  # safe to run twice
    scheme = GradingScheme.objects.get()
    assert scheme.is_default and scheme.rules().scale == computation.NATIONAL_SCALE
    # going back leaves a version that a journal uses in place (PROTECT)
    services.journal_for(world.offering)
    migration.remove_default(apps, None)
    assert GradingScheme.objects.filter(pk=scheme.pk).exists()
