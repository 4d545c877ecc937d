"""Demo data of the portal: the academy's published normative documents.

Run by ``manage.py seed_demo`` after ``accounts`` and ``academics`` (see the command's docstring).
The texts live in ``demo_documents/<slug>.<language>.md``; the calendar order gets its annex from
the current year's calendar events. Slugs are stable, so links to the documents keep working; a
second run changes a document only when its text in the source has changed.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from qashyq.academics import selectors as academics
from qashyq.academics.models import AcademicYear

from .models import DocumentKind, NormativeDocument

TEXTS = Path(__file__).resolve().parent / "demo_documents"
LANGS = ("kk", "ru", "en")

DLT_REGULATION = "dlt-regulation"
GRADING_POLICY = "grading-policy"
CALENDAR_ORDER = "academic-calendar-order"
CALENDAR_ORDER_NUMBER = "75-н"

TITLES = {
    DLT_REGULATION: (
        "Қашықтықтан оқыту технологияларын қолдана отырып оқу процесін ұйымдастыру туралы ереже",
        "Положение об организации учебного процесса с применением дистанционных "
        "образовательных технологий",
        "Regulation on organising the educational process with distance-learning technologies",
    ),
    GRADING_POLICY: (
        "Академиялық саясат: білімді бағалау шкаласы",
        "Академическая политика: шкала оценивания",
        "Academic policy: the grading scale",
    ),
    CALENDAR_ORDER: (
        "{year} оқу жылының академиялық күнтізбесін бекіту туралы бұйрық",
        "Приказ об утверждении академического календаря на {year} учебный год",
        "Order on approving the academic calendar for the {year} academic year",
    ),
}
_TABLE_HEAD = {
    "kk": "| Кезең мен іс-шара | Мерзімі |\n|---|---|",
    "ru": "| Период и мероприятие | Сроки |\n|---|---|",
    "en": "| Period and event | Dates |\n|---|---|",
}


def document_text(slug: str, language: str) -> str:
    return (TEXTS / f"{slug}.{language}.md").read_text(encoding="utf-8").strip() + "\n"


def calendar_table(year: AcademicYear, language: str) -> str:
    rows = [_TABLE_HEAD[language]]
    for event in academics.calendar_events(year):
        note = getattr(event, f"note_{language}") or event.get_kind_display()
        if event.starts_on == event.ends_on:
            dates = f"{event.starts_on:%d.%m.%Y}"
        else:
            dates = f"{event.starts_on:%d.%m.%Y} – {event.ends_on:%d.%m.%Y}"
        rows.append(f"| {note} | {dates} |")
    return "\n".join(rows)


def documents(year: AcademicYear | None, today: datetime.date) -> list[dict]:
    start = year.starts_on.year if year else today.year
    docs = [
        {
            "slug": DLT_REGULATION,
            "kind": DocumentKind.REGULATION,
            "position": 1,
            "approved_on": datetime.date(start - 1, 8, 28),
            "titles": TITLES[DLT_REGULATION],
            "bodies": [document_text(DLT_REGULATION, lang) for lang in LANGS],
        },
        {
            "slug": GRADING_POLICY,
            "kind": DocumentKind.RULES,
            "position": 2,
            "approved_on": datetime.date(start - 1, 8, 28),
            "titles": TITLES[GRADING_POLICY],
            "bodies": [document_text(GRADING_POLICY, lang) for lang in LANGS],
        },
    ]
    if year is not None:
        docs.append(
            {
                "slug": CALENDAR_ORDER,
                "kind": DocumentKind.ORDER,
                "position": 3,
                "approved_on": datetime.date(start, 8, 25),
                "titles": [t.format(year=year.title) for t in TITLES[CALENDAR_ORDER]],
                "bodies": [
                    document_text(CALENDAR_ORDER, lang)
                    .replace("{{year}}", year.title)
                    .replace("{{number}}", CALENDAR_ORDER_NUMBER)
                    .replace("{{table}}", calendar_table(year, lang))
                    for lang in LANGS
                ],
            }
        )
    return docs


def seed(ctx) -> None:
    year = academics.current_year()
    docs = documents(year, ctx.today)
    for doc in docs:
        values = {
            "kind": doc["kind"],
            "position": doc["position"],
            "approved_on": doc["approved_on"],
            "is_published": True,
        }
        for i, lang in enumerate(LANGS):
            values[f"title_{lang}"] = doc["titles"][i]
            values[f"body_{lang}"] = doc["bodies"][i]
        ctx.upsert(NormativeDocument, {"slug": doc["slug"]}, values)
    ctx.log(f"  portal: {len(docs)} normative documents")
