"""Question banks: versioning, validation of the data contract, and who may change a bank.

Every denied or invalid write is checked to have changed nothing (row counts, current version).
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from qashyq.academics.tests.factories import (
    CourseOfferingFactory,
    DepartmentFactory,
    DisciplineFactory,
    StudentProfileFactory,
    StudyGroupFactory,
)
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assessments import policies, services
from qashyq.assessments.models import (
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionTag,
    QuestionVersion,
)
from qashyq.assessments.services import validate_question_data
from qashyq.core.errors import Conflict, PermissionDenied, ValidationFailed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def bank_world(db):
    return build_bank_world()


def build_bank_world():
    """A discipline of a department, its tutor and student, the faculty's methodologist and head,
    a tutor of another discipline of the same department, and outsiders."""
    department = DepartmentFactory()
    faculty_id = department.faculty_id
    discipline = DisciplineFactory(department=department)
    sibling_discipline = DisciplineFactory(department=department)
    group = StudyGroupFactory()
    student = StudentProfileFactory(group=group).user
    tutor = UserFactory()
    CourseOfferingFactory(discipline=discipline, groups=[group], tutors=[tutor])
    department_tutor = UserFactory()
    CourseOfferingFactory(discipline=sibling_discipline, tutors=[department_tutor])
    other_tutor = UserFactory()
    other_offering = CourseOfferingFactory(tutors=[other_tutor])

    class W:
        pass

    w = W()
    w.department, w.discipline, w.sibling_discipline = department, discipline, sibling_discipline
    w.actors = {
        "tutor": tutor,
        "department tutor": department_tutor,
        "other tutor": other_tutor,
        "student": student,
        "methodologist": user_with_role("methodologist", "faculty", faculty_id),
        "head of department": user_with_role("head_of_department", "faculty", faculty_id),
        "site methodologist": user_with_role("methodologist"),
        "other methodologist": user_with_role(
            "methodologist", "faculty", other_offering.discipline.department.faculty_id
        ),
        "program methodologist": user_with_role("methodologist", "program", group.program_id),
        # a site-wide tutor role marks an employment, not a course: it opens no bank
        "site tutor": user_with_role("tutor"),
        "admin": user_with_role("admin"),
        "rector": user_with_role("rector"),
        "registrar": user_with_role("registrar"),
    }
    w.tutor = tutor
    w.admin = w.actors["admin"]
    w.bank = QuestionBank.objects.create(title="Гармония", discipline=discipline)
    w.department_bank = QuestionBank.objects.create(title="Кафедра", department=department)
    w.other_bank = QuestionBank.objects.create(title="Басқа", discipline=other_offering.discipline)
    return w


def single_data(correct="a"):
    return {
        "options": [
            {"id": "a", "text": "Абай", "fraction": 1 if correct == "a" else 0},
            {"id": "b", "text": "Шәкәрім", "fraction": 1 if correct == "b" else 0},
        ]
    }


def make_question(w, **kw):
    fields = {
        "actor": w.tutor,
        "bank": w.bank,
        "qtype": "single",
        "text": "«Қара сөздің» авторы кім?",
        "data": single_data(),
        "tags": ["Әдебиет", "difficulty:easy"],
    }
    fields.update(kw)
    return services.question_create(**fields)


def snapshot():
    return (
        QuestionBank.objects.count(),
        QuestionCategory.objects.count(),
        Question.objects.count(),
        QuestionVersion.objects.count(),
        QuestionTag.objects.count(),
        sorted(Question.objects.values_list("pk", "current_version_id", "archived", "category_id")),
        sorted(QuestionBank.objects.values_list("pk", "title")),
    )


# --- creating and versioning ---------------------------------------------------------------------


def test_create_makes_version_one_with_cleaned_data(bank_world):
    w = bank_world
    question = make_question(w)
    version = question.current_version
    assert version.number == 1
    assert version.qtype == "single"
    assert version.created_by == w.tutor
    assert question.created_by == w.tutor
    assert version.default_mark == Decimal("1.00")
    # defaults of the contract are filled in and numbers are floats
    assert version.data["shuffle"] is True
    assert version.data["options"][0] == {
        "id": "a",
        "text": "Абай",
        "fraction": 1.0,
        "feedback": "",
    }
    # the name falls back to the start of the text
    assert version.name == "«Қара сөздің» авторы кім?"
    # tags are stored normalised
    assert sorted(question.tags.values_list("name", flat=True)) == ["difficulty:easy", "әдебиет"]


def test_name_from_a_long_html_text_is_its_first_60_characters_without_tags(bank_world):
    text = "<p>" + "Ә" * 100 + "</p>"
    question = make_question(bank_world, text=text, text_format="html")
    assert question.current_version.name == "Ә" * 60


def test_update_makes_a_new_version_and_keeps_the_old_one(bank_world):
    w = bank_world
    question = make_question(w)
    first = question.current_version
    editor = w.actors["methodologist"]
    services.question_update(actor=editor, question=question, data=single_data(correct="b"))
    question.refresh_from_db()
    second = question.current_version
    assert second.number == 2
    assert second.created_by == editor
    assert second.data["options"][1]["fraction"] == 1.0
    first.refresh_from_db()
    assert first.number == 1
    assert first.data["options"][0]["fraction"] == 1.0  # what past attempts showed
    assert first.text == second.text  # unchanged fields are carried over
    assert list(question.versions.values_list("number", flat=True)) == [2, 1]


def test_every_content_field_makes_a_new_version_numbered_in_sequence(bank_world):
    w = bank_world
    question = make_question(w)
    changes = [
        {"name": "Жаңа атау"},
        {"default_mark": "2.5"},
        {"general_feedback": "Абай — ақын."},
        {"text_format": "plain"},
        {"penalty": 0.5},
    ]
    for change in changes:
        services.question_update(actor=w.tutor, question=question, **change)
    question.refresh_from_db()
    latest = question.current_version
    assert latest.number == 6
    assert (latest.name, latest.default_mark, latest.general_feedback) == (
        "Жаңа атау",
        Decimal("2.50"),
        "Абай — ақын.",
    )
    assert (latest.text_format, latest.penalty) == ("plain", 0.5)
    assert list(question.versions.values_list("number", flat=True)) == [6, 5, 4, 3, 2, 1]
    assert QuestionVersion.objects.get(question=question, number=2).default_mark == 1


def test_update_with_nothing_changed_writes_nothing(bank_world):
    w = bank_world
    question = make_question(w)
    before = snapshot()
    # the same content, spelt differently: ints for floats, defaults written out
    same = single_data()
    same["shuffle"] = True
    services.question_update(actor=w.tutor, question=question, data=same)
    services.question_update(actor=w.tutor, question=question, text="«Қара сөздің» авторы кім?  ")
    services.question_update(actor=w.tutor, question=question)
    assert snapshot() == before


def test_changing_tags_or_category_makes_no_new_version(bank_world):
    w = bank_world
    question = make_question(w)
    category = services.category_ensure_path(actor=w.tutor, bank=w.bank, path=("Поэзия",))
    services.question_update(actor=w.tutor, question=question, category=category, tags=["Ақын"])
    question.refresh_from_db()
    assert question.category == category
    assert list(question.tags.values_list("name", flat=True)) == ["ақын"]
    assert question.current_version.number == 1
    assert question.versions.count() == 1


def test_versions_are_immutable(bank_world):
    version = make_question(bank_world).current_version
    version.text = "changed"
    with pytest.raises(RuntimeError):
        version.save()
    with pytest.raises(RuntimeError):
        QuestionVersion.objects.filter(pk=version.pk).update(text="changed")
    version.refresh_from_db()
    assert version.text == "«Қара сөздің» авторы кім?"


def test_version_numbers_are_unique_per_question(bank_world):
    question = make_question(bank_world)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionVersion.objects.create(
            question=question, number=1, qtype="truefalse", name="x", text="x", data={}
        )


def test_a_bank_has_exactly_one_owner(bank_world):
    w = bank_world
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionBank.objects.create(title="x", discipline=w.discipline, department=w.department)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionBank.objects.create(title="y")


def test_archived_question_cannot_be_edited_until_restored(bank_world):
    w = bank_world
    question = make_question(w)
    services.question_archive(actor=w.tutor, question=question)
    question.refresh_from_db()
    assert question.archived
    before = snapshot()
    with pytest.raises(Conflict):
        services.question_update(actor=w.tutor, question=question, text="new")
    assert snapshot() == before
    services.question_restore(actor=w.tutor, question=question)
    services.question_update(actor=w.tutor, question=question, text="new")
    question.refresh_from_db()
    assert not question.archived
    assert question.current_version.text == "new"


def test_description_carries_no_mark(bank_world):
    question = make_question(
        bank_world, qtype="description", data={}, text="Мәтінді оқыңыз.", default_mark=5
    )
    assert question.current_version.default_mark == 0


# --- banks and categories ------------------------------------------------------------------------


def test_bank_names_are_unique_per_owner(bank_world):
    w = bank_world
    before = snapshot()
    with pytest.raises(Conflict):
        services.bank_create(actor=w.tutor, title=" Гармония ", discipline=w.discipline)
    assert snapshot() == before
    # the same name elsewhere is fine
    bank = services.bank_create(actor=w.admin, title="Гармония", department=w.department)
    assert bank.created_by == w.admin


def test_bank_needs_exactly_one_owner_and_a_name(bank_world):
    w = bank_world
    before = snapshot()
    with pytest.raises(ValidationFailed):
        services.bank_create(actor=w.admin, title="x")
    with pytest.raises(ValidationFailed):
        services.bank_create(
            actor=w.admin, title="x", discipline=w.discipline, department=w.department
        )
    with pytest.raises(ValidationFailed, match="Give the question bank a name"):
        services.bank_create(actor=w.admin, title="   ", discipline=w.discipline)
    assert snapshot() == before


def test_category_ensure_path_creates_missing_levels_and_reuses_existing(bank_world):
    w = bank_world
    leaf = services.category_ensure_path(actor=w.tutor, bank=w.bank, path=("Алгебра", "Теңдеу"))
    assert leaf.name == "Теңдеу"
    assert leaf.parent.name == "Алгебра"
    assert leaf.parent.parent is None
    # spaces and NFC do not make a new category
    again = services.category_ensure_path(
        actor=w.tutor, bank=w.bank, path=(" Алгебра ", "Тең\u0434\u0435у")
    )
    assert again == leaf
    sibling = services.category_ensure_path(actor=w.tutor, bank=w.bank, path=("Алгебра", "Тізбек"))
    assert sibling.parent == leaf.parent
    # the same name under another parent, and in another bank, is another category
    other = services.category_ensure_path(actor=w.tutor, bank=w.bank, path=("Геометрия", "Теңдеу"))
    assert other != leaf
    assert services.category_ensure_path(actor=w.tutor, bank=w.bank, path=()) is None
    assert QuestionCategory.objects.filter(bank=w.bank).count() == 5


def test_category_names_are_unique_among_siblings_in_the_database(bank_world):
    w = bank_world
    QuestionCategory.objects.create(bank=w.bank, name="Алгебра")
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionCategory.objects.create(bank=w.bank, name="Алгебра")


def test_category_path_with_an_empty_name_changes_nothing(bank_world):
    w = bank_world
    before = snapshot()
    with pytest.raises(ValidationFailed, match="A category needs a name"):
        services.category_ensure_path(actor=w.tutor, bank=w.bank, path=("Алгебра", " "))
    assert snapshot() == before


def test_question_in_a_category_of_another_bank_is_refused(bank_world):
    w = bank_world
    foreign = services.category_ensure_path(actor=w.admin, bank=w.other_bank, path=("X",))
    before = snapshot()
    with pytest.raises(ValidationFailed, match="another question bank"):
        make_question(w, category=foreign)
    question = make_question(w)
    before = snapshot()
    with pytest.raises(ValidationFailed):
        services.question_update(actor=w.tutor, question=question, category=foreign)
    assert snapshot() == before


# --- validation: a bad question changes nothing ---------------------------------------------------


def test_invalid_create_changes_nothing(bank_world):
    w = bank_world
    before = snapshot()
    bad = single_data()
    bad["options"][0]["fraction"] = 0.5
    with pytest.raises(ValidationFailed, match="needs a correct option"):
        make_question(w, data=bad)
    with pytest.raises(ValidationFailed, match="needs a text"):
        make_question(w, text="  ")
    with pytest.raises(ValidationFailed, match="text format"):
        make_question(w, text_format="rtf")
    with pytest.raises(ValidationFailed, match="mark must be a number"):
        make_question(w, default_mark=-1)
    with pytest.raises(ValidationFailed, match="mark must be a number"):
        make_question(w, default_mark="lots")
    with pytest.raises(ValidationFailed, match="penalty"):
        make_question(w, penalty=2)
    with pytest.raises(ValidationFailed, match="tag"):
        make_question(w, tags=["x" * 101])
    with pytest.raises(ValidationFailed, match="list of words"):
        make_question(w, tags="one string")
    with pytest.raises(ValidationFailed, match="not a question type"):
        make_question(w, qtype="hotspot")
    assert snapshot() == before


def test_invalid_update_changes_nothing(bank_world):
    w = bank_world
    question = make_question(w)
    before = snapshot()
    with pytest.raises(ValidationFailed, match="at least two options"):
        services.question_update(
            actor=w.tutor, question=question, data={"options": [{"text": "a", "fraction": 1}]}
        )
    with pytest.raises(ValidationFailed):
        services.question_update(actor=w.tutor, question=question, text="", tags=["new"])
    assert snapshot() == before


def test_cloze_text_must_place_every_gap_exactly_once(bank_world):
    w = bank_world
    gap = {
        "id": "1",
        "kind": "short",
        "mark": 1,
        "answers": [{"text": "Астана", "fraction": 1}],
    }
    data = {"gaps": [gap]}
    before = snapshot()
    with pytest.raises(ValidationFailed, match=r"no place for gap 1: write \{\{1\}\}"):
        make_question(w, qtype="cloze", text="Астанасы — ...", data=data)
    with pytest.raises(ValidationFailed, match=r"gap \{\{2\}\} that is not described"):
        make_question(w, qtype="cloze", text="{{1}} және {{2}}", data=data)
    with pytest.raises(ValidationFailed, match="appears twice"):
        make_question(w, qtype="cloze", text="{{1}} және {{1}}", data=data)
    assert snapshot() == before
    question = make_question(w, qtype="cloze", text="Елорда — {{1}}.", data=data, name="")
    assert question.current_version.name == "Елорда — ….", "a gap marker is not a name"


# --- validate_question_data, type by type --------------------------------------------------------


def opts(*fractions, **extra):
    return {
        "options": [{"text": f"option {i}", "fraction": f} for i, f in enumerate(fractions)],
        **extra,
    }


VALID = {
    "single": opts(1, 0, -0.5, 0.25),
    "multiple": opts(0.5, 0.5, -1, 0),
    "truefalse": {"correct": False},
    "short": {"answers": [{"text": "Абай*", "fraction": 1}]},
    "numerical": {"answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1}]},
    "matching": {
        "pairs": [
            {"prompt": "Құрманғазы", "answer": "Адай"},
            {"prompt": "Дина", "answer": "Әсем қоңыр"},
            {"prompt": "", "answer": "Көңілашар"},
        ]
    },
    "ordering": {"items": [{"text": "бір"}, {"text": "екі"}]},
    "cloze": {
        "gaps": [
            {"id": 1, "kind": "numerical", "answers": [{"value": 1997, "fraction": 1}]},
            {"id": "2", "kind": "single", "mark": 2, **opts(1, 0)},
        ]
    },
    "essay": {},
    "file": {"accept": ["image", "audio", "pdf"]},
    "description": {},
}


@pytest.mark.parametrize("qtype", sorted(VALID))
def test_valid_data_of_every_type_is_accepted_and_cleaning_is_idempotent(qtype):
    data = copy.deepcopy(VALID[qtype])
    cleaned = validate_question_data(qtype, data)
    assert data == VALID[qtype], "the input is not changed"
    assert validate_question_data(qtype, cleaned) == cleaned


def test_cleaning_fills_the_contracts_defaults():
    single = validate_question_data("single", opts(1, 0))
    assert [o["id"] for o in single["options"]] == ["a", "b"]
    assert single["options"][0] == {"id": "a", "text": "option 0", "fraction": 1.0, "feedback": ""}
    assert single["shuffle"] is True
    assert validate_question_data("truefalse", {"correct": True}) == {
        "correct": True,
        "feedback_true": "",
        "feedback_false": "",
    }
    assert validate_question_data("essay", {}) == {
        "response_format": "rich",
        "attachments": 0,
        "min_words": 0,
        "grader_info": "",
    }
    assert validate_question_data("file", {"accept": ["image", "image"]}) == {
        "accept": ["image"],
        "max_files": 1,
    }
    short = validate_question_data("short", VALID["short"])
    assert short["case_sensitive"] is False
    numerical = validate_question_data("numerical", {"answers": [{"value": 2, "fraction": 1}]})
    assert numerical["answers"][0]["tolerance"] == 0.0
    matching = validate_question_data("matching", VALID["matching"])
    assert [p["id"] for p in matching["pairs"]] == ["a", "b", "c"]
    assert matching["distractors"] == [] and matching["shuffle"] is True
    cloze = validate_question_data("cloze", VALID["cloze"])
    assert [g["id"] for g in cloze["gaps"]] == ["1", "2"]
    assert [g["mark"] for g in cloze["gaps"]] == [1.0, 2.0]


def test_given_ids_are_kept_and_missing_ones_do_not_collide():
    data = {"options": [{"text": "x", "fraction": 1}, {"id": "a", "text": "y"}]}
    cleaned = validate_question_data("single", data)
    assert [o["id"] for o in cleaned["options"]] == ["b", "a"]


def test_keys_outside_the_contract_are_kept():
    data = {**opts(1, 0), "answernumbering": "abc"}
    assert validate_question_data("single", data)["answernumbering"] == "abc"


INVALID = [
    ("single", [], "must be a JSON object"),
    ("single", {}, "single-choice question needs at least two options"),
    ("single", opts(1), "single-choice question needs at least two options"),
    ("single", opts(0.5, 0.5), r"needs a correct option \(one worth full marks\)"),
    ("single", opts(0, -1), r"needs a correct option \(one worth full marks\)"),
    ("single", opts(1, 2), "Option 2: the fraction must be a number from -1 to 1"),
    ("single", opts(1, "0"), "Option 2: the fraction must be a number from -1 to 1"),
    ("single", opts(1, True), "Option 2: the fraction must be a number from -1 to 1"),
    ("single", {"options": [{"text": "a", "fraction": 1}, {"text": " "}]}, "Option 2 has no text"),
    ("single", {"options": [{"text": "a", "fraction": 1}, "b"]}, "Option 2 is not valid"),
    (
        "single",
        {"options": [{"id": "a", "text": "a", "fraction": 1}, {"id": "a", "text": "b"}]},
        "the id “a” is used twice",
    ),
    ("single", {"options": [{"id": 1, "text": "a", "fraction": 1}, {"text": "b"}]}, "short text"),
    ("single", {**opts(1, 0), "shuffle": "yes"}, "“shuffle” must be true or false"),
    ("single", {"options": [{"text": "a", "fraction": 1, "feedback": 5}, {"text": "b"}]}, "text"),
    ("multiple", opts(1), "multiple-choice question needs at least two options"),
    ("multiple", opts(0, -1), "at least one correct option"),
    ("multiple", opts(0.5, 0.3, 0), r"add up to 100% \(now 80%\)"),
    ("multiple", opts(1, 0.5), r"add up to 100% \(now 150%\)"),
    ("truefalse", {}, "needs its correct answer: true or false"),
    ("truefalse", {"correct": "true"}, "needs its correct answer: true or false"),
    ("short", {}, "at least one accepted answer"),
    ("short", {"answers": []}, "at least one accepted answer"),
    ("short", {"answers": [{"text": "", "fraction": 1}]}, "Answer 1 has no text"),
    ("short", {"answers": [{"text": "a", "fraction": 0.5}]}, "answer worth full marks"),
    ("short", {"answers": [{"text": "a", "fraction": 1}], "case_sensitive": 1}, "true or false"),
    ("numerical", {"answers": []}, "numerical question needs at least one answer"),
    ("numerical", {"answers": [{"value": "3,14", "fraction": 1}]}, "needs a number as its value"),
    ("numerical", {"answers": [{"value": float("nan"), "fraction": 1}]}, "number as its value"),
    (
        "numerical",
        {"answers": [{"value": 3, "tolerance": -1, "fraction": 1}]},
        "tolerance of answer 1 must be zero or a positive number",
    ),
    ("numerical", {"answers": [{"value": 3, "fraction": 0}]}, "answer worth full marks"),
    ("matching", {}, "at least two pairs with a prompt"),
    (
        "matching",
        {"pairs": [{"prompt": "a", "answer": "b"}, {"prompt": "", "answer": "c"}]},
        "at least two pairs with a prompt",
    ),
    (
        "matching",
        {"pairs": [{"prompt": "a", "answer": "b"}, {"prompt": "c", "answer": " "}]},
        "Pair 2 has no answer",
    ),
    (
        "matching",
        {
            "pairs": [{"prompt": "a", "answer": "b"}, {"prompt": "c", "answer": "d"}],
            "distractors": ["", "e"],
        },
        "extra wrong answer must be a non-empty text",
    ),
    ("ordering", {"items": [{"text": "one"}]}, "at least two items"),
    ("ordering", {"items": [{"text": "one"}, {"text": ""}]}, "Item 2 has no text"),
    ("cloze", {"gaps": []}, "at least one gap"),
    ("cloze", {"gaps": [{"kind": "short"}]}, "Gap 1 needs an id"),
    ("cloze", {"gaps": [{"id": "1", "kind": "essay"}]}, "Gap 1 has an unknown kind “essay”"),
    (
        "cloze",
        {"gaps": [{"id": "1", "kind": "short", "mark": 0, "answers": [{"text": "a"}]}]},
        "mark of gap 1 must be a positive number",
    ),
    (
        "cloze",
        {"gaps": [{"id": "1", "kind": "short", "answers": [{"text": "a", "fraction": 0.5}]}]},
        "Gap 1: A short-answer question needs an answer worth full marks",
    ),
    (
        "cloze",
        {"gaps": [{"id": "1", "kind": "single", **opts(0.5, 0)}]},
        "Gap 1: A single-choice question needs a correct option",
    ),
    (
        "cloze",
        {
            "gaps": [
                {"id": "1", "kind": "single", **opts(1, 0)},
                {"id": "1", "kind": "single", **opts(1, 0)},
            ]
        },
        "Two gaps have the id 1",
    ),
    ("essay", {"response_format": "html"}, "“rich” or “plain”"),
    ("essay", {"attachments": 4}, "from 0 to 3 attached files"),
    ("essay", {"attachments": 1.5}, "from 0 to 3 attached files"),
    ("essay", {"min_words": -1}, "minimum number of words"),
    ("file", {}, "which kinds of file"),
    ("file", {"accept": []}, "which kinds of file"),
    ("file", {"accept": ["exe"]}, "“exe” is not a kind of file we accept"),
    ("file", {"accept": [".EXE"]}, "“exe” is not a kind of file we accept"),
    ("file", {"accept": ["html"]}, "“html” is not a kind of file we accept"),
    ("file", {"accept": ["svg"]}, "“svg” is not a kind of file we accept"),
    ("file", {"accept": ["psd"]}, "“psd” is not a kind of file we accept"),
    ("file", {"accept": ["image"], "max_files": 0}, "from 1 to 10 files"),
]


@pytest.mark.parametrize(("qtype", "data", "message"), INVALID)
def test_invalid_data_gets_a_specific_message(qtype, data, message):
    with pytest.raises(ValidationFailed, match=message) as caught:
        validate_question_data(qtype, data)
    assert caught.value.code != "validation_failed", "every refusal has its own code"


def test_file_accept_kinds():
    assert services.file_accept_kinds(["pdf", "audio"]) >= {"pdf", "mp3", "wav"}
    assert "png" not in services.file_accept_kinds(["pdf", "audio"])
    # Moodle's filetypeslist: extensions and its group names
    cleaned = validate_question_data("file", {"accept": [".JPG", "mp3", "spreadsheet", "jpg"]})
    assert cleaned["accept"] == ["jpg", "mp3", "spreadsheet"]
    assert services.file_accept_kinds(cleaned["accept"]) == {
        "jpeg",
        "mp3",
        "xlsx",
        "ods",
        "ole",
        "text",
    }


def test_single_choice_may_have_several_equally_right_options():
    """GIFT {=Тәуке =Тәуке хан ~Қасым}: both spellings are right."""
    cleaned = validate_question_data("single", opts(1, 1, 0))
    assert [o["fraction"] for o in cleaned["options"]] == [1.0, 1.0, 0.0]


# --- permissions: the matrix ---------------------------------------------------------------------

# who may edit: the discipline's bank, the department's bank, another discipline's bank
EDIT_MATRIX = {
    "tutor": (True, True, False),
    "department tutor": (False, True, False),
    "other tutor": (False, False, True),
    "student": (False, False, False),
    "methodologist": (True, True, False),
    "head of department": (True, True, False),
    "site methodologist": (True, True, True),
    "other methodologist": (False, False, True),
    "program methodologist": (False, False, False),
    "site tutor": (False, False, False),
    "admin": (True, True, True),
    "rector": (False, False, False),
    "registrar": (False, False, False),
}


@pytest.mark.parametrize("actor_name", sorted(EDIT_MATRIX))
def test_bank_edit_matrix(bank_world, actor_name):
    w = bank_world
    actor = w.actors[actor_name]
    expected = EDIT_MATRIX[actor_name]
    assert (
        policies.can_edit_bank(actor, w.bank),
        policies.can_edit_bank(actor, w.department_bank),
        policies.can_edit_bank(actor, w.other_bank),
    ) == expected
    assert policies.can_view_bank(actor, w.bank) == expected[0]


@pytest.mark.parametrize("actor_name", sorted(EDIT_MATRIX))
def test_bank_writes_follow_the_matrix_and_a_refusal_changes_nothing(bank_world, actor_name):
    w = bank_world
    actor = w.actors[actor_name]
    allowed = EDIT_MATRIX[actor_name][0]
    question = make_question(w, actor=w.admin)
    writes = [
        lambda: services.bank_rename(actor=actor, bank=w.bank, title="Жаңа атау"),
        lambda: services.category_ensure_path(actor=actor, bank=w.bank, path=("Бөлім",)),
        lambda: make_question(w, actor=actor),
        lambda: services.question_update(actor=actor, question=question, text="Өзгерді"),
        lambda: services.question_update(actor=actor, question=question, tags=["жаңа"]),
        lambda: services.question_archive(actor=actor, question=question),
    ]
    for write in writes:
        before = snapshot()
        if allowed:
            write()
            assert snapshot() != before
        else:
            with pytest.raises(PermissionDenied):
                write()
            assert snapshot() == before


def test_anonymous_and_inactive_users_may_do_nothing(bank_world):
    from django.contrib.auth.models import AnonymousUser

    w = bank_world
    inactive = w.actors["methodologist"]
    inactive.is_active = False
    inactive.save()
    for actor in (AnonymousUser(), inactive):
        assert not policies.can_edit_bank(actor, w.bank)
        assert not policies.can_list_banks(actor)
        with pytest.raises(PermissionDenied):
            make_question(w, actor=actor)


# who may create a bank: for the discipline, for the department
CREATE_MATRIX = {
    "tutor": (True, False),
    "department tutor": (False, False),
    "methodologist": (True, True),
    "head of department": (True, True),
    "other methodologist": (False, False),
    "program methodologist": (False, False),
    "site tutor": (False, False),
    "student": (False, False),
    "admin": (True, True),
    "rector": (False, False),
}


@pytest.mark.parametrize("actor_name", sorted(CREATE_MATRIX))
def test_bank_create_matrix(bank_world, actor_name):
    w = bank_world
    actor = w.actors[actor_name]
    for allowed, owner in zip(
        CREATE_MATRIX[actor_name],
        ({"discipline": w.discipline}, {"department": w.department}),
        strict=True,
    ):
        before = snapshot()
        if allowed:
            bank = services.bank_create(actor=actor, title=f"Банк {actor_name}", **owner)
            assert bank.created_by == actor
        else:
            with pytest.raises(PermissionDenied):
                services.bank_create(actor=actor, title="Банк", **owner)
            assert snapshot() == before


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_editors_at_once_make_two_versions(request):
    """The question row is locked while a version is written: both edits land, as v2 and v3."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks; it serialises writers instead")
    w = build_bank_world()
    question = make_question(w)
    editors = [w.tutor, w.actors["methodologist"]]
    barrier = threading.Barrier(len(editors))
    errors: list[BaseException] = []

    def edit(actor, text):
        try:
            barrier.wait(timeout=10)
            services.question_update(
                actor=actor, question=Question.objects.get(pk=question.pk), text=text
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=edit, args=(actor, f"Нұсқа {n}")) for n, actor in enumerate(editors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    question.refresh_from_db()
    versions = list(question.versions.order_by("number").values_list("number", "text"))
    assert [n for n, _t in versions] == [1, 2, 3]
    assert {t for _n, t in versions[1:]} == {"Нұсқа 0", "Нұсқа 1"}
    assert question.current_version.number == 3
