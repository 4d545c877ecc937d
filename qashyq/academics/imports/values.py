"""Reading cell values: choice aliases in kk/ru/en, IINs, numbers, and logins made from names."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.utils import translation

from ..models import Funding

FUNDING_EXTRA = {
    "грант": Funding.STATE_GRANT,
    "госгрант": Funding.STATE_GRANT,
    "гос. грант": Funding.STATE_GRANT,
    "бюджет": Funding.STATE_GRANT,
    "state grant": Funding.STATE_GRANT,
    "мемлекеттік грант": Funding.STATE_GRANT,
    "платно": Funding.PAID,
    "платное": Funding.PAID,
    "платная": Funding.PAID,
    "договор": Funding.PAID,
    "контракт": Funding.PAID,
    "ақылы": Funding.PAID,
    "ақылы негізде": Funding.PAID,
    "fee-paying": Funding.PAID,
}
LANGUAGE_EXTRA = {
    "kz": "kk",
    "каз": "kk",
    "қаз": "kk",
    "казахский": "kk",
    "қазақ": "kk",
    "қазақша": "kk",
    "қазақ тілі": "kk",
    "kazakh": "kk",
    "рус": "ru",
    "русский": "ru",
    "орыс": "ru",
    "орысша": "ru",
    "орыс тілі": "ru",
    "russian": "ru",
    "eng": "en",
    "англ": "en",
    "английский": "en",
    "ағылшын": "en",
    "ағылшынша": "en",
    "english": "en",
}
YES = {"1", "yes", "y", "true", "+", "да", "д", "иә", "ия", "x", "х"}
NO = {"", "0", "no", "n", "false", "-", "нет", "н", "жоқ"}

_TRANSLIT = str.maketrans(
    {
        "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
        "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "қ": "q", "л": "l",
        "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
        "ю": "yu", "я": "ya",
    }
)  # fmt: skip


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).replace("\ufeff", "").replace("ё", "е")
    text = text.replace("*", "").strip().casefold()
    return re.sub(r"\s+", " ", text)


# --- values --------------------------------------------------------------------------------------


def choice_aliases(choices, extra: dict[str, str]) -> dict[str, str]:
    mapping = {norm(value): value for value, _label in choices}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices:
                mapping.setdefault(norm(str(label)), value)
    mapping.update({norm(k): v for k, v in extra.items()})
    return mapping


def transliterate(text: str) -> str:
    text = unicodedata.normalize("NFC", text.casefold()).translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text)


def username_base(last_name: str, first_name: str) -> str:
    surname = transliterate(last_name)[:24] or "user"
    initial = transliterate(first_name)[:1]
    return f"{surname}.{initial}" if initial else surname


def normalise_iin(value: str) -> str:
    value = re.sub(r"[\s\-]", "", value)
    if len(value) == 11 and value.isdigit():  # Excel dropped the leading zero of a 2000s birth
        value = "0" + value
    return value


def int_in(value: str, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except ValueError:
        return None
    return number if low <= number <= high else None
