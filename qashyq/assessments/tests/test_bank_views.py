"""Question bank pages: list, detail with filters, preview, import with preview and confirm,
export; bounded queries; non-editors refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qashyq.academics.tests.factories import CourseOfferingFactory, DisciplineFactory
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assessments import formats, imports
from qashyq.assessments.models import Question, QuestionBank, QuestionCategory, QuestionVersion
from qashyq.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SAMPLES = Path(formats.__file__).resolve().parent / "samples"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.QASHYQ_ENFORCE_STAFF_MFA = False


@pytest.fixture
def world(db):
    discipline = DisciplineFactory(code="HKA3101")
    tutor = UserFactory()
    CourseOfferingFactory(discipline=discipline, tutors=[tutor])
    bank = QuestionBank.objects.create(title="Тарих банкі", discipline=discipline)
    other_tutor = UserFactory()
    other_bank = QuestionBank.objects.create(
        title="Басқа банк", discipline=CourseOfferingFactory(tutors=[other_tutor]).discipline
    )

    class W:
        pass

    w = W()
    w.discipline, w.tutor, w.bank, w.other_tutor, w.other_bank = (
        discipline,
        tutor,
        bank,
        other_tutor,
        other_bank,
    )
    w.student = user_with_role("student")
    return w


def fill(w, name="gift_kk.gift", fmt="gift", path=()):
    result = formats.parse((SAMPLES / name).read_bytes(), format=fmt)
    return imports.questions_import(actor=w.tutor, bank=w.bank, result=result, category_path=path)


def upload(name, content=None):
    data = (SAMPLES / name).read_bytes() if content is None else content
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def rows():
    return (
        Question.objects.count(),
        QuestionVersion.objects.count(),
        QuestionCategory.objects.count(),
        AuditLogEntry.objects.count(),
    )


# --- list, detail, preview ----------------------------------------------------------------------


def test_list_shows_the_banks_the_user_may_see(client, world):
    fill(world)
    client.force_login(world.tutor)
    response = client.get(reverse("assessments:bank_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Тарих банкі" in html and "Басқа банк" not in html
    assert "<td>21</td>" in html  # questions in the bank


def test_list_is_refused_to_a_student(client, world):
    client.force_login(world.student)
    assert client.get(reverse("assessments:bank_list")).status_code == 403


def test_detail_shows_tree_and_filters_by_category_type_and_tag(client, world):
    fill(world)
    client.force_login(world.tutor)
    url = reverse("assessments:bank_detail", args=[world.bank.pk])
    html = client.get(url).content.decode()
    assert "Музыка теориясы" in html and "Интервалдар" in html
    assert "21 questions" in html
    music = QuestionCategory.objects.get(name="Музыка теориясы", parent=None)
    html = client.get(url, {"category": music.pk}).content.decode()
    assert "Таза кварта" in html and "Жеті жарғы" not in html
    html = client.get(url, {"type": "numerical"}).content.decode()
    assert "6 questions" in html
    html = client.get(url, {"tag": "difficulty:easy"}).content.decode()
    assert "Таза кварта" in html and "Консонанстар" not in html
    html = client.get(url, {"type": "ordering"}).content.decode()
    assert "No questions match the filter." in html
    # nonsense filters are ignored, not a 500
    assert client.get(url, {"type": "x", "category": "999999", "page": "zz"}).status_code == 200


def test_detail_paginates(client, world):
    fill(world)
    fill(world, "platonus_kk.txt", "platonus", ("Platonus",))  # 37 questions in all
    client.force_login(world.tutor)
    url = reverse("assessments:bank_detail", args=[world.bank.pk])
    first = client.get(url).content.decode()
    assert "Page 1 of 2" in first and "37 questions" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Page 2 of 2" in second
    row = '<th scope="row"><a href="/question-banks/'
    assert (first.count(row), second.count(row)) == (25, 12)


def test_detail_query_count_does_not_grow_with_the_questions(
    client, world, django_assert_max_num_queries
):
    fill(world, "platonus_kk.txt", "platonus", ("A",))
    client.force_login(world.tutor)
    url = reverse("assessments:bank_detail", args=[world.bank.pk])
    client.get(url)  # the session and the roles are loaded once
    category = QuestionCategory.objects.get(name="A")
    with django_assert_max_num_queries(12):
        small = client.get(url, {"category": category.pk, "tag": "x"})
    fill(world)
    fill(world, "moodle_ru.xml", "moodlexml")
    with django_assert_max_num_queries(12):
        big = client.get(url, {"category": category.pk})
    with django_assert_max_num_queries(12):
        client.get(url)
    with django_assert_max_num_queries(9):
        client.get(reverse("assessments:bank_list"))
    assert small.status_code == big.status_code == 200


def test_preview_lists_versions_with_their_authors_in_a_fixed_number_of_queries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qashyq.assessments import services

    fill(world, "moodle_ru.xml", "moodlexml")
    question = Question.objects.get(current_version__name="Тритон")
    client.force_login(world.tutor)
    url = reverse("assessments:bank_question", args=[world.bank.pk, question.pk])
    client.get(url)  # the session and the roles are loaded once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n in range(4):
        services.question_update(actor=world.tutor, question=question, text=f"Тритон {n}")
    html = client.get(url).content.decode()
    assert html.count(world.tutor.full_name) >= 5  # every version names its author
    assert queries() == few


def test_question_preview_shows_text_options_and_key_to_editors(client, world):
    fill(world, "moodle_ru.xml", "moodlexml")
    client.force_login(world.tutor)
    tritone = Question.objects.get(current_version__name="Тритон")
    url = reverse("assessments:bank_question", args=[world.bank.pk, tritone.pk])
    html = client.get(url).content.decode()
    assert "<strong>трёх тонов</strong>" in html  # sanitised HTML kept
    assert "увеличенная кварта" in html and "малая септима" in html
    assert "✓ correct" in html and "Answer key" in html
    assert "Тритон — это увеличенная кварта" in html  # general feedback


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Итальянский термин", ["crescendo", "cresc*", "50%", "Letter case does not matter."]),
        ("Частота ноты «ля»", ["440.0", "435.0 ± 1.0"]),
        ("Темпы", ["Largo", "широко, очень медленно"]),
        ("Порядок диезов", ["<li>фа-диез</li><li>до-диез</li><li>соль-диез</li>"]),
        ("Казахское ханство", ['aria-label="gap 1"', "1465.0"]),
        ("Скрипичный ключ", ["The statement is true.", "Верно: ключ «соль»."]),
        ("Эссе: Абылай-хан", ["<p>Отношения с Россией", "At least 150 words."]),
        ("Эскиз афиши", ["image, pdf"]),
        ("Инструкция", []),
    ],
)
def test_preview_of_every_kind_shows_its_key(client, world, name, shown):
    fill(world, "moodle_ru.xml", "moodlexml")
    client.force_login(world.tutor)
    question = Question.objects.get(current_version__name=name)
    response = client.get(reverse("assessments:bank_question", args=[world.bank.pk, question.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for snippet in shown:
        assert snippet in html


def test_question_preview_escapes_a_script(client, world):
    from qashyq.assessments import services

    question = services.question_create(
        actor=world.tutor,
        bank=world.bank,
        qtype="single",
        text="<script>alert(1)</script> **Қай?**",
        data={
            "options": [
                {"text": "<img src=x onerror=alert(1)>", "fraction": 1},
                {"text": "екі", "fraction": 0},
            ]
        },
    )
    client.force_login(world.tutor)
    html = client.get(
        reverse("assessments:bank_question", args=[world.bank.pk, question.pk])
    ).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<strong>Қай?</strong>" in html


@pytest.mark.parametrize("who", ["other_tutor", "student"])
def test_non_editors_see_nothing_of_the_bank(client, world, who):
    fill(world)
    client.force_login(getattr(world, who))
    question = Question.objects.first()
    pk = world.bank.pk
    for url in (
        reverse("assessments:bank_detail", args=[pk]),
        reverse("assessments:bank_question", args=[pk, question.pk]),
        reverse("assessments:bank_export", args=[pk]) + "?format=gift",
        reverse("assessments:bank_import", args=[pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Таза кварта" not in response.content.decode()
    before = rows()
    response = client.post(
        reverse("assessments:bank_import", args=[pk]), {"file": upload("platonus_kk.txt")}
    )
    assert response.status_code == 404
    assert rows() == before


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("assessments:bank_detail", args=[world.bank.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


# --- export -------------------------------------------------------------------------------------


def test_export_downloads_gift_and_moodle_xml(client, world):
    fill(world)
    client.force_login(world.tutor)
    url = reverse("assessments:bank_export", args=[world.bank.pk])
    gift = client.get(url, {"format": "gift"})
    assert gift.status_code == 200
    assert "attachment" in gift["Content-Disposition"]
    assert ".gift" in gift["Content-Disposition"]
    assert formats.parse(gift.content, format="gift").counts()["numerical"] == 6
    music = QuestionCategory.objects.get(name="Музыка теориясы", parent=None)
    xml = client.get(url, {"format": "moodlexml", "category": music.pk})
    assert xml["Content-Type"].startswith("application/xml")
    parsed = formats.parse(xml.content, format="moodlexml")
    assert {q.category[0] for q in parsed.questions} == {"Музыка теориясы"}
    assert client.get(url, {"format": "docx"}).status_code == 400
    assert client.get(url, {"format": "gift", "category": "999999"}).status_code == 404


# --- import: upload, preview, confirm -----------------------------------------------------------


def test_upload_preview_then_confirm_imports(client, world):
    client.force_login(world.tutor)
    url = reverse("assessments:bank_import", args=[world.bank.pk])
    page = client.get(url)
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    before = rows()
    response = client.post(
        url, {"file": upload("gift_kk.gift"), "format": "", "new_category": "РК1"}
    )
    assert response.status_code == 302
    preview_url = response["Location"]
    assert rows() == before  # nothing written by the upload
    html = client.get(preview_url).content.decode()
    assert "21 questions will be created" in html
    assert "Numerical</th><td>6</td>" in html
    assert "РК1 / Музыка теориясы / Интервалдар" in html
    assert "Nothing has been saved yet." in html
    assert rows() == before  # nor by the preview
    done = client.post(preview_url)
    assert done.status_code == 302
    assert done["Location"] == reverse("assessments:bank_detail", args=[world.bank.pk])
    assert Question.objects.filter(bank=world.bank).count() == 21
    entry = AuditLogEntry.objects.get(action="questions.import")
    assert entry.new_value["file"] == "gift_kk.gift" and entry.new_value["created"] == 21
    follow = client.get(done["Location"]).content.decode()
    assert "21 question(s) imported." in follow
    # the token is used up: a second confirm (double click, back button) imports nothing
    again = client.post(preview_url)
    assert again.status_code == 404
    assert Question.objects.count() == 21


def test_rejections_block_the_import_until_skipped(client, world):
    client.force_login(world.tutor)
    root = QuestionCategory.objects.create(bank=world.bank, name="Бақылау")
    url = reverse("assessments:bank_import", args=[world.bank.pk])
    response = client.post(
        url, {"file": upload("platonus_malformed.txt"), "category": str(root.pk)}
    )
    preview_url = response["Location"]
    html = client.get(preview_url).content.decode()
    assert "5 questions are rejected" in html
    assert (
        '<th scope="row">18</th><td>The variant “1465 ЖЫЛЫ” repeats the variant on line 16.' in html
    )
    assert "Into category: Бақылау" in html
    before = rows()
    refused = client.post(preview_url)  # "skip" not ticked
    assert refused.status_code == 400
    assert "Nothing was imported" in refused.content.decode()
    assert rows() == before
    done = client.post(preview_url, {"skip_rejected": "1"})
    assert done.status_code == 302
    assert list(Question.objects.values_list("category__name", flat=True)) == ["Бақылау"] * 2


def test_format_is_recognised_from_the_extension(client, world):
    client.force_login(world.tutor)
    url = reverse("assessments:bank_import", args=[world.bank.pk])
    for name, expected in (("moodle_ru.xml", "moodlexml"), ("platonus_ru_cp1251.txt", "platonus")):
        response = client.post(url, {"file": upload(name)})
        html = client.get(response["Location"]).content.decode()
        assert f"Format: {expected}" in html


@pytest.mark.parametrize(
    ("name", "content", "fmt", "message"),
    [
        ("bank.xml", b"<quiz><question>", "", "The XML file is malformed"),
        ("bank.exe", b"MZ\x90\x00", "", "can run programs"),
        ("bank.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "", "A question file is a text file"),
        ("bank.txt", b"just some words", "", "No questions were found"),
        ("bank.dat", b"::a:: b {=c ~d}", "", "choose it in the list"),
        ("bank.txt", b"<question>a\n<variant>b\n<variant>c", "nonsense", "Select a valid choice"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(client, world, name, content, fmt, message):
    client.force_login(world.tutor)
    before = rows()
    response = client.post(
        reverse("assessments:bank_import", args=[world.bank.pk]),
        {"file": upload(name, content), "format": fmt},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert rows() == before


def test_cancel_forgets_the_upload(client, world, settings):
    client.force_login(world.tutor)
    response = client.post(
        reverse("assessments:bank_import", args=[world.bank.pk]),
        {"file": upload("platonus_kk.txt")},
    )
    preview_url = response["Location"]
    kept = list((Path(settings.MEDIA_ROOT) / "question-imports").iterdir())
    assert len(kept) == 1
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    cancel = client.post(reverse("assessments:bank_import_cancel", args=[world.bank.pk, token]))
    assert cancel.status_code == 302
    assert not kept[0].exists()
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url).status_code == 404
    assert Question.objects.count() == 0


def test_a_token_of_another_bank_or_session_is_not_found(client, world):
    client.force_login(world.tutor)
    response = client.post(
        reverse("assessments:bank_import", args=[world.bank.pk]),
        {"file": upload("platonus_kk.txt")},
    )
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    other = QuestionBank.objects.create(title="Екінші", discipline=world.discipline)
    wrong = reverse("assessments:bank_import_preview", args=[other.pk, token])
    assert client.get(wrong).status_code == 404
    client.logout()
    client.force_login(user_with_role("admin"))
    assert client.get(response["Location"]).status_code == 404
    assert client.post(response["Location"]).status_code == 404
    assert Question.objects.count() == 0


def word_document(lines) -> bytes:
    """A Word document as Word writes it: its content types name the main document part."""
    import io
    import zipfile
    from xml.sax.saxutils import escape

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in lines)
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr(
            "word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>'
        )
    return buffer.getvalue()


def test_a_platonus_word_document_is_read(client, world):
    content = word_document(["<question>Домбыраның неше шегі бар?", "<variant>Екі", "<variant>Үш"])
    client.force_login(world.tutor)
    url = reverse("assessments:bank_import", args=[world.bank.pk])
    response = client.post(url, {"file": upload("тест.docx", content)})
    assert response.status_code == 302
    assert "1 question will be created" in client.get(response["Location"]).content.decode()
    refused = client.post(url, {"file": upload("тест.docx", content), "format": "gift"})
    assert refused.status_code == 400
    assert "Only Platonus questions can be read from a Word document." in refused.content.decode()


def test_a_viewer_who_may_not_edit_sees_no_key(client, world, monkeypatch):
    """Today whoever sees a bank may edit it; should a read-only audience appear, the preview
    must keep the key from it."""
    from qashyq.assessments import views_bank

    fill(world, "moodle_ru.xml", "moodlexml")
    monkeypatch.setattr(views_bank.policies, "can_edit_question", lambda user, question: False)
    client.force_login(world.tutor)
    pk = world.bank.pk
    tritone = Question.objects.get(current_version__name="Тритон")
    html = client.get(reverse("assessments:bank_question", args=[pk, tritone.pk])).content.decode()
    assert "увеличенная кварта" in html  # the options are shown ...
    assert "✓" not in html and "Answer key" not in html and "100%" not in html  # ... not the key
    assert "Тритон — это увеличенная кварта" not in html  # nor the feedback
    order = Question.objects.get(current_version__name="Порядок диезов")
    html = client.get(reverse("assessments:bank_question", args=[pk, order.pk])).content.decode()
    assert "<li>до-диез</li><li>ре-диез</li><li>соль-диез</li><li>фа-диез</li>" in html
    matching = Question.objects.get(current_version__name="Темпы")
    html = client.get(reverse("assessments:bank_question", args=[pk, matching.pk])).content.decode()
    assert "Largo</th><td>…</td>" in html
