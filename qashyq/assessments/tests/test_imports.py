"""The import service: all or nothing, skipping the rejected, dry runs, the report, permissions,
the audit entry; and the export back to GIFT and Moodle XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from qashyq.academics.tests.factories import CourseOfferingFactory, DisciplineFactory
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assessments import formats, imports, services
from qashyq.assessments.formats import ParsedQuestion, ParseResult, RejectedQuestion
from qashyq.assessments.models import (
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
)
from qashyq.core.errors import PermissionDenied, ValidationFailed
from qashyq.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SAMPLES = Path(formats.__file__).resolve().parent / "samples"


def sample(name: str, fmt: str) -> ParseResult:
    return formats.parse((SAMPLES / name).read_bytes(), format=fmt, filename=name)


@pytest.fixture
def world(db):
    discipline = DisciplineFactory()
    tutor = UserFactory()
    CourseOfferingFactory(discipline=discipline, tutors=[tutor])
    bank = QuestionBank.objects.create(title="Тарих", discipline=discipline)

    class W:
        pass

    w = W()
    w.discipline, w.tutor, w.bank = discipline, tutor, bank
    w.outsider = UserFactory()
    w.other_tutor = UserFactory()
    CourseOfferingFactory(tutors=[w.other_tutor])
    w.student = user_with_role("student")
    return w


def rows():
    return (
        QuestionCategory.objects.count(),
        Question.objects.count(),
        QuestionVersion.objects.count(),
        QuestionTag.objects.count(),
        AuditLogEntry.objects.count(),
    )


def single(text, line, *, correct=1.0, category=(), tags=()):
    return ParsedQuestion(
        qtype="single",
        text=text,
        data={
            "options": [
                {"id": "a", "text": "бір", "fraction": correct},
                {"id": "b", "text": "екі", "fraction": 0.0},
            ]
        },
        category=category,
        tags=tags,
        line=line,
    )


def mixed_result() -> ParseResult:
    """Two good questions, one the validator refuses (no correct option), one the reader refused."""
    return ParseResult(
        questions=[
            single("Бірінші сұрақ", 1, category=("Тарих",), tags=("Хандық",)),
            single("Жауабы жоқ сұрақ", 7, correct=0.0),
            ParsedQuestion(qtype="truefalse", text="Жер домалақ.", data={"correct": True}, line=12),
        ],
        rejected=[RejectedQuestion(line=4, reason="A variant is empty.", source="<variant>")],
    )


def test_sample_imports_whole_with_categories_tags_and_report(world):
    result = sample("gift_kk.gift", "gift")
    report = imports.questions_import(
        actor=world.tutor, bank=world.bank, result=result, category_path=("РК1",)
    )
    assert report.written and not report.refused and not report.rejected
    assert report.created == len(result.questions) == Question.objects.count()
    assert report.counts == result.counts()
    assert report.counts["numerical"] == 6 and report.counts["essay"] == 1
    # the file's categories go under the target path, which is created
    paths = {
        ("РК1", "Музыка теориясы", "Интервалдар"),
        ("РК1", "Қазақстан тарихы", "Қазақ хандығы"),
    }
    assert paths <= set(report.categories)
    top = QuestionCategory.objects.get(bank=world.bank, parent=None)
    assert top.name == "РК1"
    assert QuestionTag.objects.filter(name="difficulty:easy").exists()
    by_name = {q.current_version.name: q for q in Question.objects.select_related("category")}
    assert by_name["Таза кварта"].category.name == "Интервалдар"
    assert by_name["Таза кварта"].created_by == world.tutor


def test_reimport_finds_the_categories_it_made(world):
    result = sample("moodle_ru.xml", "moodlexml")
    imports.questions_import(actor=world.tutor, bank=world.bank, result=result)
    categories = QuestionCategory.objects.count()
    imports.questions_import(actor=world.tutor, bank=world.bank, result=result)
    assert QuestionCategory.objects.count() == categories
    assert Question.objects.count() == 2 * len(result.questions)


def test_any_rejection_refuses_the_whole_import_and_writes_nothing(world):
    before = rows()
    report = imports.questions_import(actor=world.tutor, bank=world.bank, result=mixed_result())
    assert report.refused and not report.written and not report.ok
    assert report.created == 0
    assert rows() == before
    # the reader's and the validator's rejections, by line, with their reasons
    assert [r.line for r in report.rejected] == [4, 7]
    assert str(report.rejected[0].reason) == "A variant is empty."
    assert "correct option" in str(report.rejected[1].reason)
    assert report.rejected[1].source == "Жауабы жоқ сұрақ"
    # the per-type summary counts what would have been imported
    assert report.counts == {"single": 1, "truefalse": 1}


def test_skip_rejected_imports_the_others_in_one_go(world):
    report = imports.questions_import(
        actor=world.tutor, bank=world.bank, result=mixed_result(), skip_rejected=True
    )
    assert report.written and report.ok and not report.refused
    assert report.created == 2
    texts = sorted(Question.objects.values_list("current_version__text", flat=True))
    assert texts == ["Бірінші сұрақ", "Жер домалақ."]
    assert len(report.rejected) == 2
    assert QuestionTag.objects.get().name == "хандық"


def test_dry_run_counts_and_writes_nothing(world):
    before = rows()
    report = imports.questions_import(
        actor=world.tutor,
        bank=world.bank,
        result=sample("platonus_ru_cp1251.txt", "platonus"),
        category_path=("Platonus",),
        dry_run=True,
    )
    assert report.dry_run and not report.written and not report.refused
    assert report.counts == {"single": 15}
    assert report.categories == {("Platonus",): 15}
    assert rows() == before


def test_malformed_sample_reports_every_line(world):
    report = imports.questions_import(
        actor=world.tutor, bank=world.bank, result=sample("platonus_malformed.txt", "platonus")
    )
    assert [r.line for r in report.rejected] == [1, 8, 12, 18, 22]
    assert report.counts == {"single": 2}
    assert Question.objects.count() == 0


@pytest.mark.parametrize("who", ["outsider", "other_tutor", "student"])
def test_permission_denied_changes_nothing(world, who):
    before = rows()
    with pytest.raises(PermissionDenied):
        imports.questions_import(
            actor=getattr(world, who), bank=world.bank, result=sample("gift_kk.gift", "gift")
        )
    with pytest.raises(PermissionDenied):  # a dry run is refused too: it reads the bank
        imports.questions_import(
            actor=getattr(world, who),
            bank=world.bank,
            result=sample("gift_kk.gift", "gift"),
            dry_run=True,
        )
    assert rows() == before


def test_bad_target_path_is_refused(world):
    before = rows()
    with pytest.raises(ValidationFailed):
        imports.questions_import(
            actor=world.tutor,
            bank=world.bank,
            result=sample("gift_kk.gift", "gift"),
            category_path=tuple(f"L{i}" for i in range(11)),
        )
    assert rows() == before


def test_a_failure_half_way_rolls_everything_back(world, monkeypatch):
    calls = []
    real = services.question_create

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "question_create", flaky)
    before = rows()
    with pytest.raises(RuntimeError):
        imports.questions_import(
            actor=world.tutor, bank=world.bank, result=sample("platonus_kk.txt", "platonus")
        )
    assert rows() == before


def test_written_import_is_audited_with_counts(world):
    imports.questions_import(
        actor=world.tutor,
        bank=world.bank,
        result=mixed_result(),
        skip_rejected=True,
        category_path=("РК1",),
        source_name="rk1.gift",
        source_format="gift",
    )
    entry = AuditLogEntry.objects.get(action="questions.import")
    assert entry.actor == world.tutor
    assert entry.object_id == str(world.bank.pk)
    assert entry.new_value == {
        "file": "rk1.gift",
        "format": "gift",
        "category": ["РК1"],
        "created": 2,
        "counts": {"single": 1, "truefalse": 1},
        "rejected": 2,
        "skip_rejected": True,
    }
    # dry runs and refused imports leave no entry
    imports.questions_import(actor=world.tutor, bank=world.bank, result=mixed_result())
    imports.questions_import(
        actor=world.tutor, bank=world.bank, result=mixed_result(), dry_run=True
    )
    assert AuditLogEntry.objects.filter(action="questions.import").count() == 1


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("bank.gift", b"::a::b{}", "gift"),
        ("bank.XML", b"", "moodlexml"),
        ("bank.txt", b"", "platonus"),
        ("bank.docx", b"PK", "platonus"),
        ("bank", b"\xef\xbb\xbf<?xml version='1.0'?><quiz>", "moodlexml"),
        ("bank.dat", b"<question>a\n<variant>b\n<variant>c", "platonus"),
        ("bank.dat", b"::a:: b {=c ~d}", None),
    ],
)
def test_guess_format(name, head, expected):
    assert imports.guess_format(name, head) == expected


# --- export ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name"), [("gift", "gift_kk.gift"), ("moodlexml", "moodle_ru.xml")]
)
def test_export_gives_back_what_was_imported(world, fmt, name):
    original = sample(name, fmt)
    imports.questions_import(actor=world.tutor, bank=world.bank, result=original)
    exported = imports.bank_export(actor=world.tutor, bank=world.bank, format=fmt)
    assert exported.count == len(original.questions)
    assert exported.filename.endswith(".gift" if fmt == "gift" else ".xml")
    again = formats.parse(exported.content, format=fmt)
    assert not again.rejected
    assert again.counts() == original.counts()
    assert {(q.category, q.title) for q in again.questions} == {
        (q.category, q.title) for q in original.questions
    }


def test_export_of_a_category_takes_its_subtree_only(world):
    imports.questions_import(
        actor=world.tutor, bank=world.bank, result=sample("gift_kk.gift", "gift")
    )
    music = QuestionCategory.objects.get(bank=world.bank, parent=None, name="Музыка теориясы")
    exported = imports.bank_export(
        actor=world.tutor, bank=world.bank, format="moodlexml", category=music
    )
    again = formats.parse(exported.content, format="moodlexml")
    assert again.questions
    assert {q.category[0] for q in again.questions} == {"Музыка теориясы"}
    assert exported.count == Question.objects.filter(category__parent=music).count()


def test_export_is_refused_to_outsiders_and_for_unknown_formats(world):
    with pytest.raises(PermissionDenied):
        imports.bank_export(actor=world.outsider, bank=world.bank, format="gift")
    with pytest.raises(ValidationFailed):
        imports.bank_export(actor=world.tutor, bank=world.bank, format="platonus")
