"""A rector's order (or a student's extract of it) as an A4 PDF in kk, ru or en.

WeasyPrint with DejaVu Sans, which covers the Kazakh letters. The heading is trilingual as on the
university's letterhead ("БҰЙРЫҚ / ПРИКАЗ / ORDER"); the rest is in the language asked for
(``?lang=``). When the order has no preamble of its own, the standard one for its kind cites the
DLT regulation (admission) or the final attestation (graduation) in the language of the PDF.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .models import OrderKind, RectorOrder
from .selectors import admission as selectors

LANGUAGES = ("kk", "ru", "en")

# The standard preambles are legal text of the document (like the programs' names, kept in the
# three languages), not interface strings.
STANDARD_PREAMBLES = {
    OrderKind.DLT_ADMISSION: {
        "kk": (
            "Қазақстан Республикасы Білім және ғылым министрінің 2015 жылғы 20 наурыздағы "
            "№ 137 бұйрығымен бекітілген Қашықтықтан білім беру технологиялары бойынша оқу "
            "процесін ұйымдастыру қағидаларына сәйкес және қабылдау комиссиясының шешімі "
            "негізінде БҰЙЫРАМЫН: төменде аталған білім алушылар қашықтықтан білім беру "
            "технологиялары бойынша оқуға қабылдансын."
        ),
        "ru": (
            "В соответствии с Правилами организации учебного процесса по дистанционным "
            "образовательным технологиям, утверждёнными приказом Министра образования и науки "
            "Республики Казахстан от 20 марта 2015 года № 137, и на основании решения приёмной "
            "комиссии ПРИКАЗЫВАЮ: допустить нижеперечисленных обучающихся к обучению по "
            "дистанционным образовательным технологиям."
        ),
        "en": (
            "In accordance with the Rules for organising the educational process using distance "
            "learning technologies, approved by order No. 137 of the Minister of Education and "
            "Science of the Republic of Kazakhstan of 20 March 2015, and on the decision of the "
            "admission committee, I ORDER: the students listed below are admitted to study by "
            "distance learning technologies."
        ),
    },
    OrderKind.GRADUATION: {
        "kk": (
            "Қорытынды аттестаттау нәтижелері және аттестаттау комиссиясының шешімі негізінде "
            "БҰЙЫРАМЫН: төменде аталған білім алушыларға дипломдар берілсін және олар оқу "
            "орнын бітірген деп есептелсін."
        ),
        "ru": (
            "На основании результатов итоговой аттестации и решения аттестационной комиссии "
            "ПРИКАЗЫВАЮ: выдать дипломы нижеперечисленным обучающимся и считать их "
            "окончившими обучение."
        ),
        "en": (
            "On the results of the final attestation and the decision of the attestation "
            "commission, I ORDER: diplomas are awarded to the students listed below, who are "
            "deemed to have graduated."
        ),
    },
}


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else "kk"


def preamble_of(order: RectorOrder, language: str) -> str:
    if order.preamble:
        return order.preamble
    return STANDARD_PREAMBLES.get(order.kind, {}).get(language_of(language), "")


def order_html(order: RectorOrder, *, language: str, only_student_id: int | None = None) -> str:
    """The order's HTML; with ``only_student_id`` an extract with that student's line only."""
    language = language_of(language)
    with translation.override(language):
        rows = selectors.order_rows(order, only_student_id=only_student_id)
        return render_to_string(
            "registrar/orders/order_pdf.html",
            {
                "order": order,
                "rows": [
                    {
                        "number": row.number,
                        "name": row.student.full_name,
                        "program": (
                            f"{row.program.code} {selectors.program_name(row.program, language)}"
                            if row.program is not None
                            else ""
                        ),
                        "ground": row.ground,
                    }
                    for row in rows
                ],
                "extract": only_student_id is not None,
                "language": language,
                "preamble": preamble_of(order, language),
                "ACADEMY_NAME": getattr(settings, "QASHYQ_ACADEMY_NAME", "Qashyq"),
            },
        )


def order_pdf(order: RectorOrder, *, language: str, only_student_id: int | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(
        string=order_html(order, language=language, only_student_id=only_student_id)
    ).write_pdf()
