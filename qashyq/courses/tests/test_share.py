from decimal import Decimal

import pytest

from qashyq.courses import selectors
from qashyq.courses.models import PlanClass
from qashyq.courses.tests.factories import EumkVersionFactory


def plan(version, *rows):
    for week, (mode, hours) in enumerate(rows, start=1):
        PlanClass.objects.create(
            version=version, week=week, topic="t", hours=Decimal(hours), mode=mode
        )
    return selectors.version_with_contents(version.pk)


@pytest.mark.parametrize(
    ("rows", "share", "kind"),
    [
        ((("online_sync", "4"), ("in_person", "1")), Decimal("0.8"), "distance"),  # exactly 80 %
        ((("online_async", "79"), ("in_person", "21")), Decimal("0.79"), "blended"),
        ((("online_sync", "3"), ("in_person", "7")), Decimal("0.3"), "blended"),  # exactly 30 %
        ((("online_async", "29"), ("in_person", "71")), Decimal("0.29"), "onsite"),
        ((("online_async", "2"), ("online_sync", "2")), Decimal("1"), "distance"),
        ((("in_person", "2"),), Decimal("0"), "onsite"),
    ],
)
def test_share_and_classification_at_the_boundaries(db, rows, share, kind):
    version = plan(EumkVersionFactory(), *rows)
    assert selectors.online_share(version) == share
    assert selectors.classify_share(selectors.online_share(version)) == kind


def test_zero_hours_has_no_share_and_no_class(db):
    version = plan(EumkVersionFactory())
    assert selectors.online_share(version) is None
    assert selectors.classify_share(None) is None
    version = plan(EumkVersionFactory(), ("online_sync", "0"))
    assert selectors.online_share(version) is None


def test_conflict_with_the_programs_declared_format(world):
    offering = selectors.offering_for_materials(world.offering.pk)
    # the group's program is declared distance
    assert selectors.conflicting_programs("distance", offering) == []
    assert [p.pk for p in selectors.conflicting_programs("blended", offering)] == [
        world.group.program_id
    ]
    assert selectors.conflicting_programs(None, offering) == []
