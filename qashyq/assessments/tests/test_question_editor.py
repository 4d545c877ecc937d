"""The question editor: every type written by hand through its form scores as the engine
expects; editing makes a new version (attempts keep theirs), an unchanged edit none; bad input
is refused with a message and writes nothing; non-editors are refused."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.urls import reverse

from qashyq.academics.tests.factories import CourseOfferingFactory, DisciplineFactory
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assessments import scoring
from qashyq.assessments import services as bank_services
from qashyq.assessments.models import (
    AttemptSlot,
    Question,
    QuestionBank,
    QuestionTag,
    QuestionVersion,
)
from qashyq.assessments.services import attempts as attempt_services

from .attempt_world import World, slot_of, start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def world(db):
    discipline = DisciplineFactory(code="MUS1101")
    tutor = UserFactory(first_name="Айгүл", last_name="Сәрсенова")
    CourseOfferingFactory(discipline=discipline, tutors=[tutor])
    bank = QuestionBank.objects.create(title="Музыка теориясы", discipline=discipline)
    category = bank_services.category_ensure_path(actor=tutor, bank=bank, path=("Аралықтар",))

    class W:
        pass

    w = W()
    w.tutor, w.bank, w.category = tutor, bank, category
    w.other_tutor = UserFactory()
    CourseOfferingFactory(tutors=[w.other_tutor])
    w.student = user_with_role("student")
    return w


def new_url(w, qtype=None):
    url = reverse("assessments:question_new", args=[w.bank.pk])
    return f"{url}?type={qtype}" if qtype else url


def rows_data(rows: list[dict], total: int | None = None) -> dict:
    data = {
        "rows-TOTAL_FORMS": str(total if total is not None else max(len(rows), 1)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "50",
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{n}-{key}"] = value
    return data


def common(w, text, **extra):
    return {
        "category": str(w.category.pk),
        "name": "",
        "text": text,
        "general_feedback": "",
        "default_mark": "1",
        "tags": "",
        **extra,
    }


def counts():
    return (Question.objects.count(), QuestionVersion.objects.count(), QuestionTag.objects.count())


# (qtype, POST data besides the common fields, the right response, a wrong response)
CASES = [
    (
        "single",
        {
            **rows_data(
                [
                    {"text": "Таза кварта", "fraction": "1", "feedback": "Дұрыс"},
                    {"text": "Кіші терция", "fraction": "0"},
                    {"text": "", "fraction": "0"},  # a blank row is left out
                ],
                total=3,
            ),
            "type-shuffle": "on",
        },
        "a",
        "b",
    ),
    (
        "multiple",
        {
            **rows_data(
                [
                    {"text": "до", "fraction": "0.5"},
                    {"text": "ми", "fraction": "0.5"},
                    {"text": "фа♯", "fraction": "-1"},
                ]
            )
        },
        ["a", "b"],
        ["a", "c"],
    ),
    (
        "truefalse",
        {"type-correct": "false", "type-feedback_true": "Жоқ", "type-feedback_false": "Иә"},
        False,
        True,
    ),
    (
        "short",
        {
            **rows_data(
                [
                    {"text": "Құрманғазы", "fraction": "1"},
                    {"text": "Құрман*", "fraction": "0.5"},
                ]
            )
        },
        "  құрманғазы ",
        "Тәттімбет",
    ),
    (
        "numerical",
        {**rows_data([{"value": "3,14", "tolerance": "0.01", "fraction": "1"}])},
        "3.145",
        "3.2",
    ),
    (
        "matching",
        {
            **rows_data(
                [
                    {"prompt": "Адай", "answer": "Құрманғазы"},
                    {"prompt": "Саржайлау", "answer": "Құрманғазы"},
                    {"prompt": "Көкейкесті", "answer": "Дина"},
                ]
            ),
            "type-distractors": "Тәттімбет\n",
            "type-shuffle": "on",
        },
        {"a": "Құрманғазы", "b": "Құрманғазы", "c": "Дина"},
        {"a": "Дина", "b": "Тәттімбет", "c": "Құрманғазы"},
    ),
    (
        "ordering",
        {**rows_data([{"text": "до"}, {"text": "ре"}, {"text": "ми"}])},
        ["a", "b", "c"],
        ["c", "b", "a"],
    ),
]


@pytest.mark.parametrize(("qtype", "post", "right", "wrong"), CASES, ids=[c[0] for c in CASES])
def test_every_scored_type_is_created_through_its_form(client, world, qtype, post, right, wrong):
    client.force_login(world.tutor)
    assert client.get(new_url(world, qtype)).status_code == 200
    response = client.post(
        new_url(world, qtype), {**common(world, "Сұрақ **мәтіні**", tags="тақырып, оңай"), **post}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get()
    version = question.current_version
    assert response["Location"] == reverse(
        "assessments:bank_question", args=[world.bank.pk, question.pk]
    )
    assert version.qtype == qtype and version.number == 1 and version.created_by == world.tutor
    assert question.category == world.category
    assert sorted(question.tags.values_list("name", flat=True)) == ["оңай", "тақырып"]
    assert scoring.score(qtype, version.data, right) == 1
    assert scoring.score(qtype, version.data, wrong) < 1


def test_stored_data_of_a_single_choice_is_the_contract(client, world):
    client.force_login(world.tutor)
    client.post(new_url(world, "single"), {**common(world, "Сұрақ"), **CASES[0][1]})
    assert Question.objects.get().current_version.data == {
        "options": [
            {"id": "a", "text": "Таза кварта", "fraction": 1.0, "feedback": "Дұрыс"},
            {"id": "b", "text": "Кіші терция", "fraction": 0.0, "feedback": ""},
        ],
        "shuffle": True,
    }


def test_cloze_is_written_in_embedded_answers_syntax(client, world):
    client.force_login(world.tutor)
    text = "Абай {1:SHORTANSWER:=1845} жылы туған, {1:MULTICHOICE:=Семей~Алматы} өңірінде."
    response = client.post(new_url(world, "cloze"), common(world, text))
    assert response.status_code == 302
    version = Question.objects.get().current_version
    assert version.text == "Абай {{1}} жылы туған, {{2}} өңірінде."
    gaps = version.data["gaps"]
    assert [(g["id"], g["kind"]) for g in gaps] == [("1", "short"), ("2", "single")]
    assert scoring.score("cloze", version.data, {"1": "1845", "2": "a"}) == 1
    assert scoring.score("cloze", version.data, {"1": "1845", "2": "b"}) == 0.5
    # the edit form gives the embedded syntax back
    html = client.get(
        reverse("assessments:question_edit", args=[world.bank.pk, version.question_id])
    ).content.decode()
    assert "{1:SHORTANSWER:=1845}" in html


@pytest.mark.parametrize(
    ("qtype", "post", "data"),
    [
        (
            "essay",
            {
                "type-response_format": "plain",
                "type-attachments": "2",
                "type-min_words": "150",
                "type-grader_info": "Құрылымы, дәлелдері",
            },
            {
                "response_format": "plain",
                "attachments": 2,
                "min_words": 150,
                "grader_info": "Құрылымы, дәлелдері",
            },
        ),
        (
            "file",
            {
                "type-accept": ["image", "audio"],
                "type-accept_other": "pdf",
                "type-max_files": "3",
            },
            {"accept": ["image", "audio", "pdf"], "max_files": 3},
        ),
        ("description", {}, {}),
    ],
)
def test_hand_graded_and_text_only_types(client, world, qtype, post, data):
    client.force_login(world.tutor)
    post = {**common(world, "Нотаның суретін салыңыз"), **post}
    response = client.post(new_url(world, qtype), post)
    assert response.status_code == 302, response.content.decode()[:3000]
    version = Question.objects.get().current_version
    assert version.data == data
    assert scoring.score(qtype, version.data, {"text": "…"}) is None
    if qtype == "description":
        assert version.default_mark == 0


def test_the_type_chooser_lists_every_type(client, world):
    client.force_login(world.tutor)
    html = client.get(new_url(world)).content.decode()
    for qtype in ("single", "multiple", "truefalse", "cloze", "essay", "file", "description"):
        assert f'value="{qtype}"' in html
    detail = client.get(reverse("assessments:bank_detail", args=[world.bank.pk])).content.decode()
    assert new_url(world) in detail


# --- editing ------------------------------------------------------------------------------------


@pytest.fixture
def attempt_world(db):
    return World()


def edit_post(client, w, question, **changes):
    """The edit form as the browser would send it back (its inputs' values), with changes."""
    url = reverse("assessments:question_edit", args=[w.bank.pk, question.pk])
    html = client.get(url).content.decode()
    data: dict = {}
    for match in re.finditer(r"<input([^>]*)>", html):
        attrs = match.group(1)
        name = re.search(r'name="([^"]+)"', attrs)
        value = re.search(r'value="([^"]*)"', attrs)
        if name is None or name.group(1) == "csrfmiddlewaretoken":
            continue
        name, value = name.group(1), _unescape(value.group(1)) if value else ""
        if 'type="checkbox"' in attrs or 'type="radio"' in attrs:
            if " checked" in attrs:
                data.setdefault(name, []).append(value or "on")
        elif 'type="submit"' not in attrs:
            data[name] = value
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = _unescape(body.removeprefix("\n"))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    data.update(changes)
    return client.post(url, data)


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


def test_edit_makes_version_2_and_an_attempt_keeps_version_1(client, attempt_world):
    w = attempt_world
    question = w.questions["single"]
    test = w.test(questions=[question])
    attempt, _created = attempt_services.attempt_start_or_resume(actor=w.student, test=test)
    slot = AttemptSlot.objects.get(attempt=attempt)
    assert slot.question_version.number == 1
    old_text = slot.question_version.text
    client.force_login(w.tutor)
    page = client.get(reverse("assessments:question_edit", args=[w.bank.pk, question.pk]))
    assert "This creates version 2; attempts already taken keep the version they showed." in (
        page.content.decode()
    )
    response = edit_post(client, w, question, text="Жаңа мәтін")
    assert response.status_code == 302, response.content.decode()[:3000]
    question.refresh_from_db()
    assert question.current_version.number == 2
    assert question.current_version.text == "Жаңа мәтін"
    slot.refresh_from_db()
    assert slot.question_version.number == 1 and slot.question_version.text == old_text
    # the student resuming the attempt is shown version 1
    resumed = start(client, w.student, test).json()
    shown = slot_of(resumed, "single")
    assert old_text in str(shown) and "Жаңа мәтін" not in str(resumed)
    # the preview lists both versions with their author
    client.force_login(w.tutor)
    html = client.get(
        reverse("assessments:bank_question", args=[w.bank.pk, question.pk])
    ).content.decode()
    history = html[html.index('id="question-history"') :]
    assert history.count("<tr") == 3  # header + two versions
    assert w.tutor.full_name in history


@pytest.mark.parametrize("qtype", ["single", "multiple", "matching", "cloze", "essay", "file"])
def test_an_unchanged_edit_makes_no_version(client, attempt_world, qtype):
    w = attempt_world
    question = w.questions[qtype]
    client.force_login(w.tutor)
    before = QuestionVersion.objects.count()
    response = edit_post(client, w, question)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert QuestionVersion.objects.count() == before
    question.refresh_from_db()
    assert question.current_version.number == 1


def test_an_edit_keeps_data_the_editor_does_not_show(client, world):
    question = bank_services.question_create(
        actor=world.tutor,
        bank=world.bank,
        qtype="essay",
        text="Эссе",
        data={"response_format": "rich", "source": {"imported_from": "Құрылым.xml"}},
    )
    client.force_login(world.tutor)
    response = edit_post(client, world, question, **{"type-min_words": "100"})
    assert response.status_code == 302
    question.refresh_from_db()
    data = question.current_version.data
    assert data["min_words"] == 100 and data["source"] == {"imported_from": "Құрылым.xml"}


def test_archive_and_restore(client, world):
    question = bank_services.question_create(
        actor=world.tutor, bank=world.bank, qtype="truefalse", text="Иә ма?", data={"correct": True}
    )
    client.force_login(world.tutor)
    args = [world.bank.pk, question.pk]
    assert client.post(reverse("assessments:question_archive", args=args)).status_code == 302
    question.refresh_from_db()
    assert question.archived
    html = client.get(reverse("assessments:bank_question", args=args)).content.decode()
    assert reverse("assessments:question_restore", args=args) in html
    assert reverse("assessments:question_edit", args=args) not in html
    response = client.get(reverse("assessments:question_edit", args=args))
    assert response.status_code == 302
    assert client.post(reverse("assessments:question_restore", args=args)).status_code == 302
    question.refresh_from_db()
    assert not question.archived
    assert client.get(reverse("assessments:question_archive", args=args)).status_code == 405


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qtype", "post", "message"),
    [
        (
            "single",
            rows_data([{"text": "бір", "fraction": "0.5"}, {"text": "екі", "fraction": "0"}]),
            "A single-choice question needs a correct option (one worth full marks).",
        ),
        (
            "multiple",
            rows_data([{"text": "бір", "fraction": "0.5"}, {"text": "екі", "fraction": "0.25"}]),
            "The correct options of a multiple-choice question must add up to 100% (now 75%).",
        ),
        (
            "numerical",
            rows_data([{"value": "үш", "tolerance": "", "fraction": "1"}]),
            "“үш” is not a number.",
        ),
        (
            "matching",
            rows_data([{"prompt": "Адай", "answer": ""}, {"prompt": "Б", "answer": "В"}]),
            "Every item of a matching question needs its match",
        ),
        ("cloze", {}, "A cloze question needs at least one gap"),
        ("file", {"type-max_files": "1"}, "Say which kinds of file the answer may be"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    client, world, qtype, post, message
):
    client.force_login(world.tutor)
    before = counts()
    response = client.post(new_url(world, qtype), {**common(world, "Сұрақ", tags="x"), **post})
    assert response.status_code == 400
    html = _unescape(response.content.decode())
    assert message in html
    assert 'role="alert"' in html
    assert counts() == before
    assert "бір" in html or qtype not in ("single", "multiple")  # the input is kept


def test_a_bad_edit_changes_nothing(client, world):
    question = bank_services.question_create(
        actor=world.tutor,
        bank=world.bank,
        qtype="single",
        text="Сұрақ",
        data={"options": [{"text": "a", "fraction": 1}, {"text": "b", "fraction": 0}]},
    )
    client.force_login(world.tutor)
    before = counts()
    response = edit_post(client, world, question, **{"rows-0-fraction": "0"})
    assert response.status_code == 400
    assert "needs a correct option" in response.content.decode()
    assert counts() == before


def test_add_more_rows_keeps_the_input_and_saves_nothing(client, world):
    client.force_login(world.tutor)
    response = client.post(
        new_url(world, "ordering"),
        {
            **common(world, "Ретімен"),
            **rows_data([{"text": "до"}, {"text": "ре"}], total=5),
            "add_rows": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="rows-9-text"' in html and 'value="ре"' in html
    assert Question.objects.count() == 0
    more = client.get(new_url(world, "ordering") + "&rows=10").content.decode()
    assert 'name="rows-9-text"' in more


# --- who may edit -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_tutor", "student"])
def test_non_editors_are_refused_and_nothing_changes(client, world, who):
    question = bank_services.question_create(
        actor=world.tutor, bank=world.bank, qtype="truefalse", text="Иә ма?", data={"correct": True}
    )
    client.force_login(getattr(world, who))
    args = [world.bank.pk, question.pk]
    before = counts()
    for url in (new_url(world), new_url(world, "single")):
        assert client.get(url).status_code == 404
    assert client.get(reverse("assessments:question_edit", args=args)).status_code == 404
    post = {**common(world, "Жаңа"), "type-correct": "false"}
    assert client.post(new_url(world, "truefalse"), post).status_code == 404
    assert client.post(reverse("assessments:question_edit", args=args), post).status_code == 404
    assert client.post(reverse("assessments:question_archive", args=args)).status_code == 404
    assert counts() == before
    question.refresh_from_db()
    assert not question.archived and question.current_version.text == "Иә ма?"


def test_a_viewer_who_may_not_edit_gets_403(client, world, monkeypatch):
    from qashyq.assessments import policies

    monkeypatch.setattr(policies, "can_view_bank", lambda user, bank: True)
    client.force_login(world.student)
    before = counts()
    response = client.post(new_url(world, "truefalse"), common(world, "Жаңа"))
    assert response.status_code == 403
    assert counts() == before


# --- the form -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "qtype",
    [
        "single",
        "multiple",
        "truefalse",
        "short",
        "numerical",
        "matching",
        "ordering",
        "cloze",
        "essay",
        "file",
        "description",
    ],
)
def test_form_ids_are_unique_and_every_field_has_a_label(client, world, qtype):
    client.force_login(world.tutor)
    html = client.get(new_url(world, qtype)).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    for match in re.finditer(r"<(input|select|textarea)([^>]*)>", html):
        attrs = match.group(2)
        if 'type="hidden"' in attrs or 'type="submit"' in attrs:
            continue
        field_id = re.search(r'id="([^"]+)"', attrs)
        assert field_id and field_id.group(1) in labelled, attrs
    assert 'id="id_text"' in html
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        assert all(part in ids for part in described.split()), described


def test_fraction_select_offers_moodle_grades(client, world):
    client.force_login(world.tutor)
    html = client.get(new_url(world, "multiple")).content.decode()
    select = re.search(r'<select name="rows-0-fraction".*?</select>', html, re.S).group(0)
    for label in ("100%", "90%", "83.333%", "50%", "33.333%", "-100%", "None (0%)"):
        assert f">{label}</option>" in select


def test_edit_page_queries_do_not_grow_with_the_versions(
    client, world, django_assert_max_num_queries
):
    question = bank_services.question_create(
        actor=world.tutor, bank=world.bank, qtype="truefalse", text="v1", data={"correct": True}
    )
    for n in range(2, 8):
        question = bank_services.question_update(actor=world.tutor, question=question, text=f"v{n}")
    client.force_login(world.tutor)
    url = reverse("assessments:question_edit", args=[world.bank.pk, question.pk])
    client.get(url)  # warm the per-request caches of the session
    with django_assert_max_num_queries(12):
        html = client.get(url).content.decode()
    assert html.count("<tr") == 8  # header + seven versions


@pytest.mark.parametrize(
    ("sample", "fmt"), [("gift_kk.gift", "gift"), ("moodle_ru.xml", "moodlexml")]
)
def test_saving_imported_questions_unchanged_makes_no_version(client, world, sample, fmt):
    """Imported keys (35 % grades, HTML texts, cloze gaps, distractors) survive the form."""
    from pathlib import Path

    from qashyq.assessments import formats, imports

    source = Path(formats.__file__).resolve().parent / "samples" / sample
    result = formats.parse(source.read_bytes(), format=fmt)
    imports.questions_import(actor=world.tutor, bank=world.bank, result=result, skip_rejected=True)
    client.force_login(world.tutor)
    before = QuestionVersion.objects.count()
    questions = list(Question.objects.filter(bank=world.bank).select_related("current_version"))
    assert len(questions) > 10
    refused = []
    for question in questions:
        response = edit_post(client, world, question)
        if response.status_code != 302:
            refused.append((question.current_version.qtype, question.current_version.name))
    assert not refused
    changed = [
        (v.question.current_version.qtype, v.name)
        for v in QuestionVersion.objects.filter(number__gt=1).select_related("question")
    ]
    assert not changed
    assert QuestionVersion.objects.count() == before
