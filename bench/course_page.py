"""Course materials page speed: an approved EUMK of 16 weeks x 10 materials, one student.

Run: .venv/bin/python bench/course_page.py [--renders 50] [--weeks 16] [--per-week 10]

Builds, in a throw-away in-memory SQLite database (the test settings; media in a temporary
folder), a course offering for a group of 25 students and an approved EUMK: every mandatory
component, a calendar-thematic plan, one topic a week and ``--per-week`` materials in each
(Markdown texts, links, a video with captions, a file, an image, an audio recording; the last two
weeks released later, each week's last material opening after its first one is done, a few
materials marked done by the measured student). Then renders that student's materials page
``/courses/<pk>/materials/`` with Django's test Client ``--renders`` times after two warm-up
renders and prints the median and p95 render time (wall clock, and the median CPU time of this
process, which other processes on a shared machine disturb less), the number of SQL queries of
one render and the page's size. The tutor's view of the same page (every material, the table of
the students' progress) is measured the same way.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.pop("DATABASE_URL", None)  # always the throw-away SQLite database

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

LOREM = (
    "## {title}\n\nДәрістің негізгі ұғымдары: **көркем бейне**, стиль, жанр. "
    "Мысалдар мен [қосымша оқу](https://kk.wikipedia.org/wiki/Өнертану).\n\n"
    "- бірінші сұрақ\n- екінші сұрақ\n- үшінші сұрақ\n\n" + "Мәтін жалғасы. " * 40
)
KINDS = ("text", "text", "text", "text", "link", "link", "video", "file", "image", "audio")


def build(weeks: int, per_week: int):
    """The course: (offering, student, tutor, number of materials)."""
    from qashyq.academics.tests.factories import (
        CourseOfferingFactory,
        StudentProfileFactory,
        StudyGroupFactory,
    )
    from qashyq.accounts.tests.factories import UserFactory, user_with_role
    from qashyq.courses import progress, services
    from qashyq.courses.models import Eumk, EumkVersion, Material, PlanClass, Topic
    from qashyq.courses.tests.factories import fill_complete

    group = StudyGroupFactory()
    student = StudentProfileFactory(group=group).user
    for _ in range(24):  # classmates, for the tutor's progress table
        StudentProfileFactory(group=group)
    tutor = UserFactory()
    offering = CourseOfferingFactory(groups=[group], tutors=[tutor])
    eumk = Eumk.objects.create(discipline=offering.discipline)
    version = fill_complete(EumkVersion.objects.create(eumk=eumk, number=1, author=tutor))
    PlanClass.objects.bulk_create(
        PlanClass(version=version, week=w, topic=f"Апта {w}", hours=Decimal(2), mode="online_async")
        for w in range(1, weeks + 1)
    )
    topics = Topic.objects.bulk_create(
        Topic(version=version, week=w, title=f"{w}-апта: өнер тарихының тақырыбы", position=0)
        for w in range(1, weeks + 1)
    )
    later = timezone.localdate() + datetime.timedelta(days=30)
    materials = []
    for topic in topics:
        for n in range(per_week):
            kind = KINDS[n % len(KINDS)]
            title = f"{topic.week}.{n + 1} материал ({kind})"
            materials.append(
                Material(
                    topic=topic,
                    kind=kind,
                    title=title,
                    body=LOREM.format(title=title) if kind == "text" else "",
                    url="https://www.metmuseum.org/toah/" if kind == "link" else "",
                    file={
                        "video": "eumk/materials/2026/lecture.webm",
                        "file": "eumk/materials/2026/handout.pdf",
                        "image": "eumk/materials/2026/picture.png",
                        "audio": "eumk/materials/2026/talk.ogg",
                    }.get(kind, ""),
                    captions="eumk/captions/2026/lecture.vtt" if kind == "video" else "",
                    printable=kind == "text",
                    release_on=later if topic.week > weeks - 2 else None,
                    position=n,
                )
            )
    materials = Material.objects.bulk_create(materials)
    # Every week's last material opens after the week's first one is done.
    for start in range(0, len(materials), per_week):
        week = materials[start : start + per_week]
        if len(week) > 1:
            week[-1].requires = week[0]
    Material.objects.bulk_update(materials, ["requires"])
    methodologist = user_with_role(
        "methodologist", "faculty", offering.discipline.department.faculty_id
    )
    services.eumk_version_submit(actor=tutor, version=version)
    services.eumk_version_approve(actor=methodologist, version=version)
    open_now = [m for m in materials if m.release_on is None and m.requires_id is None]
    for material in open_now[: len(open_now) // 4 : 2]:
        progress.material_mark_complete(actor=student, material=material)
    return offering, student, tutor, len(materials)


def measure(client: Client, url: str, renders: int) -> tuple[list[float], list[float], int, int]:
    for _ in range(2):  # warm-up: template loading, translations, first queries
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    count = len(queries)  # now: the next request clears the connection's query log
    size = len(response.content)
    times, cpu = [], []
    for _ in range(renders):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, response.status_code
    return times, cpu, count, size


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--weeks", type=int, default=16)
    parser.add_argument("--per-week", type=int, default=10)
    args = parser.parse_args()

    setup_test_environment()
    settings.QASHYQ_ENFORCE_STAFF_MFA = False  # the tutor's view without TOTP
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            offering, student, tutor, count = build(args.weeks, args.per_week)
            setup_s = time.perf_counter() - started
            url = reverse("courses:materials", args=[offering.pk])
            print(
                f"course page {url}: {args.weeks} weeks x {args.per_week} materials = {count}; "
                f"Python {platform.python_version()}, Django {django.get_version()}, "
                f"{connection.vendor}, {os.cpu_count()} cores, load average "
                f"{os.getloadavg()[0]:.1f}; set-up {setup_s:.1f} s"
            )
            for label, user in (("student", student), ("tutor", tutor)):
                client = Client()
                client.force_login(user)
                times, cpu, queries, size = measure(client, url, args.renders)
                median_ms = statistics.median(times) * 1000
                print(
                    f"{label:8} {args.renders} renders: median {median_ms:.1f} ms, "
                    f"p95 {p95(times) * 1000:.1f} ms, min {min(times) * 1000:.1f} ms "
                    f"(CPU time: median {statistics.median(cpu) * 1000:.1f} ms); "
                    f"{queries} queries; {size / 1024:.0f} KB of HTML"
                )
        finally:
            connection.creation.destroy_test_db(":memory:", verbosity=0)


if __name__ == "__main__":
    main()
