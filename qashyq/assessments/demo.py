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
"""

from __future__ import annotations

from pathlib import Path

from qashyq.academics.models import Discipline
from qashyq.core.models import AuditLogEntry

from . import formats, imports, policies, services
from .models import QuestionBank

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
