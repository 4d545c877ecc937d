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


# --- real file contents (the uploads are sniffed, docs/subsystems/files.md) ----------------------


def _box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def mp4_bytes(body: bytes = bytes(range(256)) * 4) -> bytes:
    """A minimal ISO MP4 (ftyp, moov, mdat) whose mdat carries ``body``."""
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isommp41")
    return ftyp + _box(b"moov", _box(b"mvhd", b"\x00" * 100)) + _box(b"mdat", body)


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nСәлем\n".encode()
SRT = (
    "1\r\n00:00:01,000 --> 00:00:02,500\r\nСәлем, әлем\r\n\r\n"
    "2\r\n00:00:03,000 --> 00:00:04,000\r\nҚош\r\n"
).encode()
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 50
