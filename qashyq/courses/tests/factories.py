from decimal import Decimal

import factory

from qashyq.academics.tests.factories import DisciplineFactory
from qashyq.courses.models import (
    MANDATORY_COMPONENTS,
    Component,
    ComponentKind,
    Eumk,
    EumkVersion,
    Material,
    PlanClass,
    Topic,
)


class EumkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Eumk

    discipline = factory.SubFactory(DisciplineFactory)


class EumkVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EumkVersion

    eumk = factory.SubFactory(EumkFactory)
    number = factory.Sequence(lambda n: n + 1)
    status = "draft"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    version = factory.SubFactory(EumkVersionFactory)
    week = 1
    title = factory.Sequence(lambda n: f"Тақырып {n}")


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    topic = factory.SubFactory(TopicFactory)
    kind = "text"
    title = factory.Sequence(lambda n: f"Дәріс {n}")
    body = "Мәтін **қалың**"


def fill_complete(version, *, hours=(("online_async", "4"), ("in_person", "1"))):
    """Give a version every mandatory component and a plan (80 % online by default)."""
    for kind in MANDATORY_COMPONENTS:
        Component.objects.create(
            version=version,
            kind=kind,
            body=f"{kind} content",
            grading_criteria="A: 95-100" if kind == ComponentKind.CONTROL else "",
        )
    for week, (mode, h) in enumerate(hours, start=1):
        PlanClass.objects.create(
            version=version, week=week, topic=f"Week {week}", hours=Decimal(h), mode=mode
        )
    return version
