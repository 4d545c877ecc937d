"""A course with a question bank holding every question type, a tutor and three students, and
helpers to build tests and call the attempt API. Every key of a question (fractions, feedback,
accepted answers, tolerances, grader information) carries a ``SECRET`` marker, so a test can scan
raw JSON for leaks."""

from __future__ import annotations

import datetime

from django.utils import timezone

from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    DepartmentFactory,
    DisciplineFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assessments import services as bank_services
from qashyq.assessments.services import tests_admin

API = "/api/v1"

# (qtype, text, data, key response, a wrong response)
QUESTIONS = [
    (
        "single",
        "Домбыраның неше ішегі бар?",
        {
            "options": [
                {"id": "a", "text": "Екі", "fraction": 1.0, "feedback": "SECRET-FB-single-a"},
                {"id": "b", "text": "Үш", "fraction": 0.0, "feedback": "SECRET-FB-single-b"},
                {"id": "c", "text": "Төрт", "fraction": 0.0, "feedback": ""},
            ]
        },
        "a",
        "b",
    ),
    (
        "multiple",
        "Ішекті аспаптарды таңдаңыз",
        {
            "options": [
                {"id": "a", "text": "Домбыра", "fraction": 0.5, "feedback": "SECRET-FB-multi"},
                {"id": "b", "text": "Қобыз", "fraction": 0.5, "feedback": ""},
                {"id": "c", "text": "Сыбызғы", "fraction": -1.0, "feedback": ""},
            ]
        },
        ["a", "b"],
        ["c"],
    ),
    (
        "truefalse",
        "Құрманғазы күйші болған.",
        {"correct": True, "feedback_true": "SECRET-FB-true", "feedback_false": "SECRET-FB-false"},
        True,
        False,
    ),
    (
        "short",
        "Қазақстанның астанасы?",
        {
            "answers": [
                {"text": "SECRETANSWERastana", "fraction": 1.0, "feedback": "SECRET-FB-short"}
            ]
        },
        "SECRETANSWERastana",
        "Алматы",
    ),
    (
        "numerical",
        "Пи санын жазыңыз",
        {
            "answers": [
                {
                    "value": 31415.9265,
                    "tolerance": 0.7771,
                    "fraction": 1.0,
                    "feedback": "SECRET-FB-num",
                }
            ]
        },
        "31415.9265",
        "2",
    ),
    (
        "matching",
        "Күйшілер мен күйлерді сәйкестендіріңіз",
        {
            "pairs": [
                {"id": "p1", "prompt": "Құрманғазы", "answer": "Адай"},
                {"id": "p2", "prompt": "Тәттімбет", "answer": "Сарыжайлау"},
                {"id": "p3", "prompt": "Дина", "answer": "Әсем қоңыр"},
            ],
            "distractors": ["Балбырауын"],
        },
        {"p1": "Адай", "p2": "Сарыжайлау", "p3": "Әсем қоңыр"},
        {"p1": "Сарыжайлау", "p2": "Адай", "p3": "Балбырауын"},
    ),
    (
        "ordering",
        "Ретімен қойыңыз",
        {
            "items": [
                {"id": "o1", "text": "Бірінші"},
                {"id": "o2", "text": "Екінші"},
                {"id": "o3", "text": "Үшінші"},
                {"id": "o4", "text": "Төртінші"},
            ]
        },
        ["o1", "o2", "o3", "o4"],
        ["o4", "o3", "o2", "o1"],
    ),
    (
        "cloze",
        "Астана {{1}} жылы, {{2}} өзенінде.",
        {
            "gaps": [
                {
                    "id": "1",
                    "kind": "numerical",
                    "mark": 1.0,
                    "answers": [
                        {"value": 1997.0, "tolerance": 0.0, "fraction": 1.0, "feedback": ""}
                    ],
                },
                {
                    "id": "2",
                    "kind": "single",
                    "mark": 1.0,
                    "options": [
                        {"id": "a", "text": "Есіл", "fraction": 1.0, "feedback": "SECRET-FB-gap"},
                        {"id": "b", "text": "Ертіс", "fraction": 0.0, "feedback": ""},
                    ],
                },
            ]
        },
        {"1": "1997", "2": "a"},
        {"1": "1850", "2": "b"},
    ),
    (
        "essay",
        "Абай туралы эссе жазыңыз",
        {"response_format": "rich", "attachments": 1, "grader_info": "SECRET-GRADER-INFO"},
        {"text": "<p>Абай — ақын.</p>", "files": []},
        None,
    ),
    (
        "file",
        "Суретіңізді жүктеңіз",
        {"accept": ["image"], "max_files": 1},
        {"files": []},
        None,
    ),
]
QTYPES = [q[0] for q in QUESTIONS]
KEY = {q[0]: q[3] for q in QUESTIONS}
WRONG = {q[0]: q[4] for q in QUESTIONS}


class World:
    """``offering`` with ``tutor`` and ``students`` (three, in ``group``), a discipline bank with
    category ``types`` (one question of each type, general feedback SECRET-GENERAL) and category
    ``pool`` (20 single-choice questions)."""

    def __init__(self):
        department = DepartmentFactory()
        self.discipline = DisciplineFactory(department=department)
        self.group = StudyGroupFactory()
        self.students = [StudentProfileFactory(group=self.group).user for _ in range(3)]
        self.student = self.students[0]
        self.tutor = UserFactory()
        self.offering = CourseOfferingFactory(
            discipline=self.discipline, groups=[self.group], tutors=[self.tutor]
        )
        self.outsider = StudentProfileFactory().user
        self.methodologist = user_with_role("methodologist", "faculty", department.faculty_id)
        self.bank = bank_services.bank_create(
            actor=self.tutor, title="Музыка тарихы", discipline=self.discipline
        )
        self.types = bank_services.category_ensure_path(
            actor=self.tutor, bank=self.bank, path=("Түрлері",)
        )
        self.pool = bank_services.category_ensure_path(
            actor=self.tutor, bank=self.bank, path=("Қор",)
        )
        self.questions = {}
        for qtype, text, data, _key, _wrong in QUESTIONS:
            self.questions[qtype] = bank_services.question_create(
                actor=self.tutor,
                bank=self.bank,
                category=self.types,
                qtype=qtype,
                text=text,
                data=data,
                general_feedback=f"SECRET-GENERAL-{qtype}",
                default_mark=2 if qtype == "cloze" else 1,
            )
        self.pool_questions = [
            bank_services.question_create(
                actor=self.tutor,
                bank=self.bank,
                category=self.pool,
                qtype="single",
                text=f"Сұрақ {i}",
                data={
                    "options": [
                        {"id": "a", "text": f"Дұрыс {i}", "fraction": 1.0},
                        {"id": "b", "text": f"Қате {i}", "fraction": 0.0},
                    ]
                },
            )
            for i in range(20)
        ]

    def test(self, *, category="types", count=None, questions=None, **fields):
        """A published test: by default every type once (fixed), free navigation, no limit."""
        now = timezone.now()
        fields.setdefault("title", "РК1")
        fields.setdefault("opens_at", now - datetime.timedelta(hours=1))
        fields.setdefault("closes_at", now + datetime.timedelta(hours=2))
        test = tests_admin.test_create(actor=self.tutor, offering=self.offering, **fields)
        if count is not None:
            tests_admin.section_add(
                actor=self.tutor,
                test=test,
                category=self.pool if category == "pool" else self.types,
                count=count,
            )
        else:
            chosen = questions or [self.questions[t] for t in QTYPES]
            tests_admin.section_add(actor=self.tutor, test=test, questions=chosen)
        tests_admin.test_publish(actor=self.tutor, test=test)
        return test


def start(client, user, test, password=None, **extra):
    client.force_login(user)
    body = {} if password is None else {"password": password}
    return client.post(
        f"{API}/tests/{test.pk}/attempts", data=body, content_type="application/json", **extra
    )


def save(client, attempt_id, slot, response, seq):
    return client.put(
        f"{API}/attempts/{attempt_id}/answers/{slot}",
        data={"response": response, "seq": seq},
        content_type="application/json",
    )


def token_headers(user) -> dict:
    """Staff call the API with a token (their browser session needs TOTP set up first)."""
    from qashyq.accounts import services as account_services

    _token, key = account_services.api_token_create(actor=user, owner=user)
    return {"Authorization": f"Bearer {key}"}


def slot_of(doc, qtype):
    return next(s for s in doc["slots"] if s["qtype"] == qtype)
