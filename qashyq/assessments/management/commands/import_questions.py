"""``manage.py import_questions FILE --bank NAME``: import a Platonus, GIFT or Moodle XML file.

    manage.py import_questions FILE [--format platonus|gift|moodlexml] --bank NAME
        [--discipline CODE | --department CODE] [--category PATH] [--dry-run] [--skip-rejected]
        [--actor USERNAME]

Prints the accepted questions per type and every rejected question with its line and reason.
All or nothing: when a question is rejected nothing is written and the exit code is 1, unless
``--skip-rejected`` is given (``--dry-run`` exits the same way, so it can check a file).

The bank is found by its title. With ``--discipline CODE`` (or ``--department CODE``) it is
looked for among that owner's banks and created when missing; without either, among every bank
the actor may edit (refused when none or several carry the title). ``--category A/B`` puts the
questions under that category path (created when missing); the file's own categories (GIFT
``$CATEGORY``, Moodle XML) go below it. The import is made in the name of ``--actor`` and checked
against their rights; without it, of the site's system administrator (the earliest active user
holding the site-wide administrator role). The format is guessed from the file's extension when
``--format`` is left out (.txt and .docx: Platonus, .gift: GIFT, .xml: Moodle XML).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qashyq.academics.models import Department, Discipline
from qashyq.accounts.models import User
from qashyq.accounts.roles import Role, ScopeType
from qashyq.assessments import formats, imports, policies, selectors, services
from qashyq.assessments.models import QType, QuestionBank
from qashyq.core.errors import ApplicationError


def _title(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def category_path(value: str) -> tuple[str, ...]:
    """``"Алгебра / Теңдеулер"`` → ``("Алгебра", "Теңдеулер")``; empty parts are dropped."""
    return tuple(part.strip() for part in (value or "").split("/") if part.strip())


class Command(BaseCommand):
    help = (
        "Import questions from a Platonus (.txt, .docx), GIFT or Moodle XML file into a question "
        "bank: all or nothing unless --skip-rejected; prints every rejected question with its line."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the question file")
        parser.add_argument(
            "--format",
            choices=formats.FORMATS,
            help="platonus, gift or moodlexml (default: from the file's extension)",
        )
        parser.add_argument("--bank", required=True, help="the title of the question bank")
        owner = parser.add_mutually_exclusive_group()
        owner.add_argument(
            "--discipline", metavar="CODE", help="the bank's discipline (creates the bank if new)"
        )
        owner.add_argument(
            "--department", metavar="CODE", help="the bank's department (creates the bank if new)"
        )
        parser.add_argument(
            "--category", default="", metavar="PATH", help="target category path, e.g. 'A/B'"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--skip-rejected",
            action="store_true",
            help="import the accepted questions even when some are rejected",
        )
        parser.add_argument("--actor", metavar="USERNAME", help="import in this user's name")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("The file %(file)s cannot be read: %(error)s")
                % {"file": path, "error": exc.strerror or exc}
            ) from exc
        file_format = options["format"] or imports.guess_format(path.name, content)
        if file_format is None:
            raise CommandError(
                _("The format of %(file)s is not known from its name: give --format.")
                % {"file": path.name}
            )
        actor = self._actor(options["actor"])
        try:
            bank, new_bank = self._bank(actor, options)
            result = formats.parse(content, format=file_format, filename=path.name)
            report = imports.questions_import(
                actor=actor,
                bank=bank,
                result=result,
                category_path=category_path(options["category"]),
                skip_rejected=options["skip_rejected"],
                dry_run=options["dry_run"] or bank.pk is None,
                source_name=path.name,
                source_format=file_format,
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self._print(path, file_format, bank, new_bank, actor, report, options)
        if report.refused:
            raise CommandError(
                _(
                    "Nothing was imported: %(count)s question(s) rejected. Correct the file, or "
                    "run again with --skip-rejected to import the others."
                )
                % {"count": len(report.rejected)}
            )

    # --- resolving the actor and the bank -------------------------------------------------------

    def _actor(self, username: str | None) -> User:
        if username:
            actor = User.objects.filter(username__iexact=username, is_active=True).first()
            if actor is None:
                raise CommandError(_("There is no active user %(name)s.") % {"name": username})
            return actor
        actor = (
            User.objects.filter(
                is_active=True,
                role_assignments__role=Role.ADMIN,
                role_assignments__scope_type=ScopeType.SITE,
            )
            .order_by("pk")
            .first()
        )
        if actor is None:
            raise CommandError(
                _("There is no system administrator to import in the name of: give --actor.")
            )
        return actor

    def _bank(self, actor, options) -> tuple[QuestionBank, bool]:
        """The bank and whether it is new. A new bank is saved unless this is a dry run."""
        title = _title(options["bank"])
        if options["discipline"] or options["department"]:
            if options["discipline"]:
                owner = (
                    Discipline.objects.select_related("department")
                    .filter(code=options["discipline"])
                    .first()
                )
                key = "discipline"
            else:
                owner = Department.objects.filter(code=options["department"]).first()
                key = "department"
            if owner is None:
                message = (
                    _("There is no discipline with the code %(code)s.")
                    if key == "discipline"
                    else _("There is no department with the code %(code)s.")
                )
                raise CommandError(message % {"code": options[key]})
            bank = (
                QuestionBank.objects.select_related("discipline__department", "department")
                .filter(title=title, **{key: owner})
                .first()
            )
            if bank is not None:
                return bank, False
            if options["dry_run"]:
                if not policies.can_create_bank(actor, **{key: owner}):
                    raise CommandError(_("You may not create question banks here."))
                return QuestionBank(title=title, **{key: owner}), True
            return services.bank_create(actor=actor, title=title, **{key: owner}), True
        banks = list(selectors.visible_banks(actor).filter(title=title)[:10])
        if not banks:
            raise CommandError(
                _(
                    "No question bank named “%(title)s” that %(user)s may edit. To create it, "
                    "give its owner: --discipline CODE or --department CODE."
                )
                % {"title": title, "user": actor.username}
            )
        if len(banks) > 1:
            owners = ", ".join(self._owner(bank) for bank in banks)
            raise CommandError(
                _(
                    "Several question banks are named “%(title)s” (%(owners)s): "
                    "give --discipline CODE or --department CODE."
                )
                % {"title": title, "owners": owners}
            )
        return banks[0], False

    @staticmethod
    def _owner(bank: QuestionBank) -> str:
        if bank.discipline_id is not None:
            return f"{bank.discipline.code} {bank.discipline.name}"
        return f"{bank.department.code} {bank.department.name}"

    # --- the report -----------------------------------------------------------------------------

    def _print(self, path, file_format, bank, new_bank, actor, report, options) -> None:
        write = self.stdout.write
        write(_("File: %(file)s (%(format)s)") % {"file": path.name, "format": file_format})
        bank_line = _("Bank: %(title)s (%(owner)s)") % {
            "title": bank.title,
            "owner": self._owner(bank),
        }
        if new_bank:
            bank_line += " — " + (_("will be created") if bank.pk is None else _("created"))
        write(bank_line)
        target = " / ".join(category_path(options["category"])) or _("the top of the bank")
        write(_("Category: %(path)s") % {"path": target})
        write(_("Acting as: %(user)s") % {"user": actor.username})
        write("")
        write(_("Accepted questions by type:"))
        labels = dict(QType.choices)
        for qtype, count in report.counts.items():
            write(f"  {labels.get(qtype, qtype)}: {count}")
        write("  " + _("Total: %(count)s") % {"count": report.accepted})
        if report.rejected:
            write("")
            write(_("Rejected questions: %(count)s") % {"count": len(report.rejected)})
            for rejection in report.rejected:
                write(
                    "  "
                    + _("line %(line)s: %(reason)s")
                    % {"line": rejection.line, "reason": rejection.reason}
                )
                if rejection.source:
                    write(f"      {rejection.source.splitlines()[0][:100]}")
        write("")
        if report.written:
            write(
                self.style.SUCCESS(
                    _("Imported %(count)s question(s).") % {"count": report.created}
                    + (
                        " "
                        + _("%(count)s rejected question(s) skipped.")
                        % {"count": len(report.rejected)}
                        if report.rejected
                        else ""
                    )
                )
            )
        elif report.dry_run and not report.refused:
            write(_("Dry run: nothing was written."))
