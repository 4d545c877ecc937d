"""Seed the exam storm's database (run by bench/exam_storm.py in a child process, with the
server's settings and DATABASE_URL): migrate, then build through the services a course offering
with N students in groups of 25, a question bank of Q questions (single choice, multiple choice,
true/false and short answer, in Kazakh) and a published exam of K questions drawn at random per
student, 90 minutes, unlimited attempts (so one seeded database serves several runs), and one API
token per student. Writes ``{"test": id, "tokens": [...]}`` as JSON to the given file.

The people and the course come from the test factories (factory_boy), the bank, the exam and the
tokens from the services. Passwords are hashed with MD5 here: nobody logs in with them, and the
production hasher would take minutes for 1,000 students.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, required=True)
    parser.add_argument("--questions", type=int, default=120)
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.monotonic() - started:.1f} s", flush=True)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from django.utils import timezone

    from qashyq.academics.tests.factories import (
        CourseOfferingFactory,
        DepartmentFactory,
        DisciplineFactory,
        StudentProfileFactory,
        StudyGroupFactory,
    )
    from qashyq.accounts import services as account_services
    from qashyq.accounts.tests.factories import UserFactory
    from qashyq.assessments import services as bank_services
    from qashyq.assessments.services import tests_admin

    started = time.monotonic()
    department = DepartmentFactory()
    discipline = DisciplineFactory(department=department)
    groups = []
    students = []
    for index in range(args.students):
        if index % 25 == 0:
            groups.append(StudyGroupFactory())
        students.append(StudentProfileFactory(group=groups[-1]).user)
    tutor = UserFactory()
    offering = CourseOfferingFactory(discipline=discipline, groups=groups, tutors=[tutor])
    print(f"{len(students)} students in {len(groups)} groups: {time.monotonic() - started:.1f} s")

    bank = bank_services.bank_create(actor=tutor, title="Емтихан қоры", discipline=discipline)
    category = bank_services.category_ensure_path(actor=tutor, bank=bank, path=("Емтихан",))
    for i in range(args.questions):
        kind = ("single", "multiple", "truefalse", "short")[i % 4]
        if kind == "single":
            data = {
                "options": [
                    {"id": letter, "text": f"Жауап {letter} ({i})", "fraction": fraction}
                    for letter, fraction in zip("abcd", (1.0, 0.0, 0.0, 0.0), strict=True)
                ]
            }
        elif kind == "multiple":
            data = {
                "options": [
                    {"id": letter, "text": f"Нұсқа {letter} ({i})", "fraction": fraction}
                    for letter, fraction in zip("abcd", (0.5, 0.5, -0.5, -0.5), strict=True)
                ]
            }
        elif kind == "truefalse":
            data = {"correct": i % 8 == 2}
        else:
            data = {"answers": [{"text": f"жауап{i}", "fraction": 1.0}]}
        bank_services.question_create(
            actor=tutor,
            bank=bank,
            category=category,
            qtype=kind,
            text=f"Сұрақ {i + 1}: қазақ тіліндегі сұрақтың мәтіні",
            data=data,
        )
    now = timezone.now()
    test = tests_admin.test_create(
        actor=tutor,
        offering=offering,
        title="Емтихан (exam storm)",
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=30),
        time_limit=90,
        attempts_allowed=0,
    )
    tests_admin.section_add(actor=tutor, test=test, category=category, count=args.count)
    tests_admin.test_publish(actor=tutor, test=test)

    started = time.monotonic()
    tokens = [
        account_services.api_token_create(actor=student, owner=student, name="exam storm")[1]
        for student in students
    ]
    print(f"{len(tokens)} API tokens: {time.monotonic() - started:.1f} s")
    Path(args.out).write_text(json.dumps({"test": test.pk, "tokens": tokens}))


if __name__ == "__main__":
    main()
