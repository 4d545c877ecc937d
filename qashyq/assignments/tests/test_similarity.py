"""The similarity measure: what a tutor would notice in the report."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys

import pytest

from qashyq.assignments.similarity import (
    SimilarityIndex,
    compare,
    estimate_jaccard,
    fingerprint,
    minhash_signature,
    tokenize,
)

# --- Real short paragraphs (~150 words) ---------------------------------------------------

KK_ORIGINAL = (
    "Арал теңізі бір кездері әлемдегі ең үлкен көлдердің бірі болған. Жиырмасыншы ғасырдың "
    "алпысыншы жылдарынан бастап Әмудария мен Сырдария өзендерінің суы мақта алқаптарын суаруға "
    "бұрылды. Соның салдарынан теңіздің деңгейі жылдан жылға төмендеп, жағалауы бірнеше ондаған "
    "шақырымға шегінді. Балық шаруашылығы күйреп, Арал мен Мойнақ қалаларының тұрғындары "
    "жұмыссыз қалды. Құрғаған түбінен көтерілген тұзды шаң жел арқылы мыңдаған шақырымға тарап, "
    "адамдардың денсаулығына зиян келтірді. Аймақта тыныс алу ауруларының саны күрт өсті, ауыз "
    "судың сапасы нашарлады. Екі мың бесінші жылы Көкарал бөгеті салынып, Солтүстік Аралдың "
    "деңгейі біршама көтерілді. Қазір ол жерде балық қайта пайда болды, ал кейбір балықшылар өз "
    "кәсібіне оралды. Дегенмен Оңтүстік Арал әлі де құрғап жатыр және оны қалпына келтіру үшін "
    "көрші мемлекеттердің бірлескен күш-жігері қажет. Арал тағдыры табиғатқа ұқыпсыз қараудың "
    "қандай ауыр зардаптарға әкелетінін көрсететін айқын мысал болып табылады. Сондықтан жас "
    "ұрпақ су ресурстарын үнемдеп пайдалануды мектеп қабырғасынан бастап үйренуі тиіс."
)

# Sentences reordered, a few words changed, one sentence dropped, one typed without Kazakh
# letters; Latin look-alike letters are swapped in below by _swap_lookalikes.
KK_NEAR_COPY = (
    "Жиырмасыншы ғасырдың алпысыншы жылдарынан бастап Әмудария мен Сырдария өзендерінің суы "
    "мақта алқаптарын суаруға бұрылды. Арал теңізі бір кездері дүниедегі ең үлкен көлдердің бірі "
    "болған. Соның салдарынан теңіздің деңгейі жылдан жылға төмендеп, жағалауы бірнеше ондаған "
    "километрге шегінді. Балык шаруашылыгы куйреп, Арал мен Мойнак калаларынын тургындары "
    "жумыссыз калды. Аймақта тыныс алу ауруларының саны күрт өсті, ауыз судың сапасы нашарлады. "
    "Құрғаған түбінен көтерілген тұзды шаң жел арқылы мыңдаған шақырымға тарап, адамдардың "
    "денсаулығына үлкен зиян келтірді. Екі мың бесінші жылы Көкарал бөгеті салынып, Солтүстік "
    "Аралдың деңгейі біршама көтерілді. Қазір ол жерде балық қайта пайда болды, ал кейбір "
    "балықшылар өз кәсібіне оралды. Арал тағдыры табиғатқа ұқыпсыз қараудың қандай ауыр "
    "зардаптарға әкелетінін көрсететін анық мысал болып табылады."
)

KK_INDEPENDENT = (
    "Арал өңірінің экологиялық апаты Орталық Азиядағы ең ауыр мәселелердің бірі саналады. Кеңес "
    "үкіметі мақта өсіруді дамыту мақсатында екі ірі өзеннің суын каналдар арқылы шөлді жерлерге "
    "жіберді. Нәтижесінде теңізге құятын су азайып, оның ауданы бірнеше есе кішірейді. Бұрын "
    "кемелер жүзген айлақтарда қазір тот басқан кемелер құм үстінде жатыр. Теңіздің тартылуы "
    "климатқа да әсер етті: жазы ыстық әрі құрғақ, қысы суық бола бастады. Жергілікті халық "
    "тұзға толы шаңды борандардан зардап шегіп, көпшілігі басқа өңірлерге көшіп кетті. "
    "Қазақстан Дүниежүзілік банктің көмегімен бөгет тұрғызып, теңіздің солтүстік бөлігін "
    "сақтап қалуға тырысты. Бұл жоба жақсы нәтиже берді: судың тұздылығы төмендеп, бұрынғы "
    "балық түрлері қайтып оралды. Ғалымдардың пікірінше, мәселені толық шешу үшін суды "
    "суармалы егіншілікте тиімді пайдаланудың жаңа тәсілдері керек. Мен Арал оқиғасы "
    "адамзатқа табиғат байлығын аялауды үйрететін маңызды сабақ деп ойлаймын."
)

RU_ORIGINAL = (
    "Великий Шёлковый путь на протяжении многих веков соединял Китай со Средиземноморьем. По "
    "этой сети караванных дорог везли не только шёлк, но и фарфор, пряности, драгоценные камни "
    "и бумагу. Значительная часть маршрута проходила через территорию современного Казахстана, "
    "где выросли торговые города Отрар, Тараз, Сыгнак и Испиджаб. В этих городах купцы отдыхали "
    "в караван-сараях, меняли товары и узнавали новости из далёких стран. Вместе с товарами "
    "распространялись религии, научные знания, музыкальные инструменты и технологии. Так "
    "жители степи познакомились с бумажным производством, а европейцы узнали о компасе. "
    "Кочевники охраняли караваны и получали за это пошлину, что укрепляло их государства. "
    "Упадок пути начался после великих географических открытий, когда морская торговля стала "
    "дешевле и безопаснее сухопутной. Сегодня Казахстан участвует в проекте нового транспортного "
    "коридора, который должен снова связать Восток и Запад современными железными и "
    "автомобильными дорогами."
)

RU_NEAR_COPY = (
    "Значительная часть маршрута проходила через территорию современного Казахстана, где выросли "
    "торговые города Отрар, Тараз, Сыгнак и Испиджаб. Великий Шелковый путь в течение многих "
    "веков соединял Китай со Средиземноморьем. По этой сети караванных дорог везли не только "
    "шелк, но и фарфор, пряности, драгоценные камни и бумагу. В этих городах купцы отдыхали в "
    "караван-сараях, обменивали товары и узнавали новости из далёких стран. Вместе с товарами "
    "распространялись религии, научные знания, музыкальные инструменты и технологии. Кочевники "
    "охраняли караваны и получали за это пошлину, что укрепляло их государства. Так жители "
    "степи познакомились с бумажным производством, а европейцы узнали о компасе. Упадок пути "
    "начался после великих географических открытий, когда морская торговля оказалась дешевле и "
    "безопаснее сухопутной."
)

RU_INDEPENDENT = (
    "Шёлковый путь был не одной дорогой, а целой системой маршрутов между Востоком и Западом. "
    "Его название придумал немецкий географ Фердинанд фон Рихтгофен в девятнадцатом веке. "
    "Главным товаром действительно был китайский шёлк, секрет изготовления которого долго "
    "хранился в тайне. На казахстанском участке пути важную роль играли города Семиречья и "
    "долины Сырдарьи, их руины и сегодня изучают археологи. Торговцы везли на восток лошадей, "
    "стекло, серебро и шерстяные ткани. Караваны двигались медленно, путь из одного конца в "
    "другой занимал несколько лет, поэтому товары переходили из рук в руки много раз. Кроме "
    "торговли, путь способствовал обмену идеями: по нему шли миссионеры, учёные и "
    "путешественники. После того как корабли стали доставлять грузы быстрее, караванная "
    "торговля постепенно пришла в упадок. Я считаю, что изучение этой истории помогает лучше "
    "понять место нашей страны в мире."
)

_LATIN_FOR = str.maketrans("аеорсхАЕОРСХ", "aeopcxAEOPCX")


def _swap_lookalikes(text: str, every: int = 3) -> str:
    """Replace Cyrillic letters by Latin look-alikes in every ``every``-th word."""
    words = text.split(" ")
    return " ".join(w.translate(_LATIN_FOR) if n % every == 0 else w for n, w in enumerate(words))


def _words(n: int, seed: int) -> str:
    rng = random.Random(seed)
    vocab = [f"сөз{chr(0x430 + i % 32)}{chr(0x430 + i // 32 % 32)}{i}" for i in range(4000)]
    return " ".join(rng.choice(vocab) for _ in range(n))


# --- Normalisation ------------------------------------------------------------------------


def test_latin_lookalikes_inside_cyrillic_words_are_read_as_cyrillic():
    honest = tokenize("Студенттер курстық жұмысты орындады")
    # Latin c, y, e, p, o, a, x typed inside Cyrillic words.
    disguised = tokenize("Cтyдeнттeр куpcтық жұмыcты opындaды")
    assert [t.key for t in disguised] == [t.key for t in honest]


def test_word_made_only_of_latin_lookalikes_in_a_cyrillic_text_is_read_as_cyrillic():
    assert [t.key for t in tokenize("Он приехал в город poc и остался")] == [
        t.key for t in tokenize("Он приехал в город рос и остался")
    ]


def test_english_text_keeps_latin_and_undoes_cyrillic_lookalikes():
    keys = [t.key for t in tokenize("Students submitted thеir wоrk on time")]
    assert keys == ["students", "submitted", "their", "work", "time"]


def test_kazakh_letters_typed_with_russian_keyboard_compare_equal_by_default():
    kazakh = "Қазақстанның оңтүстік өңірінде күріш өсіру дамыған"
    russian_keyboard = "Казакстаннын онтустик онириндe курiш осиру дамыган"
    assert compare(kazakh, russian_keyboard).jaccard == 1.0
    assert compare(kazakh, russian_keyboard, fold_kazakh=False).jaccard == 0.0
    strict = tokenize(kazakh, fold_kazakh=False)
    assert strict[0].key == "қазақстанның"  # Kazakh letters stay distinct when asked


def test_invisible_characters_digits_punctuation_and_stop_words_do_not_hide_a_copy():
    clean = "Абай Құнанбайұлы қазақ жазба әдебиетінің негізін қалаған ақын ағартушы"
    noisy = (
        "Абай, Құнан\u200bбайұлы (1845) — қазақ және жазба әдебиетінің «негізін» қалаған;"
        " ақын-ағартушы!"
    )
    assert compare(clean, noisy).jaccard == 1.0


def test_tokens_point_back_into_the_original_text():
    text = "«Ｑазақ» тілі — мемлекеттік тіл."
    tokens = tokenize(text)
    assert [text[t.start : t.end] for t in tokens] == ["Ｑазақ", "тілі", "мемлекеттік", "тіл"]


# --- Pairs --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [KK_ORIGINAL, RU_ORIGINAL])
def test_identical_texts_score_one(text):
    result = compare(text, text)
    assert result.jaccard == 1.0
    assert result.containment == 1.0
    assert len(result.passages) == 1
    assert result.passages[0].text_a(text) == result.passages[0].text_b(text)


def test_unrelated_texts_score_near_zero():
    result = compare(KK_ORIGINAL, RU_ORIGINAL)
    assert result.jaccard == 0.0
    assert result.passages == ()


@pytest.mark.parametrize(
    ("original", "near_copy", "independent"),
    [
        (KK_ORIGINAL, _swap_lookalikes(KK_NEAR_COPY), KK_INDEPENDENT),
        (RU_ORIGINAL, _swap_lookalikes(RU_NEAR_COPY), RU_INDEPENDENT),
    ],
    ids=["kk", "ru"],
)
def test_near_copy_is_flagged_and_independent_text_on_the_same_topic_is_not(
    original, near_copy, independent
):
    assert re.search("[a-z]", near_copy)  # the disguise really is there
    index = SimilarityIndex()
    index.add("original", original)
    index.add("near_copy", near_copy)
    index.add("independent", independent)

    flagged = index.find_similar(threshold=0.4, containment_threshold=0.5)

    assert [(m.a_id, m.b_id) for m in flagged] == [("original", "near_copy")]
    assert flagged[0].jaccard > 0.3
    assert flagged[0].containment > 0.55
    assert compare(original, independent).jaccard < 0.03
    assert compare(near_copy, independent).containment < 0.05


def test_minhash_estimate_is_close_to_the_exact_jaccard():
    fa, fb = fingerprint(_words(2000, 1)), fingerprint(_words(2000, 1)[:9000] + _words(800, 2))
    exact = compare(_words(2000, 1), _words(2000, 1)[:9000] + _words(800, 2)).jaccard
    estimate = estimate_jaccard(
        minhash_signature(fa.shingle_set), minhash_signature(fb.shingle_set)
    )
    assert 0.2 < exact < 0.8
    assert abs(estimate - exact) < 0.12


def test_containment_catches_a_short_answer_copied_into_a_long_one():
    paragraph = RU_ORIGINAL.split(". ")[2] + ". " + RU_ORIGINAL.split(". ")[3] + "."
    long_answer = RU_INDEPENDENT + " " + paragraph + " " + _words(300, 7)

    result = compare(paragraph, long_answer)
    assert result.containment_a_in_b == 1.0
    assert result.jaccard < 0.1

    index = SimilarityIndex()
    index.add("short", paragraph)
    index.add("long", long_answer)
    assert index.find_similar(threshold=0.5, containment_threshold=None) == []  # Jaccard misses it
    [match] = index.find_similar(threshold=0.5, containment_threshold=0.8)
    assert (match.a_id, match.b_id, match.containment_a_in_b) == ("short", "long", 1.0)


def test_passages_point_to_the_copied_substrings_in_both_originals():
    first = "Отрар был крупным центром торговли и науки на Сырдарье"
    second = "Караван-сараи стояли вдоль дороги на расстоянии дневного перехода"
    text_a = f"Моё эссе начинается так. {first}. Потом идёт моя мысль о степи. {second}. Конец."
    text_b = (
        f"Вступление другого студента совсем иное. {second}! Немного своего текста здесь "
        f"добавлено специально. {first}? И свой финал."
    )

    found = compare(text_a, text_b).passages

    assert [(p.text_a(text_a), p.text_b(text_b)) for p in found] == [
        (first, first),
        (second, second),
    ]
    assert text_a.index(first) == found[0].a_start
    assert text_b.index(first) == found[0].b_start


def test_a_changed_word_inside_a_copied_stretch_keeps_one_passage():
    text_a = KK_ORIGINAL
    text_b = KK_ORIGINAL.replace("бірнеше ондаған", "бірнеше жүздеген")
    [passage] = compare(text_a, text_b).passages
    assert passage.text_a(text_a).startswith("Арал теңізі бір кездері")
    assert passage.text_b(text_b).endswith("қабырғасынан бастап үйренуі тиіс")
    assert "жүздеген" in passage.text_b(text_b)


def test_empty_and_very_short_texts():
    assert compare("", "").jaccard == 0.0
    assert compare("!!! 123", "Текст бар").passages == ()
    assert compare("Жауабы дұрыс емес", "жауабы ДҰРЫС емес.").jaccard == 1.0


# --- Many documents -----------------------------------------------------------------------


def test_signatures_are_the_same_in_another_process():
    text = KK_ORIGINAL
    here = minhash_signature(fingerprint(text).shingle_set)
    code = (
        "import json, sys; from qashyq.assignments.similarity import fingerprint, "
        "minhash_signature; print(json.dumps(minhash_signature(fingerprint(sys.stdin.read())"
        ".shingle_set)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[3]),
    )
    assert json.loads(out.stdout) == here


def test_lsh_finds_the_planted_pair_among_300_documents_without_comparing_all_pairs():
    rng = random.Random(42)
    index = SimilarityIndex()
    for n in range(300):
        index.add(f"doc{n}", _words(300, 1000 + n))
    source = index.text("doc17").split()
    copy = list(source)
    for _ in range(15):  # change 15 words here and there
        copy[rng.randrange(len(copy))] = "өзгертілді"
    index.add("copy_of_17", " ".join(copy))

    candidates = index.candidates(containment=False)
    matches = index.find_similar()

    assert [(m.a_id, m.b_id) for m in matches] == [("doc17", "copy_of_17")]
    assert len(candidates) < 301 * 300 // 2 // 100  # far fewer than all pairs


def test_adding_the_same_id_twice_is_refused():
    index = SimilarityIndex()
    index.add("a", KK_ORIGINAL)
    with pytest.raises(ValueError, match="already"):
        index.add("a", RU_ORIGINAL)
