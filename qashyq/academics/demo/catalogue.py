"""The demo academy's catalogue: faculties, departments, programs with their texts in kk/ru/en,
disciplines, curricula, groups and the lists Kazakh personal names are drawn from. Pure data, read
by ``qashyq.academics.demo``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from qashyq.accounts.roles import Role

from ..models import ControlForm, DeliveryFormat, Department, ProgramLevel

# --- structure -----------------------------------------------------------------------------------

FACULTIES = (
    (
        "FVA",
        "Бейнелеу және аудиовизуалды өнер факультеті",
        "Факультет изобразительного и аудиовизуального искусства",
        "Faculty of Fine and Audiovisual Arts",
    ),
    (
        "FPA",
        "Сахна өнері факультеті",
        "Факультет сценических искусств",
        "Faculty of Performing Arts",
    ),
    (
        "FAS",
        "Өнертану және арт-менеджмент факультеті",
        "Факультет искусствоведения и арт-менеджмента",
        "Faculty of Art Studies and Arts Management",
    ),
)

DEPARTMENTS = (
    (
        "PNT",
        "FVA",
        "Кескіндеме және графика кафедрасы",
        "Кафедра живописи и графики",
        "Department of Painting and Graphics",
    ),
    (
        "CIN",
        "FVA",
        "Кино және телевидение кафедрасы",
        "Кафедра кино и телевидения",
        "Department of Film and Television",
    ),
    (
        "ACT",
        "FPA",
        "Актерлік шеберлік кафедрасы",
        "Кафедра актёрского мастерства",
        "Department of Acting",
    ),
    ("CHO", "FPA", "Хореография кафедрасы", "Кафедра хореографии", "Department of Choreography"),
    (
        "ARTH",
        "FAS",
        "Өнер тарихы мен теориясы кафедрасы",
        "Кафедра истории и теории искусства",
        "Department of Art History and Theory",
    ),
    (
        "AMG",
        "FAS",
        "Арт-менеджмент кафедрасы",
        "Кафедра арт-менеджмента",
        "Department of Arts Management",
    ),
    (
        "GEN",
        "FAS",
        "Жалпы білім беретін пәндер кафедрасы",
        "Кафедра общеобразовательных дисциплин",
        "Department of General Education",
    ),
)

# Heads of department are scoped to their faculty; the methodologist and the program leader too.
SCOPED_STAFF = (
    ("k.suleimenov", Role.HEAD_OF_DEPARTMENT, "faculty", "FVA"),
    ("d.zhakypova", Role.HEAD_OF_DEPARTMENT, "faculty", "FPA"),
    ("b.kenzhebaev", Role.HEAD_OF_DEPARTMENT, "faculty", "FAS"),
    ("methodologist", Role.METHODOLOGIST, "faculty", "FAS"),
    ("programleader", Role.PROGRAM_LEADER, "program", "6B02105"),
)


@dataclass(frozen=True)
class ProgramSpec:
    code: str
    abbr: str
    department: str
    delivery_format: str
    names: tuple[str, str, str]
    description: tuple[str, str, str]
    outcomes: tuple[tuple[str, str, str], ...]
    exams: tuple[str, str, str]
    approved_on: tuple[int, int]  # (month, day) of the Academic Council in the admission year


PROGRAMS = (
    ProgramSpec(
        "6B02101",
        "FA",
        "PNT",
        DeliveryFormat.BLENDED,
        ("Бейнелеу өнері", "Изобразительное искусство", "Fine Arts"),
        (
            "Бағдарлама кескіндеме, графика және композиция бойынша кәсіби суретшілерді даярлайды. "
            "Шеберханалардағы практикалық сабақтар академия ғимаратында өтеді, ал теориялық "
            "пәндер мен өзіндік жұмыс білім беру порталы арқылы қашықтан ұйымдастырылады.",
            "Программа готовит профессиональных художников в области живописи, графики и "
            "композиции. Практические занятия в мастерских проходят в здании академии, а "
            "теоретические дисциплины и самостоятельная работа организуются дистанционно через "
            "образовательный портал.",
            "The programme trains professional artists in painting, graphics and composition. "
            "Studio classes take place in the academy's building; theory courses and independent "
            "work run online through the education portal.",
        ),
        (
            (
                "Академиялық сурет пен кескіндеменің классикалық әдістерін меңгереді.",
                "Владеет классическими методами академического рисунка и живописи.",
                "Masters the classical methods of academic drawing and painting.",
            ),
            (
                "Станоктық және монументалды композицияны жобалап, орындайды.",
                "Проектирует и выполняет станковую и монументальную композицию.",
                "Designs and executes easel and monumental compositions.",
            ),
            (
                "Әлем және қазақ бейнелеу өнерінің тарихын талдап, өз шығармашылығында қолданады.",
                "Анализирует историю мирового и казахского изобразительного искусства и "
                "применяет её в собственном творчестве.",
                "Analyses the history of world and Kazakh fine art and draws on it in their work.",
            ),
            (
                "Көрме жобаларын дайындап, өз жұмыстарын кәсіби ортада таныстырады.",
                "Готовит выставочные проекты и представляет свои работы профессиональной среде.",
                "Prepares exhibition projects and presents their work to a professional audience.",
            ),
        ),
        (
            "Шығармашылық емтихандар: академиялық сурет (гипс бас) және кескіндеме (натюрморт).",
            "Творческие экзамены: академический рисунок (гипсовая голова) и живопись (натюрморт).",
            "Creative exams: academic drawing (a plaster head) and painting (a still life).",
        ),
        (3, 27),
    ),
    ProgramSpec(
        "6B02102",
        "AV",
        "CIN",
        DeliveryFormat.BLENDED,
        ("Аудиовизуалды өнер", "Аудиовизуальное искусство", "Audiovisual Arts"),
        (
            "Бағдарлама кино, телевизия және жаңа медиа үшін режиссерлер мен операторларды "
            "даярлайды. Түсірілім алаңындағы және монтаж зертханасындағы жұмыс академияда, ал "
            "теория мен жоба жетекшілігі онлайн өтеді.",
            "Программа готовит режиссёров и операторов для кино, телевидения и новых медиа. "
            "Работа на съёмочной площадке и в монтажной лаборатории проходит в академии, теория "
            "и руководство проектами — онлайн.",
            "The programme trains directors and cinematographers for film, television and new "
            "media. Work on set and in the editing lab is on campus; theory and project "
            "supervision are online.",
        ),
        (
            (
                "Фильмнің драматургиясы мен визуалды шешімін жобалайды.",
                "Проектирует драматургию и визуальное решение фильма.",
                "Designs the dramaturgy and the visual concept of a film.",
            ),
            (
                "Түсірілім, жарық және дыбыс жазу техникасын кәсіби деңгейде пайдаланады.",
                "Профессионально использует съёмочную, световую и звукозаписывающую технику.",
                "Uses camera, lighting and sound-recording equipment professionally.",
            ),
            (
                "Бейнематериалды монтаждап, түстік түзету мен дыбыстық безендіруді орындайды.",
                "Выполняет монтаж, цветокоррекцию и звуковое оформление фильма.",
                "Edits footage, grades colour and designs the sound of a film.",
            ),
            (
                "Аудиовизуалды жобаны идеядан прокатқа дейін басқарады.",
                "Ведёт аудиовизуальный проект от идеи до проката.",
                "Leads an audiovisual project from the idea to distribution.",
            ),
        ),
        (
            "Шығармашылық емтихандар: режиссура немесе операторлық шеберлік бойынша шығармашылық "
            "жұмыс (фотосерия немесе қысқа бейнеролик) және кәсіби әңгімелесу.",
            "Творческие экзамены: творческая работа по режиссуре или операторскому мастерству "
            "(фотосерия или короткий видеоролик) и профессиональное собеседование.",
            "Creative exams: a directing or cinematography piece (a photo series or a short "
            "video) and a professional interview.",
        ),
        (3, 27),
    ),
    ProgramSpec(
        "6B02103",
        "AC",
        "ACT",
        DeliveryFormat.BLENDED,
        ("Актерлік өнер", "Актёрское искусство", "Acting"),
        (
            "Бағдарлама драма театры мен кино актерлерін даярлайды. Актерлік шеберлік, сахна "
            "тілі және сахналық қозғалыс сабақтары оқу театрында өтеді; театр тарихы мен "
            "гуманитарлық пәндер онлайн оқытылады.",
            "Программа готовит актёров драматического театра и кино. Занятия по актёрскому "
            "мастерству, сценической речи и сценическому движению проходят в учебном театре; "
            "история театра и гуманитарные дисциплины изучаются онлайн.",
            "The programme trains actors for drama theatre and film. Acting, stage speech and "
            "stage movement classes take place in the academy's studio theatre; theatre history "
            "and the humanities are studied online.",
        ),
        (
            (
                "Рөлді талдау мен сахналық бейне жасау әдістерін меңгереді.",
                "Владеет методами анализа роли и создания сценического образа.",
                "Masters role analysis and the building of a stage character.",
            ),
            (
                "Сахна тілі мен дауыс техникасын қазақ және орыс тілдерінде қолданады.",
                "Применяет технику сценической речи и голоса на казахском и русском языках.",
                "Uses stage speech and voice technique in Kazakh and Russian.",
            ),
            (
                "Сахналық қозғалыс, пластика және сахналық жекпе-жек дағдыларын көрсетеді.",
                "Демонстрирует навыки сценического движения, пластики и сценического боя.",
                "Shows the skills of stage movement, physical expression and stage combat.",
            ),
            (
                "Спектакль мен фильм түсірілімінде ансамбльде жұмыс істейді.",
                "Работает в ансамбле в спектакле и на съёмочной площадке.",
                "Works as part of an ensemble in a performance and on a film set.",
            ),
        ),
        (
            "Шығармашылық емтихандар: актерлік шеберлік (өлең, мысал, проза үзіндісі) және сахна "
            "тілі мен музыкалық-ырғақтық қабілеттер.",
            "Творческие экзамены: актёрское мастерство (стихотворение, басня, отрывок прозы) и "
            "сценическая речь с музыкально-ритмическими способностями.",
            "Creative exams: acting (a poem, a fable and a prose extract) and stage speech with "
            "musical and rhythmic ability.",
        ),
        (3, 27),
    ),
    ProgramSpec(
        "6B02104",
        "CH",
        "CHO",
        DeliveryFormat.BLENDED,
        ("Хореография", "Хореография", "Choreography"),
        (
            "Бағдарлама классикалық, халықтық және заманауи би орындаушылары мен "
            "педагог-хореографтарды даярлайды. Би сабақтары хореография залдарында өтеді, ал "
            "теориялық курстар онлайн ұйымдастырылады.",
            "Программа готовит исполнителей и педагогов-хореографов классического, народного и "
            "современного танца. Занятия танцем проходят в хореографических залах, "
            "теоретические курсы организуются онлайн.",
            "The programme trains performers and teachers of classical, folk and contemporary "
            "dance. Dance classes are held in the academy's studios; theory courses run online.",
        ),
        (
            (
                "Классикалық бидің жүйесі мен техникасын меңгереді.",
                "Владеет системой и техникой классического танца.",
                "Masters the system and technique of classical dance.",
            ),
            (
                "Қазақ халық биін оның стилі мен мәнерін сақтай отырып орындайды.",
                "Исполняет казахский народный танец, сохраняя его стиль и манеру.",
                "Performs Kazakh folk dance keeping its style and manner.",
            ),
            (
                "Би нөмірлері мен шағын қойылымдарды сахналайды.",
                "Ставит танцевальные номера и небольшие постановки.",
                "Choreographs dance numbers and short productions.",
            ),
            (
                "Балалар мен ересектерге хореографиядан сабақ береді.",
                "Преподаёт хореографию детям и взрослым.",
                "Teaches dance to children and adults.",
            ),
        ),
        (
            "Шығармашылық емтихандар: классикалық биден және халықтық-сахналық биден практикалық "
            "сынақ.",
            "Творческие экзамены: практическое испытание по классическому и "
            "народно-сценическому танцу.",
            "Creative exams: a practical test in classical dance and in folk-stage dance.",
        ),
        (3, 27),
    ),
    ProgramSpec(
        "6B02105",
        "AH",
        "ARTH",
        DeliveryFormat.DISTANCE,
        ("Өнертану", "Искусствоведение", "Art History"),
        (
            "Бағдарлама толығымен қашықтықтан оқыту технологияларымен жүзеге асырылады: "
            "дәрістер, семинарлар, өзіндік жұмыс пен емтихандар білім беру порталында өтеді. "
            "Түлектер музейлерде, галереяларда, БАҚ-та және мәдениет мекемелерінде өнертанушы, "
            "сыншы және куратор болып жұмыс істейді.",
            "Программа полностью реализуется с применением дистанционных образовательных "
            "технологий: лекции, семинары, самостоятельная работа и экзамены проходят на "
            "образовательном портале. Выпускники работают искусствоведами, критиками и "
            "кураторами в музеях, галереях, СМИ и учреждениях культуры.",
            "The programme is delivered entirely with distance-learning technologies: lectures, "
            "seminars, independent work and exams take place on the education portal. Graduates "
            "work as art historians, critics and curators in museums, galleries, the media and "
            "cultural institutions.",
        ),
        (
            (
                "Әлем және Қазақстан өнерінің негізгі кезеңдері мен стильдерін сипаттайды.",
                "Характеризует основные периоды и стили мирового и казахстанского искусства.",
                "Describes the main periods and styles of world and Kazakh art.",
            ),
            (
                "Өнер туындысына кәсіби талдау мен сараптама жасайды.",
                "Выполняет профессиональный анализ и экспертизу произведения искусства.",
                "Performs a professional analysis and appraisal of a work of art.",
            ),
            (
                "Өнер туралы сын және ғылыми мәтіндерді қазақ, орыс және ағылшын тілдерінде "
                "жазады.",
                "Пишет критические и научные тексты об искусстве на казахском, русском и "
                "английском языках.",
                "Writes criticism and scholarly texts on art in Kazakh, Russian and English.",
            ),
            (
                "Музей және көрме жобаларын, соның ішінде цифрлық жобаларды әзірлейді.",
                "Разрабатывает музейные и выставочные проекты, в том числе цифровые.",
                "Develops museum and exhibition projects, digital ones included.",
            ),
        ),
        (
            "Шығармашылық емтихан орнына: өнер туралы эссе және бейнебайланыс арқылы онлайн "
            "әңгімелесу (жеке басты куәландыратын құжатты көрсетумен).",
            "Вместо творческого экзамена: эссе об искусстве и онлайн-собеседование по "
            "видеосвязи (с предъявлением удостоверения личности).",
            "Instead of a creative exam: an essay on art and an online interview by video call "
            "(showing an identity document).",
        ),
        (4, 24),
    ),
    ProgramSpec(
        "6B02106",
        "AM",
        "AMG",
        DeliveryFormat.DISTANCE,
        ("Арт-менеджмент", "Арт-менеджмент", "Arts Management"),
        (
            "Бағдарлама мәдениет пен шығармашылық индустриялар саласының менеджерлерін "
            "даярлайды және толығымен қашықтан оқытылады. Студенттер нақты мәдени жобалармен "
            "жұмыс істеп, кәсіптік практиканы серіктес ұйымдарда өтеді.",
            "Программа готовит менеджеров сферы культуры и креативных индустрий и полностью "
            "реализуется дистанционно. Студенты работают с реальными культурными проектами и "
            "проходят профессиональную практику в организациях-партнёрах.",
            "The programme trains managers for culture and the creative industries and is "
            "delivered entirely online. Students work on real cultural projects and do their "
            "professional practice with partner organisations.",
        ),
        (
            (
                "Мәдениет ұйымының стратегиясы мен бюджетін жоспарлайды.",
                "Планирует стратегию и бюджет организации культуры.",
                "Plans the strategy and budget of a cultural organisation.",
            ),
            (
                "Өнер жобаларын ілгерілетудің маркетингтік және цифрлық құралдарын қолданады.",
                "Применяет маркетинговые и цифровые инструменты продвижения проектов в искусстве.",
                "Uses marketing and digital tools to promote arts projects.",
            ),
            (
                "Мәдени жобаны идеядан қорытынды есепке дейін басқарады.",
                "Управляет культурным проектом от идеи до итогового отчёта.",
                "Manages a cultural project from the idea to the final report.",
            ),
            (
                "Мәдениет саласындағы құқық пен зияткерлік меншік мәселелерін шешеді.",
                "Решает вопросы права и интеллектуальной собственности в сфере культуры.",
                "Resolves questions of law and intellectual property in the cultural sector.",
            ),
        ),
        (
            "Шығармашылық емтихан орнына: мәдени жоба идеясы туралы эссе және бейнебайланыс "
            "арқылы онлайн әңгімелесу (жеке басты куәландыратын құжатты көрсетумен).",
            "Вместо творческого экзамена: эссе с идеей культурного проекта и "
            "онлайн-собеседование по видеосвязи (с предъявлением удостоверения личности).",
            "Instead of a creative exam: an essay with the idea of a cultural project and an "
            "online interview by video call (showing an identity document).",
        ),
        (4, 24),
    ),
)

_CRITERIA = {
    "kk": (
        "- Жалпы орта, техникалық және кәсіптік немесе орта білімнен кейінгі білім туралы құжат.\n"
        "- {exams}\n"
        "- ҰБТ мен шығармашылық емтихандардың (әңгімелесудің) жиынтық балы академияның қабылдау "
        "ережелерінде белгіленген шекті деңгейден төмен болмауы тиіс.\n"
        "- {format}"
    ),
    "ru": (
        "- Документ об общем среднем, техническом и профессиональном или послесреднем "
        "образовании.\n"
        "- {exams}\n"
        "- Суммарный балл ЕНТ и творческих экзаменов (собеседования) не ниже порога, "
        "установленного правилами приёма академии.\n"
        "- {format}"
    ),
    "en": (
        "- A certificate of general secondary, technical and vocational or post-secondary "
        "education.\n"
        "- {exams}\n"
        "- A total score of the Unified National Test and the creative exams (interview) no "
        "lower than the threshold set by the academy's admission rules.\n"
        "- {format}"
    ),
}
_FORMAT_NOTE = {
    DeliveryFormat.BLENDED: (
        "Оқу аралас форматта өтеді: студиялық сабақтар академияда, қалғаны онлайн; веб-камерасы "
        "мен микрофоны бар компьютер және тұрақты интернет қажет.",
        "Обучение смешанное: студийные занятия в академии, остальное онлайн; нужны компьютер с "
        "веб-камерой и микрофоном и стабильный интернет.",
        "Study is blended: studio classes at the academy, the rest online; a computer with a "
        "webcam and microphone and a stable internet connection are needed.",
    ),
    DeliveryFormat.DISTANCE: (
        "Оқу толығымен қашықтан өтеді: веб-камерасы мен микрофоны бар компьютер және кемінде "
        "5 Мбит/с интернет қажет. Жоғары білімі бар үміткерлер қысқартылған мерзімде оқуға "
        "өтініш бере алады.",
        "Обучение полностью дистанционное: нужны компьютер с веб-камерой и микрофоном и "
        "интернет не менее 5 Мбит/с. Абитуриенты с высшим образованием могут подать заявление "
        "на обучение в сокращённые сроки.",
        "Study is fully distance: a computer with a webcam and microphone and at least "
        "5 Mbit/s internet are needed. Applicants with a higher-education degree may apply for "
        "a shortened period of study.",
    ),
}
_OUTCOME_PREFIX = {"kk": "ОН", "ru": "РО", "en": "LO"}
LANGS = ("kk", "ru", "en")


def program_values(spec: ProgramSpec, department: Department, year_start: int) -> dict:
    values = {
        "department": department,
        "level": ProgramLevel.BACHELOR,
        "delivery_format": spec.delivery_format,
        "duration_years": 4,
        "total_credits": 240,
        "criteria_approved_on": datetime.date(year_start, *spec.approved_on),
        "is_published": True,
    }
    for i, lang in enumerate(LANGS):
        values[f"name_{lang}"] = spec.names[i]
        values[f"description_{lang}"] = spec.description[i]
        values[f"learning_outcomes_{lang}"] = "\n".join(
            f"- **{_OUTCOME_PREFIX[lang]}{n}.** {outcome[i]}"
            for n, outcome in enumerate(spec.outcomes, start=1)
        )
        values[f"admission_criteria_{lang}"] = _CRITERIA[lang].format(
            exams=spec.exams[i], format=_FORMAT_NOTE[spec.delivery_format][i]
        )
    return values


# --- disciplines and curricula -------------------------------------------------------------------

E, P, C, PR, S = (
    ControlForm.EXAM,
    ControlForm.PASS_FAIL,
    ControlForm.COURSEWORK,
    ControlForm.PRACTICE,
    ControlForm.STATE_EXAM,
)
# code, department, credits, control form, kk, ru, en, tutor (one username, or one per language)
DISCIPLINES = (
    ("MHK1101", "GEN", 5, S, "Қазақстанның қазіргі заман тарихы", "Современная история Казахстана",
     "Modern History of Kazakhstan", {"kk": "n.seitkali", "ru": "g.ospanova"}),
    ("FL1102", "GEN", 5, E, "Шетел тілі", "Иностранный язык", "Foreign Language",
     "a.dosmagambetova"),
    ("ICT1103", "GEN", 5, E, "Ақпараттық-коммуникациялық технологиялар",
     "Информационно-коммуникационные технологии", "Information and Communication Technologies",
     "y.zhanabayev"),
    ("KRL1201", "GEN", 5, E, "Қазақ (орыс) тілі", "Казахский (русский) язык",
     "Kazakh (Russian) Language", "g.ospanova"),
    ("PHI1202", "GEN", 5, E, "Философия", "Философия", "Philosophy", "n.seitkali"),
    ("PE1203", "GEN", 2, P, "Дене шынықтыру", "Физическая культура", "Physical Education",
     "y.zhanabayev"),
    ("SPK2101", "GEN", 5, E, "Әлеуметтік-саяси білім модулі",
     "Модуль социально-политических знаний", "Socio-Political Knowledge Module",
     {"kk": "n.seitkali", "ru": "g.ospanova"}),
    ("ADR1104", "PNT", 5, E, "Академиялық сурет", "Академический рисунок", "Academic Drawing",
     "m.alimzhanov"),
    ("FPT1204", "PNT", 5, E, "Кескіндеме негіздері", "Основы живописи", "Foundations of Painting",
     "m.alimzhanov"),
    ("CMP3101", "PNT", 6, C, "Композиция", "Композиция", "Composition", "k.suleimenov"),
    ("PRT3201", "PNT", 5, E, "Графика техникалары", "Техники графики", "Printmaking Techniques",
     "m.alimzhanov"),
    ("PRP3202", "PNT", 4, PR, "Кәсіптік практика", "Профессиональная практика",
     "Professional Practice", {"kk": "k.suleimenov", "ru": "programleader"}),
    ("ACT1104", "ACT", 5, E, "Актерлік шеберлік", "Актёрское мастерство", "Acting",
     "d.zhakypova"),
    ("SSP1204", "ACT", 5, E, "Сахна тілі", "Сценическая речь", "Stage Speech", "zh.tursynova"),
    ("SMV2102", "ACT", 5, P, "Сахналық қозғалыс", "Сценическое движение", "Stage Movement",
     "zh.tursynova"),
    ("HTH2201", "ACT", 5, E, "Театр тарихы", "История театра", "History of Theatre",
     "zh.tursynova"),
    ("CLD2102", "CHO", 5, E, "Классикалық би", "Классический танец", "Classical Dance",
     "a.maksutova"),
    ("KFD2201", "CHO", 5, E, "Қазақ халық биі", "Казахский народный танец", "Kazakh Folk Dance",
     "a.maksutova"),
    ("FCN1104", "CIN", 5, E, "Кинематография негіздері", "Основы кинематографии",
     "Foundations of Cinematography", "a.beisenova"),
    ("FED1204", "CIN", 5, E, "Фильм монтажы", "Монтаж фильма", "Film Editing", "a.beisenova"),
    ("GFP4101", "CIN", 6, C, "Дипломдық фильм жобасы", "Дипломный фильм (проект)",
     "Graduation Film Project", "s.rakhymzhanov"),
    ("FPR4102", "CIN", 5, E, "Кино продюсерлігі", "Кинопродюсирование", "Film Producing",
     "s.rakhymzhanov"),
    ("PDP4201", "CIN", 6, PR, "Диплом алды практика", "Преддипломная практика",
     "Pre-diploma Practice", "s.rakhymzhanov"),
    ("FAT4202", "CIN", 8, S, "Қорытынды аттестация", "Итоговая аттестация", "Final Attestation",
     ("s.rakhymzhanov", "a.beisenova")),
    ("IAS1104", "ARTH", 5, E, "Өнертануға кіріспе", "Введение в искусствоведение",
     "Introduction to Art Studies", "tutor"),
    ("HWA1204", "ARTH", 5, E, "Әлем өнерінің тарихы", "История мирового искусства",
     "History of World Art", "tutor"),
    ("HKA3101", "ARTH", 5, E, "Қазақстан өнерінің тарихы", "История искусства Казахстана",
     "History of the Art of Kazakhstan", "tutor"),
    ("ACR3102", "ARTH", 5, C, "Өнер сыны", "Художественная критика", "Art Criticism", "tutor"),
    ("MUS3201", "ARTH", 5, E, "Музей ісі және кураторлық", "Музейное дело и кураторство",
     "Museum Studies and Curating", "programleader"),
    ("FCM2102", "AMG", 5, E, "Мәдени менеджмент негіздері", "Основы менеджмента в культуре",
     "Foundations of Cultural Management", "b.kenzhebaev"),
    ("MKA2201", "AMG", 5, E, "Өнердегі маркетинг", "Маркетинг в сфере искусства",
     "Marketing in the Arts", "t.yermekov"),
    ("CPM2202", "AMG", 5, C, "Мәдени жобаларды басқару", "Управление культурными проектами",
     "Cultural Project Management", "t.yermekov"),
)  # fmt: skip

# Semester number (1-8) -> discipline codes, for every program and for each program separately.
GENERAL_CURRICULUM = {1: ("MHK1101", "FL1102", "ICT1103"), 2: ("KRL1201", "PHI1202", "PE1203")}
GENERAL_CURRICULUM[3] = ("SPK2101",)
CURRICULA = {
    "6B02101": {1: ("ADR1104",), 2: ("FPT1204",), 5: ("CMP3101",), 6: ("PRT3201", "PRP3202")},
    "6B02102": {1: ("FCN1104",), 2: ("FED1204",), 7: ("GFP4101", "FPR4102")}
    | {8: ("PDP4201", "FAT4202")},
    "6B02103": {1: ("ACT1104",), 2: ("SSP1204",), 3: ("SMV2102",), 4: ("HTH2201",)},
    "6B02104": {3: ("CLD2102",), 4: ("KFD2201",)},
    "6B02105": {1: ("IAS1104",), 2: ("HWA1204",), 5: ("HKA3101", "ACR3102")}
    | {6: ("MUS3201", "PRP3202")},
    "6B02106": {3: ("FCM2102",), 4: ("MKA2201", "CPM2202")},
}


def curriculum(program_code: str, semester: int) -> tuple[str, ...]:
    return GENERAL_CURRICULUM.get(semester, ()) + CURRICULA[program_code].get(semester, ())


# --- groups and people ---------------------------------------------------------------------------

# program code, year of study, language, number of students, curator
GROUPS = (
    ("6B02101", 1, "kk", 32, "m.alimzhanov"),
    ("6B02101", 3, "kk", 28, "k.suleimenov"),
    ("6B02103", 1, "kk", 30, "zh.tursynova"),
    ("6B02103", 2, "ru", 26, "d.zhakypova"),
    ("6B02104", 2, "kk", 24, "a.maksutova"),
    ("6B02102", 1, "ru", 34, "a.beisenova"),
    ("6B02102", 4, "kk", 29, "s.rakhymzhanov"),
    ("6B02105", 1, "kk", 31, "tutor"),  # the `student` login studies here
    ("6B02105", 3, "ru", 36, "programleader"),
    ("6B02106", 2, "kk", 30, "t.yermekov"),
)

MALE_NAMES = (
    "Нұрсұлтан", "Ерасыл", "Әлихан", "Данияр", "Арман", "Бекзат", "Нұрлан", "Дархан", "Ақжол",
    "Мирас", "Санжар", "Әділет", "Жандос", "Асылбек", "Ернар", "Темірлан", "Айдос", "Ерболат",
    "Мағжан", "Абылай", "Нұрдәулет", "Азамат", "Ілияс", "Шыңғыс", "Рауан", "Мейіржан", "Қуаныш",
    "Бекарыс", "Алдияр", "Ерқанат",
)  # fmt: skip
FEMALE_NAMES = (
    "Аружан", "Айгерім", "Дана", "Жансая", "Ақбота", "Аяулым", "Томирис", "Мөлдір", "Гүлназ",
    "Аида", "Дильназ", "Жанель", "Назерке", "Балнұр", "Інжу", "Меруерт", "Камила", "Сымбат",
    "Айым", "Әсел", "Динара", "Жұлдыз", "Ләйлә", "Нұрай", "Ару", "Айша", "Аңсаған", "Айдана",
    "Қарлығаш", "Әмина",
)  # fmt: skip
FATHER_NAMES = (
    "Серік", "Болат", "Ерлан", "Марат", "Қайрат", "Нұрлан", "Талғат", "Бекет", "Ғалым", "Асхат",
    "Бақыт", "Жомарт", "Оразбек", "Төлеген", "Мұрат", "Дәулет", "Ержан", "Руслан", "Сәкен",
    "Ермек", "Аманжол", "Қанат", "Бауыржан", "Нұрбол", "Абай", "Бердібек", "Еркін", "Мақсат",
    "Жасұлан", "Әбдірахман",
)  # fmt: skip
# Male surnames; the female form adds "а" (Ахметов -> Ахметова, Қалиев -> Қалиева).
SURNAMES = (
    "Ахметов", "Сейітов", "Жұмабаев", "Омаров", "Қасымов", "Әбенов", "Тоқтаров", "Байжанов",
    "Есенов", "Нұрланов", "Серікбаев", "Қалиев", "Исаев", "Мұқанов", "Сүлейменов", "Жақыпов",
    "Кенжебаев", "Досмағамбетов", "Әбілов", "Бекмұханбетов", "Оспанов", "Ермеков", "Тұрсынов",
    "Сәрсенбаев", "Құдайбергенов", "Мақсұтов", "Әлімжанов", "Шәкенов", "Бейсенов", "Рақымжанов",
    "Жаңабаев", "Әлиев", "Мусаев", "Бекболатов", "Смағұлов", "Ыбыраев", "Үсенов", "Қожахметов",
    "Нұрғалиев", "Тілеубаев",
)  # fmt: skip
