"""Demo independent work (run by ``manage.py seed_demo`` after academics and courses).

One published SRO task with a rubric in the first course that the demo ``tutor`` teaches to the
demo ``student``, with three submissions: the ``student`` login's essay, a near-copy of it by a
classmate (sentences reordered, words changed, typed partly without Kazakh letters) and an
independent essay; the similarity report flags the near-copy pair. The task's e-journal column
is the weekly mark of the week it is due (none when that week is past the period). Everything
goes through the services; a course that has the task already is left as it is, so a second
run creates nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from qashyq.academics.models import CourseOffering, Enrollment
from qashyq.gradebook.selectors import week_of

from . import services
from .models import MAX_GRADEBOOK_WEEKS, Task
from .selectors import gradebook_weeks

TASK_TITLE = "СӨЖ 1: Арал теңізінің тағдыры (эссе)"
RUBRIC = [
    {
        "title": "Мазмұны",
        "levels": [
            {"title": "Толық әрі дәлелді", "points": 60},
            {"title": "Негізгі ойлар бар", "points": 40},
            {"title": "Үстірт", "points": 20},
        ],
    },
    {
        "title": "Тілі мен рәсімделуі",
        "levels": [
            {"title": "Жақсы", "points": 40},
            {"title": "Орташа", "points": 25},
            {"title": "Әлсіз", "points": 10},
        ],
    },
]

ORIGINAL_ESSAY = (
    "Арал теңізі бір кездері әлемдегі ең үлкен көлдердің бірі болған. Жиырмасыншы ғасырдың "
    "алпысыншы жылдарынан бастап Әмудария мен Сырдария өзендерінің суы мақта алқаптарын суаруға"
    " бұрылды. Соның салдарынан теңіздің деңгейі жылдан жылға төмендеп, жағалауы бірнеше "
    "ондаған шақырымға шегінді. Балық шаруашылығы күйреп, Арал мен Мойнақ қалаларының "
    "тұрғындары жұмыссыз қалды. Құрғаған түбінен көтерілген тұзды шаң жел арқылы мыңдаған "
    "шақырымға тарап, адамдардың денсаулығына зиян келтірді. Аймақта тыныс алу ауруларының саны"
    " күрт өсті, ауыз судың сапасы нашарлады. Екі мың бесінші жылы Көкарал бөгеті салынып, "
    "Солтүстік Аралдың деңгейі біршама көтерілді. Қазір ол жерде балық қайта пайда болды, ал "
    "кейбір балықшылар өз кәсібіне оралды. Дегенмен Оңтүстік Арал әлі де құрғап жатыр және оны "
    "қалпына келтіру үшін көрші мемлекеттердің бірлескен күш-жігері қажет. Арал тағдыры "
    "табиғатқа ұқыпсыз қараудың қандай ауыр зардаптарға әкелетінін көрсететін айқын мысал болып"
    " табылады. Сондықтан жас ұрпақ су ресурстарын үнемдеп пайдалануды мектеп қабырғасынан "
    "бастап үйренуі тиіс."
)

NEAR_COPY_ESSAY = (
    "Жиырмасыншы ғасырдың алпысыншы жылдарынан бастап Әмудария мен Сырдария өзендерінің суы "
    "мақта алқаптарын суаруға бұрылды. Арал теңізі бір кездері дүниедегі ең үлкен көлдердің "
    "бірі болған. Соның салдарынан теңіздің деңгейі жылдан жылға төмендеп, жағалауы бірнеше "
    "ондаған километрге шегінді. Балык шаруашылыгы куйреп, Арал мен Мойнак калаларынын "
    "тургындары жумыссыз калды. Аймақта тыныс алу ауруларының саны күрт өсті, ауыз судың сапасы"
    " нашарлады. Құрғаған түбінен көтерілген тұзды шаң жел арқылы мыңдаған шақырымға тарап, "
    "адамдардың денсаулығына үлкен зиян келтірді. Екі мың бесінші жылы Көкарал бөгеті салынып, "
    "Солтүстік Аралдың деңгейі біршама көтерілді. Қазір ол жерде балық қайта пайда болды, ал "
    "кейбір балықшылар өз кәсібіне оралды. Арал тағдыры табиғатқа ұқыпсыз қараудың қандай ауыр "
    "зардаптарға әкелетінін көрсететін анық мысал болып табылады."
)

INDEPENDENT_ESSAY = (
    "Арал өңірінің экологиялық апаты Орталық Азиядағы ең ауыр мәселелердің бірі саналады. Кеңес"
    " үкіметі мақта өсіруді дамыту мақсатында екі ірі өзеннің суын каналдар арқылы шөлді "
    "жерлерге жіберді. Нәтижесінде теңізге құятын су азайып, оның ауданы бірнеше есе кішірейді."
    " Бұрын кемелер жүзген айлақтарда қазір тот басқан кемелер құм үстінде жатыр. Теңіздің "
    "тартылуы климатқа да әсер етті: жазы ыстық әрі құрғақ, қысы суық бола бастады. Жергілікті "
    "халық тұзға толы шаңды борандардан зардап шегіп, көпшілігі басқа өңірлерге көшіп кетті. "
    "Қазақстан Дүниежүзілік банктің көмегімен бөгет тұрғызып, теңіздің солтүстік бөлігін сақтап"
    " қалуға тырысты. Бұл жоба жақсы нәтиже берді: судың тұздылығы төмендеп, бұрынғы балық "
    "түрлері қайтып оралды. Ғалымдардың пікірінше, мәселені толық шешу үшін суды суармалы "
    "егіншілікте тиімді пайдаланудың жаңа тәсілдері керек. Мен Арал оқиғасы адамзатқа табиғат "
    "байлығын аялауды үйрететін маңызды сабақ деп ойлаймын."
)


def seed(ctx) -> None:
    users = ctx.objects.get("users") or {}
    tutor, student = users.get("tutor"), users.get("student")
    if tutor is None or student is None:
        return
    offering = (
        CourseOffering.objects.filter(tutors=tutor, enrollments__student=student)
        .order_by("period__starts_on", "pk")
        .first()
    )
    if offering is None or Task.objects.filter(offering=offering, title=TASK_TITLE).exists():
        return
    now = timezone.now()
    due = now + datetime.timedelta(days=10)
    # the marks go to the weekly current-control mark of the week the essay is due, when the
    # offering's e-journal has that week (the tutor sends them from the submissions page)
    week = week_of(offering, timezone.localdate(due))
    column = f"w{week}" if week <= min(gradebook_weeks(offering), MAX_GRADEBOOK_WEEKS) else ""
    task = services.task_create(
        actor=tutor,
        offering=offering,
        title=TASK_TITLE,
        instructions=(
            "Арал теңізінің экологиялық апаты туралы 150–300 сөздік эссе жазыңыз. "
            "Мәтінді формаға жазыңыз немесе PDF/DOCX файл ретінде тіркеңіз."
        ),
        due_at=due,
        cut_off_at=now + datetime.timedelta(days=13),
        late_policy="penalty_percent_per_day",
        late_penalty_percent=10,
        late_penalty_cap=30,
        rubric=RUBRIC,
        gradebook_column=column,
    )
    services.task_set_published(actor=tutor, task=task, published=True)
    classmates = list(
        Enrollment.objects.filter(offering=offering)
        .exclude(student=student)
        .select_related("student")
        .order_by("student__username")[:2]
    )
    authors = [student, *(e.student for e in classmates)]
    for author, text in zip(
        authors, (ORIGINAL_ESSAY, NEAR_COPY_ESSAY, INDEPENDENT_ESSAY), strict=False
    ):
        services.submission_submit(actor=author, task=task, text=text)
    found = services.similarity_check_run(task_id=task.pk)
    ctx.log(f"  assignments: task «{TASK_TITLE}», {len(authors)} submissions, {len(found)} flagged")
