"""The demo academy's previous academic year: the course offerings its groups studied then.

``qashyq.academics.demo`` creates the previous year (its periods and calendar) but offerings
only for the current year. The journals, statements and final grades of the previous year
(``qashyq.gradebook.demo``) need the offerings the groups studied a year earlier: a group now in
year *n* (n >= 2) was then in year *n - 1*, so it studied its program's semesters 2n - 3 and
2n - 2 (semester 1 and semester 2 of that year). First-year groups have no previous year.

As in the current year, one offering per discipline and language of instruction is shared by
the groups of that language, taught by the discipline's tutors of ``catalogue.DISCIPLINES``,
and every active student of the groups is enrolled (``offering_create`` /
``offering_add_groups``). Offerings are looked up by (discipline, period, language) before
they are created, so a second run creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qashyq.accounts.models import User

from .. import services
from ..models import AcademicPeriod, CourseOffering, PeriodKind, StudyGroup
from .catalogue import DISCIPLINES, curriculum

# period kind -> the semester of a year of study it holds: 2n - 1 for semester 1, 2n for 2
SEMESTER_PARITY = ((PeriodKind.SEMESTER_1, 1), (PeriodKind.SEMESTER_2, 0))


@dataclass
class PastOffering:
    """An offering of the previous year with the groups (of the demo) that studied in it."""

    offering: CourseOffering
    groups: list[StudyGroup] = field(default_factory=list)


def tutors_for(code: str, language: str, users: dict[str, User]) -> list[User]:
    """The tutors of a discipline in a language, as ``catalogue.DISCIPLINES`` names them."""
    names = {row[0]: row[7] for row in DISCIPLINES}[code]
    if isinstance(names, dict):
        names = names[language]
    if isinstance(names, str):
        names = (names,)
    return [users[name] for name in names]


def previous_periods(year_start: int) -> dict[str, AcademicPeriod]:
    """The periods of the academic year before the one starting in ``year_start``."""
    title = f"{year_start - 1}-{year_start}"
    return {
        period.kind: period
        for period in AcademicPeriod.objects.filter(year__title=title).select_related("year")
    }


def seed_previous_offerings(ctx, year_start: int) -> list[PastOffering]:
    """Create (once) the previous year's offerings of the demo groups; return them with the
    groups that studied in each, semester 1 first, then by discipline code and language."""
    groups: list[StudyGroup] = ctx.objects["groups"]
    disciplines = ctx.objects["disciplines"]
    users = ctx.objects["users"]
    periods = previous_periods(year_start)
    past: list[PastOffering] = []
    for kind, parity in SEMESTER_PARITY:
        period = periods.get(kind)
        if period is None:
            continue
        wanted: dict[tuple[str, str], list[StudyGroup]] = {}
        for group in groups:
            year_then = group.year_of_study - 1
            if year_then < 1:
                continue  # a first-year group did not study here a year ago
            for code in curriculum(group.program.code, year_then * 2 - parity):
                wanted.setdefault((code, group.language), []).append(group)
        existing = {
            (o.discipline.code, o.language): o
            for o in CourseOffering.objects.filter(period=period)
            .select_related("discipline__department", "period__year")
            .prefetch_related("groups")
        }
        for (code, language), offering_groups in sorted(wanted.items()):
            offering = existing.get((code, language))
            if offering is None:
                offering = services.offering_create(
                    actor=ctx.actor,
                    discipline=disciplines[code],
                    period=period,
                    language=language,
                    groups=offering_groups,
                    tutors=tutors_for(code, language, users),
                    check=False,
                )
                offering = (
                    CourseOffering.objects.select_related("discipline__department", "period__year")
                    .filter(pk=offering.pk)
                    .get()
                )
            else:
                attached = {g.pk for g in offering.groups.all()}
                missing = [g for g in offering_groups if g.pk not in attached]
                if missing:
                    services.offering_add_groups(
                        actor=ctx.actor, offering=offering, groups=missing, check=False
                    )
            past.append(PastOffering(offering=offering, groups=offering_groups))
    return past
