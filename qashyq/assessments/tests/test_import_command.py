"""``manage.py import_questions``: its summary, its rejections with line numbers, exit codes."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from qashyq.academics.tests.factories import CourseOfferingFactory, DisciplineFactory
from qashyq.accounts.tests.factories import UserFactory, user_with_role
from qashyq.assessments import formats
from qashyq.assessments.models import Question, QuestionBank, QuestionCategory
from qashyq.core.models import AuditLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SAMPLES = Path(formats.__file__).resolve().parent / "samples"


@pytest.fixture
def world(db):
    discipline = DisciplineFactory(code="HKA3101")
    tutor = UserFactory(username="tutor")
    CourseOfferingFactory(discipline=discipline, tutors=[tutor])
    bank = QuestionBank.objects.create(title="Тарих", discipline=discipline)
    admin = user_with_role("admin", username="root")
    return discipline, tutor, bank, admin


def run(*args):
    out = StringIO()
    call_command("import_questions", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_imports_a_platonus_file_and_prints_the_summary(world):
    _discipline, tutor, bank, _admin = world
    out = run(
        SAMPLES / "platonus_kk.txt",
        "--format=platonus",
        "--bank=Тарих",
        "--category=РК1 / Platonus",
        "--actor=tutor",
    )
    assert "Single choice: 16" in out
    assert "Total: 16" in out
    assert "Imported 16 question(s)." in out
    assert "Acting as: tutor" in out
    assert Question.objects.filter(bank=bank, category__name="Platonus").count() == 16
    assert QuestionCategory.objects.get(name="Platonus").parent.name == "РК1"
    assert AuditLogEntry.objects.get(action="questions.import").actor == tutor


def test_rejections_are_listed_with_lines_and_nothing_is_written(world):
    with pytest.raises(CommandError) as refused:
        run(SAMPLES / "gift_malformed.gift", "--bank=Тарих", "--actor=tutor")
    assert "Nothing was imported: 9 question(s) rejected" in str(refused.value)
    assert Question.objects.count() == 0
    # the output before the error lists every rejection with its line
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_questions",
            str(SAMPLES / "gift_malformed.gift"),
            "--bank=Тарих",
            "--actor=tutor",
            stdout=out,
        )
    text = out.getvalue()
    assert "Rejected questions: 9" in text
    assert "line 3: Unbalanced braces" in text
    assert "line 9: “төрт жүз қырық” is not a number." in text
    assert "Single choice: 1" in text and "Numerical: 1" in text


def test_skip_rejected_imports_the_rest_and_succeeds(world):
    out = run(SAMPLES / "moodle_malformed.xml", "--bank=Тарих", "--actor=tutor", "--skip-rejected")
    assert "line 3: The question type “calculated” is not supported." in out
    assert "Imported 1 question(s). 9 rejected question(s) skipped." in out
    assert Question.objects.count() == 1


def test_dry_run_writes_nothing(world):
    out = run(SAMPLES / "moodle_ru.xml", "--bank=Тарих", "--actor=tutor", "--dry-run")
    assert "Dry run: nothing was written." in out
    assert "Ordering: 1" in out and "File response: 1" in out
    assert Question.objects.count() == 0
    assert not AuditLogEntry.objects.exists()


def test_without_actor_the_system_administrator_imports(world):
    out = run(SAMPLES / "platonus_ru_cp1251.txt", "--bank=Тарих")
    assert "Acting as: root" in out
    assert Question.objects.count() == 15


def test_discipline_creates_the_bank_when_missing(world):
    run(
        SAMPLES / "gift_kk.gift",
        "--bank=  Жаңа   банк ",
        "--discipline=HKA3101",
        "--actor=tutor",
    )
    bank = QuestionBank.objects.get(title="Жаңа банк")
    assert bank.discipline.code == "HKA3101"
    assert bank.questions.count() == 21
    # a dry run for a bank that does not exist yet creates nothing
    out = run(SAMPLES / "gift_kk.gift", "--bank=Тағы бір", "--discipline=HKA3101", "--dry-run")
    assert "will be created" in out
    assert not QuestionBank.objects.filter(title="Тағы бір").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bank=Жоқ", "--actor=tutor"], "No question bank named “Жоқ”"),
        (["--bank=Тарих", "--actor=nobody"], "There is no active user nobody."),
        (["--bank=Тарих", "--discipline=XXX"], "There is no discipline with the code XXX."),
        (["--bank=Тарих", "--format=moodlexml", "--actor=tutor"], "The XML file is malformed"),
    ],
)
def test_errors_exit_without_writing(world, args, message):
    with pytest.raises(CommandError, match=message):
        run(SAMPLES / "platonus_kk.txt", *args)
    assert Question.objects.count() == 0


def test_a_user_who_may_not_edit_the_bank_is_refused(world):
    UserFactory(username="stranger")
    with pytest.raises(CommandError, match="No question bank named"):
        run(SAMPLES / "platonus_kk.txt", "--bank=Тарих", "--actor=stranger")
    with pytest.raises(CommandError, match="may not add questions to this bank"):
        run(SAMPLES / "platonus_kk.txt", "--bank=Тарих", "--discipline=HKA3101", "--actor=stranger")
    for dry_run in ([], ["--dry-run"]):
        with pytest.raises(CommandError, match="may not create question banks"):
            run(
                SAMPLES / "platonus_kk.txt",
                "--bank=Жаңа",
                "--discipline=HKA3101",
                "--actor=stranger",
                *dry_run,
            )
    assert QuestionBank.objects.count() == 1
    assert Question.objects.count() == 0


def test_missing_file_and_unknown_extension(world, tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        run(tmp_path / "absent.txt", "--bank=Тарих")
    odd = tmp_path / "bank.dat"
    odd.write_text("::a:: b {=c ~d}", encoding="utf-8")
    with pytest.raises(CommandError, match="give --format"):
        run(odd, "--bank=Тарих")


def test_the_process_exits_with_1_on_an_error(tmp_path):
    """The exit code as a shell script sees it (a CommandError, as for a refused import)."""
    manage = Path(__file__).resolve().parents[3] / "manage.py"
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, str(manage), "import_questions", str(tmp_path / "absent.txt"), "--bank=X"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "absent.txt" in done.stderr
