"""Demo question banks (run by ``manage.py seed_demo`` after academics and courses).

Two banks of disciplines the demo ``tutor`` teaches, filled from the sample files kept in
``formats/samples/`` through the import service, in the tutor's name:

* IAS1104 Introduction to Art Studies (taught in Kazakh): a Kazakh bank from the Platonus file
  (UTF-8, into the category "Platonus") and the GIFT file (its own categories: music theory,
  history of Kazakhstan, ICT, with every GIFT question type);
* HKA3101 History of the Art of Kazakhstan (taught in Russian to a third-year group): a Russian
  bank from the Platonus file in Windows-1251 (category "Platonus") and the Moodle XML file.

Where the tutor does not teach the discipline (a trimmed academy), the faculty's methodologist
imports instead. Each file is imported once: the import's audit entry names the file, and a file
already imported into its bank is skipped, so a second run creates nothing. The banks are left
in ``ctx.objects["question_banks"]`` (``"kk"`` and ``"ru"``) for the demos that come later.

Then the tests of the IAS1104 offering the ``tutor`` teaches (``seed_tests``):

* **RK1** (midterm 1), held in the semester's 8th week (or, early in a semester, ten days ago),
  now closed: 10 random questions of the Platonus category, 3 of the history of Kazakhstan
  (true/false, short answer, cloze) and the essay on «Сарыарқа»; 30 minutes, one attempt, the
  score during the review right after, the score and the right answers after it closes.
  Finished attempts of the first 24 students of one group (the ``student`` login among them):
  each is started, answered and submitted through the attempt services at its time on the RK1
  day, with a seeded generator that gives every student an ability (stronger and weaker ones)
  and every question a difficulty, so that the item analysis has something to show; the
  essays are graded by hand by the tutor through the grading service.
* **Exam**, proctored, opening at the end of the semester (at least two weeks from now).
* **Practice test** open now with unlimited attempts, the right answers and feedback right
  after each attempt: the ``student`` can take it at once.

A test that exists (by offering and title) is not created again, and a student who has an RK1
attempt gets no other, so a second run writes nothing.
"""

from __future__ import annotations

import datetime
import random
import zlib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from qashyq.academics.models import CourseOffering, Discipline, Enrollment
from qashyq.core.models import AuditLogEntry

from . import formats, imports, policies, services
from .models import Answer, Attempt, AttemptSlot, Question, QuestionBank, QuestionCategory, Test
from .services import attempts as attempt_services
from .services import tests_admin

SAMPLES = Path(__file__).resolve().parent / "formats" / "samples"
# language -> (discipline code, bank title, [(sample file, format, target category path)])
BANKS = {
    "kk": (
        "IAS1104",
        "Тест сұрақтары (қазақ тілінде)",
        [
            ("platonus_kk.txt", "platonus", ("Platonus",)),
            ("gift_kk.gift", "gift", ()),
        ],
    ),
    "ru": (
        "HKA3101",
        "Тестовые вопросы (на русском языке)",
        [
            ("platonus_ru_cp1251.txt", "platonus", ("Platonus",)),
            ("moodle_ru.xml", "moodlexml", ()),
        ],
    ),
}


def _importer(users, discipline: Discipline):
    for name in ("tutor", "methodologist"):
        user = users.get(name)
        if user is not None and policies.can_edit_discipline_banks(user, discipline):
            return user
    return None


def _imported(bank: QuestionBank, filename: str) -> bool:
    return AuditLogEntry.objects.filter(
        action=imports.AUDIT_ACTION,
        object_type=bank._meta.label_lower,
        object_id=str(bank.pk),
        new_value__file=filename,
    ).exists()


def seed(ctx) -> None:
    users = ctx.objects.get("users", {})
    banks = ctx.objects.setdefault("question_banks", {})
    for language, (code, title, files) in BANKS.items():
        discipline = Discipline.objects.select_related("department").filter(code=code).first()
        if discipline is None:
            continue
        actor = _importer(users, discipline)
        if actor is None:
            continue
        bank = QuestionBank.objects.filter(discipline=discipline, title=title).first()
        if bank is None:
            bank = services.bank_create(actor=actor, title=title, discipline=discipline)
        banks[language] = bank
        for filename, file_format, path in files:
            if _imported(bank, filename):
                continue
            result = formats.parse(
                (SAMPLES / filename).read_bytes(), format=file_format, filename=filename
            )
            report = imports.questions_import(
                actor=actor,
                bank=bank,
                result=result,
                category_path=path,
                source_name=filename,
                source_format=file_format,
            )
            ctx.log(f"    question bank {code} ({language}): {report.created} from {filename}")
    seed_tests(ctx)


# --- tests and attempts ---------------------------------------------------------------------------

TEST_DISCIPLINE = "IAS1104"
RK1_TITLE = "1-аралық бақылау (РК1): Өнертануға кіріспе"
EXAM_TITLE = "Емтихан: Өнертануға кіріспе"
PRACTICE_TITLE = "Жаттығу тесті: АКТ және Қазақстан тарихы"
RK1_STUDENTS = 24  # keeps seed_demo fast; enough for an item analysis
RANDOM_SEED = 1104
ESSAYS = (
    "«Сарыарқа» — Құрманғазының ең танымал күйлерінің бірі. Күй үш бөлімнен тұрады: бастау, "
    "орта буын және сағалық. Ладтық негізі — ионийлік лад, әуен жоғары регистрде дамиды. "
    "Орындаушы қағыс пен екпінді жиі ауыстырып, даланың кеңдігін бейнелейді. Күйді орындау "
    "үшін оң қолдың жылдам қағысы мен сол қолдың дәл позициясы қажет.",
    "Сарыарқа күйі Құрманғазыдікі. Күй өте әсерлі, даланы суреттейді. Домбырамен орындалады.",
    "Күй жылдам қарқынмен басталады. Онда қазақ даласы мен халықтың еркіндікке ұмтылысы "
    "бейнеленген. Құрылымы бойынша бірнеше буыннан тұрады, әуен біртіндеп жоғарылайды.",
)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _category(bank: QuestionBank, name: str) -> QuestionCategory | None:
    return QuestionCategory.objects.filter(bank=bank, name=name).order_by("pk").first()


def _test(actor, offering, title: str, sections, **fields) -> tuple[Test, bool]:
    """The offering's test of that title, or a new one with its sections, published."""
    test = Test.objects.filter(offering=offering, title=title).first()
    if test is not None:
        return test, False
    test = tests_admin.test_create(actor=actor, offering=offering, title=title, **fields)
    for section in sections:
        tests_admin.section_add(actor=actor, test=test, **section)
    tests_admin.test_publish(actor=actor, test=test)
    return test, True


def seed_tests(ctx) -> None:
    users = ctx.objects.get("users", {})
    tutor = users.get("tutor")
    bank = ctx.objects.get("question_banks", {}).get("kk")
    if tutor is None or bank is None:
        return
    offering = (
        CourseOffering.objects.select_related("period", "discipline")
        .filter(discipline__code=TEST_DISCIPLINE, tutors=tutor)
        .order_by("-period__starts_on", "pk")
        .first()
    )
    platonus, history = _category(bank, "Platonus"), _category(bank, "Қазақстан тарихы")
    music, ict = _category(bank, "Музыка теориясы"), _category(bank, "АКТ")
    essay = (
        Question.objects.filter(bank=bank, current_version__qtype="essay", archived=False)
        .order_by("pk")
        .first()
    )
    if offering is None or None in (platonus, history, music, ict, essay):
        return
    today = getattr(ctx, "today", None) or timezone.localdate()
    period = offering.period
    rk1_day = min(period.starts_on + datetime.timedelta(weeks=7), today - datetime.timedelta(10))
    rk1, created = _test(
        tutor,
        offering,
        RK1_TITLE,
        [
            {"category": platonus, "count": 10},
            {"category": history, "count": 3, "include_subcategories": True},
            {"questions": [essay], "mark": Decimal(5)},
        ],
        kind="rk1",
        intro="Уақыты — 30 минут, бір әрекет. Эссені оқытушы бағалайды.",
        opens_at=_at(rk1_day, 9),
        closes_at=_at(rk1_day, 18),
        time_limit=30,
        attempts_allowed=1,
        gradebook_column="rk1",
        review_immediately_score=True,
        review_immediately_right_answers=False,
        review_later_right_answers=False,
        review_after_close_score=True,
        review_after_close_responses=True,
        review_after_close_right_answers=True,
        review_after_close_feedback=True,
    )
    taken = _take_rk1(ctx, rk1, tutor, users.get("student"))
    ctx.log(
        f"    test {TEST_DISCIPLINE} RK1: {taken} finished attempts" + ("" if created else " more")
    )

    exam_day = max(period.ends_on - datetime.timedelta(days=7), today + datetime.timedelta(14))
    _exam, created = _test(
        tutor,
        offering,
        EXAM_TITLE,
        [
            {"category": platonus, "count": 12},
            {"category": music, "count": 4, "include_subcategories": True},
            {"category": history, "count": 4, "include_subcategories": True},
        ],
        kind="exam",
        intro="Проктормен өтетін емтихан: камера мен микрофон қосулы болуы керек.",
        opens_at=_at(exam_day, 10),
        closes_at=_at(exam_day, 13),
        time_limit=90,
        attempts_allowed=1,
        proctored=True,
        gradebook_column="exam",
        navigation="sequential",
    )
    if created:
        ctx.log(f"    test {TEST_DISCIPLINE} exam: proctored, opens {exam_day:%d.%m.%Y}")
    _practice, created = _test(
        tutor,
        offering,
        PRACTICE_TITLE,
        [
            {"category": ict, "count": 4, "include_subcategories": True},
            {"category": history, "count": 3, "include_subcategories": True},
        ],
        kind="practice",
        intro="Жаттығу: әрекеттер саны шектелмейді, дұрыс жауаптар бірден көрсетіледі.",
        opens_at=_at(today - datetime.timedelta(days=7), 8),
        attempts_allowed=0,
        grading_method="highest",
        review_immediately_right_answers=True,
        review_immediately_feedback=True,
        review_later_right_answers=True,
        review_later_feedback=True,
    )
    if created:
        ctx.log(f"    test {TEST_DISCIPLINE} practice: open now, unlimited attempts")


def _rk1_students(rk1: Test, student) -> list:
    """The first students (by name) of one group of the offering, the ``student`` login's when
    they are enrolled."""
    enrollments = Enrollment.objects.filter(offering_id=rk1.offering_id).select_related("student")
    group_id = None
    if student is not None:
        group_id = enrollments.filter(student=student).values_list("group_id", flat=True).first()
    if group_id is None:
        group_id = enrollments.order_by("group_id").values_list("group_id", flat=True).first()
    people = [
        e.student
        for e in enrollments.filter(group_id=group_id).order_by(
            "student__last_name", "student__first_name", "student_id"
        )
    ]
    chosen = people[:RK1_STUDENTS]
    if student is not None and student in people and student not in chosen:
        chosen[-1] = student
    return chosen


def _stable(text: str) -> int:
    return zlib.crc32(text.encode())


def _take_rk1(ctx, rk1: Test, tutor, student) -> int:
    students = _rk1_students(rk1, student)
    done = set(
        Attempt.objects.filter(test=rk1, student__in=students).values_list("student_id", flat=True)
    )
    taken = 0
    for person in students:
        if person.pk in done:
            continue
        rng = random.Random(RANDOM_SEED * 100_003 + person.pk)  # noqa: S311 - demo data
        # a seeded ability per student; the demo login is a fairly strong one
        ability = 0.78 if person == student else min(0.97, max(0.2, rng.gauss(0.64, 0.17)))
        _sit(rk1, person, tutor, ability, rng)
        taken += 1
    return taken


def _sit(test: Test, person, tutor, ability: float, rng: random.Random) -> None:
    """One student's attempt: started on the RK1 day, every answer saved through the service
    (right with a probability given by the ability and the question's difficulty), submitted
    before the time runs out; an essay graded by the tutor."""
    start = test.opens_at + datetime.timedelta(minutes=rng.randrange(0, 6 * 60))
    attempt, _created = attempt_services.attempt_start_or_resume(actor=person, test=test, now=start)
    slots = list(AttemptSlot.objects.filter(attempt=attempt).select_related("question_version"))
    moment = start
    for slot in slots:
        version = slot.question_version
        moment += datetime.timedelta(seconds=rng.randrange(30, 110))
        difficulty = (_stable(version.text) % 41 - 15) / 100  # -0.15 .. +0.25
        right = rng.random() < min(0.98, max(0.03, ability - difficulty))
        response = _response(version.qtype, version.data, slot.option_order, right, rng)
        if response is None:
            continue
        attempt_services.answer_save(
            actor=person, attempt=attempt, slot=slot.number, response=response, seq=1, now=moment
        )
    attempt = attempt_services.attempt_submit(
        actor=person, attempt=attempt, now=moment + datetime.timedelta(seconds=40)
    )
    for answer in Answer.objects.filter(
        slot__attempt=attempt, slot__question_version__qtype="essay"
    ).select_related("slot"):
        share = min(1.0, max(0.0, ability + rng.uniform(-0.15, 0.1)))
        points = (answer.slot.mark * Decimal(str(share))).quantize(Decimal("0.5"), ROUND_HALF_UP)
        attempt_services.answer_grade_manually(
            actor=tutor,
            answer=answer,
            points=points,
            comment="Құрылымы ашылған." if share >= 0.7 else "Ладтық негізі айтылмаған.",
        )


def _best(items: list[dict], key: str = "fraction") -> dict | None:
    ranked = sorted(items, key=lambda item: -float(item.get(key) or 0))
    return ranked[0] if ranked and float(ranked[0].get(key) or 0) > 0 else None


def _response(qtype: str, data: dict, order: dict, right: bool, rng: random.Random) -> Any:
    """A response of the question's shape: the right one, or a plausible wrong one."""
    if qtype == "single":
        options = data.get("options") or []
        best = _best(options)
        wrong = [o for o in options if o is not best]
        if best is None or not options:
            return None
        return best["id"] if right or not wrong else rng.choice(wrong)["id"]
    if qtype == "multiple":
        options = data.get("options") or []
        good = [o["id"] for o in options if float(o.get("fraction") or 0) > 0]
        if right:
            return good
        return [o["id"] for o in rng.sample(options, k=max(1, len(options) // 2))]
    if qtype == "truefalse":
        return bool(data.get("correct")) is right
    if qtype == "short":
        best = _best(data.get("answers") or [])
        text = best["text"].replace("*", "") if best else ""
        return text if right else rng.choice(("білмеймін", "Абылай", "1500"))
    if qtype == "numerical":
        best = _best(data.get("answers") or [])
        value = float(best["value"]) if best else 0.0
        return value if right else value + rng.choice((-7, 3, 12))
    if qtype == "matching":
        pairs = [p for p in data.get("pairs") or [] if str(p.get("prompt") or "").strip()]
        answers = [p.get("answer") for p in pairs]
        if not right:
            rng.shuffle(answers)
        return {p["id"]: a for p, a in zip(pairs, answers, strict=True)}
    if qtype == "ordering":
        ids = [item["id"] for item in data.get("items") or []]
        if not right:
            ids = list(order.get("items") or ids)
            rng.shuffle(ids)
        return ids
    if qtype == "cloze":
        response = {}
        for gap in data.get("gaps") or []:
            kind = gap.get("kind")
            gap_right = right or rng.random() < 0.3
            value = _response(kind, gap, {}, gap_right, rng) if kind else None
            if value is not None:
                response[str(gap.get("id"))] = value
        return response
    if qtype == "essay":
        text = ESSAYS[0] if right else rng.choice(ESSAYS[1:])
        return {"text": text}
    return None
