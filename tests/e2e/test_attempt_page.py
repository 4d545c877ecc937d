"""The student's exam page in Chromium against the real attempt API (issue 4, item 5).

What a student would notice: every answer reaches the server and survives a reload; with the
network gone the page says so, keeps the answers on the device and sends them when the network
returns; the time left follows the server's clock even when the computer's clock is wrong; at the
deadline the attempt is submitted by itself; a finished attempt refuses answers and says why; the
whole test can be answered from the keyboard; the offline answers file decrypts with the
attempt's key.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from qashyq.academics.models import Enrollment
from qashyq.accounts.models import User
from qashyq.assessments.models import Answer, Attempt, AttemptFile, AttemptState
from qashyq.assessments.services import bank_create, question_create
from qashyq.assessments.services.attempts import attempt_submit, offline_answers_apply
from qashyq.assessments.services.tests_admin import section_add, test_create, test_publish

pytestmark = pytest.mark.usefixtures("demo_academy")

STUDENT = "student"


def tr(message: str) -> str:
    """The page speaks Kazakh (the default); its strings come from the Django catalogue."""
    with translation.override("kk"):
        return translation.gettext(message)


# The questions of the exam, one of each type the page draws, in this order (no shuffling).
QUESTIONS = [
    (
        "single",
        "Қазақстанның астанасы?",
        {
            "options": [
                {"id": "a", "text": "Астана", "fraction": 1},
                {"id": "b", "text": "Алматы", "fraction": 0},
                {"id": "c", "text": "Шымкент", "fraction": 0},
            ]
        },
    ),
    ("short", "«Қара сөздің» авторы кім?", {"answers": [{"text": "Абай", "fraction": 1}]}),
    (
        "numerical",
        "Домбыраның неше ішегі бар?",
        {"answers": [{"value": 2, "tolerance": 0, "fraction": 1}]},
    ),
    ("truefalse", "Құрманғазы — күйші.", {"correct": True}),
    (
        "matching",
        "Күйді авторымен сәйкестендіріңіз.",
        {
            "pairs": [
                {"id": "1", "prompt": "Сарыарқа", "answer": "Құрманғазы"},
                {"id": "2", "prompt": "Сылқылдақ", "answer": "Тәттімбет"},
            ],
            "distractors": ["Дина"],
        },
    ),
    (
        "ordering",
        "Ғасырларды ретімен қойыңыз.",
        {
            "items": [
                {"id": "a", "text": "XVIII"},
                {"id": "b", "text": "XIX"},
                {"id": "c", "text": "XX"},
            ]
        },
    ),
    (
        "cloze",
        "Қобызда {{1}} ішек бар, ол {{2}} аспап.",
        {
            "gaps": [
                {
                    "id": "1",
                    "kind": "numerical",
                    "mark": 1,
                    "answers": [{"value": 2, "fraction": 1}],
                },
                {
                    "id": "2",
                    "kind": "single",
                    "mark": 1,
                    "options": [
                        {"id": "a", "text": "ысқышпен тартылатын", "fraction": 1},
                        {"id": "b", "text": "ұрмалы", "fraction": 0},
                    ],
                },
            ]
        },
    ),
    ("essay", "Сүйікті күйіңіз туралы жазыңыз.", {"response_format": "plain"}),
]
SLOT = {qtype: number for number, (qtype, _text, _data) in enumerate(QUESTIONS, start=1)}


def make_exam(**fields):
    """A published test with one question of each type, for a course the demo student takes."""
    student = User.objects.get(username=STUDENT)
    enrollment = (
        Enrollment.objects.filter(student=student, offering__tutors__isnull=False)
        .select_related("offering__discipline")
        .first()
    )
    assert enrollment is not None, "the demo student takes no course with a tutor"
    offering = enrollment.offering
    tutor = offering.tutors.first()
    bank = bank_create(actor=tutor, title="E2E exam page", discipline=offering.discipline)
    questions = [
        question_create(actor=tutor, bank=bank, qtype=qtype, text=text, data=data)
        for qtype, text, data in QUESTIONS
    ]
    settings = {
        "title": "РК1 · Өнертануға кіріспе",
        "time_limit": 40,
        "shuffle_questions": False,
        "shuffle_options": False,
        **fields,
    }
    test = test_create(actor=tutor, offering=offering, **settings)
    section_add(actor=tutor, test=test, questions=questions)
    test_publish(actor=tutor, test=test)
    return test


def the_attempt(test) -> Attempt:
    return Attempt.objects.get(test=test, student__username=STUDENT)


def saved(test) -> dict[int, object]:
    """The responses the server holds, by slot."""
    return {
        answer.slot.number: answer.response
        for answer in Answer.objects.filter(slot__attempt=the_attempt(test)).select_related("slot")
    }


def queued(page: Page) -> list[dict]:
    """What the page keeps in IndexedDB for later."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("qashyq-attempts");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const get = open.result.transaction("answers").objectStore("answers").getAll();
              get.onsuccess = () => { resolve(get.result); open.result.close(); };
            };
        })"""
    )


def wait_queued(page: Page, slots: set[int]) -> dict[int, dict]:
    """The queued answers once those of ``slots`` are all in IndexedDB (typing is debounced)."""
    for _attempt in range(50):
        rows = {row["slot"]: row for row in queued(page)}
        if slots <= set(rows):
            return rows
        page.wait_for_timeout(100)
    raise AssertionError(f"not queued in IndexedDB: {slots - set(rows)}")


def question(page: Page, qtype: str):
    return page.locator(f"#q-{SLOT[qtype]}")


def status(page: Page):
    return page.locator("#attempt-status")


def start(page: Page, log_in, test) -> None:
    log_in(page, STUDENT)
    page.goto(f"/tests/{test.pk}/take/")
    page.get_by_role("button", name=tr("Start the attempt")).click()
    expect(question(page, "single")).to_be_visible()


def test_answers_reach_the_server_and_come_back_after_a_reload(page: Page, log_in):
    test = make_exam()
    start(page, log_in, test)
    expect(page.get_by_role("heading", level=1)).to_have_text("РК1 · Өнертануға кіріспе")

    question(page, "single").get_by_label("Астана").check()
    question(page, "short").get_by_label(tr("Answer")).fill("Абай")
    question(page, "numerical").get_by_role("textbox").fill("2")
    question(page, "truefalse").get_by_label(tr("True")).check()
    question(page, "matching").get_by_role("combobox").nth(0).select_option("Құрманғазы")
    question(page, "matching").get_by_role("combobox").nth(1).select_option("Тәттімбет")
    question(page, "cloze").get_by_label(re.compile("1")).fill("2")
    question(page, "cloze").get_by_role("combobox").select_option(label="ысқышпен тартылатын")
    question(page, "essay").get_by_role("textbox").fill("Адай күйі")

    expect(status(page)).to_have_text(tr("Saved"))
    server = saved(test)
    assert server[SLOT["single"]] == "a"
    assert server[SLOT["short"]] == "Абай"
    assert server[SLOT["numerical"]] == "2"
    assert server[SLOT["truefalse"]] is True
    assert server[SLOT["matching"]] == {"1": "Құрманғазы", "2": "Тәттімбет"}
    assert sorted(server[SLOT["ordering"]]) == ["a", "b", "c"]  # the shown order counts
    assert server[SLOT["cloze"]] == {"1": "2", "2": "a"}
    assert server[SLOT["essay"]] == {"text": "Адай күйі", "files": []}
    assert queued(page) == []

    # A reload resumes the same attempt with every saved answer.
    page.reload()
    expect(question(page, "short").get_by_label(tr("Answer"))).to_have_value("Абай")
    expect(question(page, "single").get_by_label("Астана")).to_be_checked()
    expect(question(page, "essay").get_by_role("textbox")).to_have_value("Адай күйі")
    expect(question(page, "matching").get_by_role("combobox").nth(1)).to_have_value("Тәттімбет")
    assert Attempt.objects.filter(test=test).count() == 1

    # Finishing by hand.
    page.get_by_role("button", name=tr("Finish the attempt")).click()
    page.get_by_role("button", name=tr("Yes, finish")).click()
    expect(page.locator("#attempt-result")).to_contain_text(tr("The attempt is finished."))
    assert the_attempt(test).state == AttemptState.FINISHED
    expect(question(page, "short").get_by_label(tr("Answer"))).to_be_disabled()


def test_answers_typed_offline_are_kept_and_sent_when_the_network_returns(
    page: Page, context, log_in
):
    test = make_exam()
    start(page, log_in, test)
    question(page, "single").get_by_label("Алматы").check()
    expect(status(page)).to_have_text(tr("Saved"))

    context.set_offline(True)
    question(page, "short").get_by_label(tr("Answer")).fill("Абай Құнанбайұлы")
    question(page, "single").get_by_label("Астана").check()
    expect(status(page)).to_have_text(tr("Offline — your answers are kept on this device"))
    kept = wait_queued(page, {SLOT["short"], SLOT["single"]})
    assert kept[SLOT["short"]]["response"] == "Абай Құнанбайұлы"
    assert kept[SLOT["single"]]["response"] == "a"
    assert kept[SLOT["single"]]["seq"] == 2  # the second change of that question
    server = saved(test)
    assert server[SLOT["single"]] == "b"
    assert server[SLOT["short"]] is None

    context.set_offline(False)
    expect(status(page)).to_have_text(tr("Saved"), timeout=15_000)
    server = saved(test)
    assert server[SLOT["single"]] == "a"
    assert server[SLOT["short"]] == "Абай Құнанбайұлы"
    assert queued(page) == []


def test_answers_still_queued_at_a_reload_are_sent_after_it(page: Page, log_in):
    """An answer in IndexedDB that the server never acknowledged (the tab was closed while
    offline) is put back on the page and sent when the attempt is resumed."""
    test = make_exam()
    start(page, log_in, test)
    attempt = the_attempt(test)
    page.evaluate(
        """([attempt, slot]) => new Promise((resolve) => {
            const open = indexedDB.open("qashyq-attempts");
            open.onsuccess = () => {
              const tx = open.result.transaction("answers", "readwrite");
              tx.objectStore("answers").put({attempt, slot, seq: 5, response: "Жамбыл"});
              tx.oncomplete = () => { open.result.close(); resolve(); };
            };
        })""",
        [attempt.pk, SLOT["short"]],
    )
    page.reload()
    expect(question(page, "short").get_by_label(tr("Answer"))).to_have_value("Жамбыл")
    expect(status(page)).to_have_text(tr("Saved"))
    assert saved(test)[SLOT["short"]] == "Жамбыл"
    assert Answer.objects.get(slot__attempt=attempt, slot__number=SLOT["short"]).seq == 5
    assert queued(page) == []


# The computer's clock is three hours behind the real time.
SKEWED_CLOCK = """(() => {
  const skew = -3 * 3600 * 1000;
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + skew);
      else super(...args);
    }
    static now() { return RealDate.now() + skew; }
  }
  globalThis.Date = SkewedDate;
})();"""


def test_the_time_left_follows_the_server_clock_not_the_computer(page: Page, log_in):
    test = make_exam(time_limit=40)
    page.add_init_script(SKEWED_CLOCK)
    start(page, log_in, test)
    browser_now = page.evaluate("Date.now()") / 1000
    assert abs(browser_now - (timezone.now().timestamp() - 3 * 3600)) < 60  # the skew is on
    timer = page.locator("#attempt-timer")
    expect(timer).to_have_text(re.compile(r"^(39:[0-5]\d|40:00)$"))
    left = int(timer.get_attribute("data-seconds-left"))
    attempt = the_attempt(test)
    assert abs(left - (attempt.deadline - timezone.now()).total_seconds()) <= 3


def test_at_the_deadline_the_attempt_submits_itself(page: Page, log_in):
    test = make_exam(closes_at=timezone.now() + datetime.timedelta(seconds=25))
    start(page, log_in, test)
    question(page, "short").get_by_label(tr("Answer")).fill("Абай")
    expect(status(page)).to_have_text(tr("Saved"))
    result = page.locator("#attempt-result")
    expect(result).to_contain_text(
        tr("Time is up: the attempt has been submitted."), timeout=40_000
    )
    attempt = the_attempt(test)
    assert attempt.state == AttemptState.FINISHED
    assert saved(test)[SLOT["short"]] == "Абай"
    expect(question(page, "short").get_by_label(tr("Answer"))).to_be_disabled()


def test_a_finished_attempt_refuses_answers_and_says_why(page: Page, log_in):
    test = make_exam()
    start(page, log_in, test)
    expect(status(page)).to_have_text(tr("Saved"))  # the ordering's shown order is in
    attempt = the_attempt(test)
    attempt_submit(actor=attempt.student, attempt=attempt)  # e.g. from another device
    question(page, "short").get_by_label(tr("Answer")).fill("кеш")
    reason = tr("The attempt is finished; answers can no longer be changed.")
    expect(page.locator("#attempt-result")).to_contain_text(reason)
    expect(question(page, "single").get_by_label("Астана")).to_be_disabled()
    assert saved(test)[SLOT["short"]] is None
    # the refused answer is not lost: the page offers it as a file for the staff
    expect(page.get_by_role("button", name=tr("Download my answers"))).to_be_visible()


def test_the_whole_test_can_be_answered_from_the_keyboard(page: Page, log_in):
    test = make_exam()
    log_in(page, STUDENT)
    page.goto(f"/tests/{test.pk}/take/")
    start_button = page.get_by_role("button", name=tr("Start the attempt"))
    start_button.focus()
    page.keyboard.press("Enter")
    # focus lands on the first question
    expect(page.locator(":focus")).to_have_id(f"q{SLOT['single']}-title")

    keys = page.keyboard
    keys.press("Tab")  # the first option of the single choice
    keys.press("ArrowDown")  # Алматы
    keys.press("ArrowUp")  # Астана
    keys.press("Tab")  # "Clear my choice"
    keys.press("Tab")  # the short answer
    keys.type("Абай")
    keys.press("Tab")
    keys.type("2")  # numerical
    keys.press("Tab")  # true/false: the first radio
    keys.press("Space")
    keys.press("Tab")  # matching: first select
    keys.press("ArrowDown")
    keys.press("Tab")
    keys.press("ArrowDown")
    keys.press("ArrowDown")
    # ordering: move the first item down with its button
    ordering = question(page, "ordering")
    first_item = ordering.locator("li").first.inner_text().split("\n")[0].strip()
    keys.press("Tab")  # "Up" of the first item (disabled for moving, still reachable)
    keys.press("Tab")  # "Down" of the first item
    names_first_item = re.compile(re.escape(first_item))
    expect(page.locator(":focus")).to_have_attribute("aria-label", names_first_item)
    keys.press("Enter")
    expect(ordering.locator("li").nth(1)).to_contain_text(first_item)
    # the focus followed the item
    expect(page.locator(":focus")).to_have_attribute("aria-label", names_first_item)

    expect(status(page)).to_have_text(tr("Saved"))
    server = saved(test)
    assert server[SLOT["single"]] == "a"
    assert server[SLOT["short"]] == "Абай"
    assert server[SLOT["numerical"]] == "2"
    assert server[SLOT["truefalse"]] is True
    assert len(server[SLOT["matching"]]) == 2
    assert server[SLOT["ordering"]][1] == next(
        item_id
        for item_id, text in (("a", "XVIII"), ("b", "XIX"), ("c", "XX"))
        if text == first_item
    )


def test_the_offline_answers_file_carries_the_answers_into_the_attempt(page: Page, context, log_in):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    test = make_exam()
    # wait 1 s of silence instead of 30 before offering the file
    page.add_init_script("window.QASHYQ_ATTEMPT_OPTIONS = {offlineDownloadAfterMs: 1000};")
    start(page, log_in, test)
    context.set_offline(True)
    question(page, "short").get_by_label(tr("Answer")).fill("Мағжан")
    button = page.get_by_role("button", name=tr("Download my answers"))
    expect(button).to_be_visible(timeout=10_000)
    with page.expect_download() as info:
        button.click()
    document = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    attempt = the_attempt(test)
    assert document["attempt"] == attempt.pk
    plain = AESGCM(base64.b64decode(attempt.offline_key)).decrypt(
        base64.b64decode(document["iv"]), base64.b64decode(document["ciphertext"]), None
    )
    answers = {a["slot"]: a for a in json.loads(plain)["answers"]}
    assert answers[SLOT["short"]]["response"] == "Мағжан"
    assert answers[SLOT["short"]]["seq"] == 1
    assert "Мағжан" not in json.dumps(document, ensure_ascii=False)  # encrypted, not readable
    # the tutor uploads it into the attempt: the answer the server never got is there
    tutor = test.offering.tutors.first()
    offline_answers_apply(actor=tutor, attempt=attempt, document=document)
    assert saved(test)[SLOT["short"]] == "Мағжан"


def test_a_sequential_test_shows_one_question_at_a_time_with_no_way_back(page: Page, log_in):
    test = make_exam(navigation="sequential")
    start(page, log_in, test)
    expect(page.locator(".attempt-q")).to_have_count(1)
    question(page, "single").get_by_label("Астана").check()
    page.get_by_role("button", name=tr("Next question")).click()
    expect(question(page, "short")).to_be_visible()
    expect(question(page, "single")).to_have_count(0)
    expect(page.locator(".attempt-q")).to_have_count(1)
    question(page, "short").get_by_label(tr("Answer")).fill("Абай")
    expect(status(page)).to_have_text(tr("Saved"))
    server = saved(test)
    assert server[SLOT["single"]] == "a"
    assert server[SLOT["short"]] == "Абай"
    assert the_attempt(test).current_slot == 2
    # a reload comes back to the current question, not to the first one
    page.reload()
    expect(question(page, "short").get_by_label(tr("Answer"))).to_have_value("Абай")
    expect(question(page, "single")).to_have_count(0)


def test_a_password_is_asked_before_the_start(page: Page, log_in):
    test = make_exam(password="dombyra")
    log_in(page, STUDENT)
    page.goto(f"/tests/{test.pk}/take/")
    password = page.get_by_label(tr("Password of the test"))
    password.fill("qobyz")
    page.get_by_role("button", name=tr("Start the attempt")).click()
    expect(page.locator("#attempt-start-error")).to_have_text(tr("The password is not right."))
    assert not Attempt.objects.filter(test=test).exists()
    password.fill("dombyra")
    page.get_by_role("button", name=tr("Start the attempt")).click()
    expect(question(page, "single")).to_be_visible()
    assert the_attempt(test).state == AttemptState.IN_PROGRESS


def test_the_page_is_only_for_the_students_of_the_course(page: Page, log_in, no_staff_mfa):
    test = make_exam()
    tutor = test.offering.tutors.first()
    log_in(page, tutor.username)
    expect(page).not_to_have_url(re.compile("/accounts/login/"))
    response = page.goto(f"/tests/{test.pk}/take/")
    assert response.status == 403
    assert page.goto("/tests/999999/take/").status == 404


# --- files: a drawing for a file question ---------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def make_file_exam():
    """A test with a single choice and a file question asking for an image."""
    student = User.objects.get(username=STUDENT)
    offering = (
        Enrollment.objects.filter(student=student, offering__tutors__isnull=False)
        .select_related("offering__discipline")
        .first()
        .offering
    )
    tutor = offering.tutors.first()
    bank = bank_create(actor=tutor, title="E2E files", discipline=offering.discipline)
    questions = [
        question_create(actor=tutor, bank=bank, qtype=qtype, text=text, data=data)
        for qtype, text, data in (
            QUESTIONS[0],
            (
                "file",
                "Домбыраның суретін салыңыз.",
                {
                    "accept": ["image"],
                    "max_files": 1,
                },
            ),
        )
    ]
    test = test_create(
        actor=tutor, offering=offering, title="Сурет", shuffle_questions=False, time_limit=40
    )
    section_add(actor=tutor, test=test, questions=questions)
    test_publish(actor=tutor, test=test)
    return test


def drawing():
    return {"name": "домбыра.png", "mimeType": "image/png", "buffer": PNG}


def test_a_drawing_attached_to_a_file_question_stays_attached_after_a_reload(page: Page, log_in):
    test = make_file_exam()
    start(page, log_in, test)
    box = page.locator("#q-2")
    chooser = box.get_by_label(tr("Choose a file"))
    assert "image/png" in chooser.get_attribute("accept")
    chooser.set_input_files(drawing())
    expect(box.get_by_role("link", name="домбыра.png")).to_be_visible()
    expect(status(page)).to_have_text(tr("Saved"))
    [uploaded] = AttemptFile.objects.filter(attempt=the_attempt(test))
    assert uploaded.kind == "png" and uploaded.size == len(PNG)
    assert saved(test)[2] == {"files": [uploaded.pk]}
    expect(chooser).to_be_disabled()  # one file allowed

    page.reload()
    link = page.locator("#q-2").get_by_role("link", name="домбыра.png")
    expect(link).to_be_visible()
    download = page.request.get(link.get_attribute("href"))
    assert download.status == 200 and download.body() == PNG

    page.get_by_role("button", name=tr("Finish the attempt")).click()
    page.get_by_role("button", name=tr("Yes, finish")).click()
    expect(page.locator("#attempt-result")).to_contain_text(tr("The attempt is finished."))
    assert the_attempt(test).state == AttemptState.FINISHED
    assert saved(test)[2] == {"files": [uploaded.pk]}


def test_a_drawing_chosen_offline_waits_on_the_device_and_is_uploaded_when_back(
    page: Page, context, log_in
):
    test = make_file_exam()
    start(page, log_in, test)
    expect(status(page)).to_have_text(tr("Saved"))
    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    box = page.locator("#q-2")
    box.get_by_label(tr("Choose a file")).set_input_files(drawing())
    expect(box).to_contain_text(
        tr("{name} is kept on this device and will be uploaded when the network returns.").replace(
            "{name}", "домбыра.png"
        )
    )
    assert not AttemptFile.objects.exists()
    # the file itself waits in IndexedDB (a reload or a closed tab would not lose it)
    assert waiting_files(page) == [["домбыра.png", len(PNG)]]
    context.set_offline(False)
    expect(box.get_by_role("link", name="домбыра.png")).to_be_visible(timeout=15_000)
    expect(status(page)).to_have_text(tr("Saved"))
    [uploaded] = AttemptFile.objects.filter(attempt=the_attempt(test))
    assert saved(test)[2] == {"files": [uploaded.pk]}
    assert waiting_files(page) == []


def waiting_files(page: Page) -> list:
    """The files the page keeps in IndexedDB until they are uploaded: [name, size]."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("qashyq-attempts");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const get = open.result.transaction("uploads").objectStore("uploads").getAll();
              get.onsuccess = () => {
                resolve(get.result.map((row) => [row.name, row.blob.size]));
                open.result.close();
              };
            };
        })"""
    )


def test_a_file_still_waiting_at_a_reload_is_uploaded_after_it(page: Page, log_in):
    """A file chosen offline in a tab that was then closed is uploaded and attached when the
    attempt is resumed."""
    test = make_file_exam()
    start(page, log_in, test)
    attempt = the_attempt(test)
    page.evaluate(
        """([attempt, bytes]) => new Promise((resolve) => {
            const open = indexedDB.open("qashyq-attempts");
            open.onsuccess = () => {
              const tx = open.result.transaction("uploads", "readwrite");
              const blob = new Blob([new Uint8Array(bytes)], {type: "image/png"});
              tx.objectStore("uploads").add(
                {attempt, slot: 2, name: "қобыз.png", type: "image/png", blob});
              tx.oncomplete = () => { open.result.close(); resolve(); };
            };
        })""",
        [attempt.pk, list(PNG)],
    )
    page.reload()
    expect(page.locator("#q-2").get_by_role("link", name="қобыз.png")).to_be_visible()
    expect(status(page)).to_have_text(tr("Saved"))
    [uploaded] = AttemptFile.objects.filter(attempt=attempt)
    assert uploaded.original_name == "қобыз.png" and saved(test)[2] == {"files": [uploaded.pk]}
    assert waiting_files(page) == []


# The browser's microphone is a tone: a real MediaRecorder records it into a real WebM file.
TONE_MICROPHONE = """(() => {
  navigator.mediaDevices.getUserMedia = async () => {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const out = audio.createMediaStreamDestination();
    tone.connect(out);
    tone.start();
    return out.stream;
  };
})();"""


def test_a_recording_made_in_the_page_is_uploaded_as_the_answer(page: Page, log_in):
    student = User.objects.get(username=STUDENT)
    offering = (
        Enrollment.objects.filter(student=student, offering__tutors__isnull=False).first().offering
    )
    tutor = offering.tutors.first()
    bank = bank_create(actor=tutor, title="E2E recording", discipline=offering.discipline)
    sing = question_create(
        actor=tutor,
        bank=bank,
        qtype="file",
        text="Әнді орындап жазып алыңыз.",
        data={"accept": ["audio"], "max_files": 1},
    )
    test = test_create(actor=tutor, offering=offering, title="Ән", time_limit=40)
    section_add(actor=tutor, test=test, questions=[sing])
    test_publish(actor=tutor, test=test)
    page.add_init_script(TONE_MICROPHONE)
    log_in(page, STUDENT)
    page.goto(f"/tests/{test.pk}/take/")
    page.get_by_role("button", name=tr("Start the attempt")).click()
    record = page.get_by_role("button", name=tr("Record"))
    record.click()
    expect(page.get_by_role("button", name=tr("Stop recording"))).to_be_visible()
    page.wait_for_timeout(1500)
    page.get_by_role("button", name=tr("Stop recording")).click()
    expect(page.locator("#q-1").get_by_role("link", name=re.compile(r"\.webm$"))).to_be_visible()
    expect(status(page)).to_have_text(tr("Saved"))
    [uploaded] = AttemptFile.objects.filter(attempt=the_attempt(test))
    assert uploaded.kind == "webm" and uploaded.mime_type.endswith("/webm")
    assert uploaded.size > 100
    assert saved(test)[1] == {"files": [uploaded.pk]}
