"""Every user-facing string reaches the user in Kazakh, Russian and English."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "qashyq" / "locale"
# Names makemessages recognises; an alias such as `gettext_lazy as _lazy` hides strings from it.
KEYWORDS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_catalogue_has_no_untranslated_or_fuzzy_entries(lang):
    import polib

    catalogue = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert (missing, fuzzy) == ([], []), f"{lang}: translate these and run `make messages`"


def test_gettext_is_never_imported_under_a_name_makemessages_misses():
    pattern = re.compile(r"from django\.utils\.translation import .*\b(\w+) as (\w+)")
    offenders = []
    for path in (ROOT / "qashyq").rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            if match.group(2) not in KEYWORDS:
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert offenders == []


def test_role_dashboard_headings_are_translated():
    from qashyq.portal.views import DASHBOARD_HEADINGS

    for heading in DASHBOARD_HEADINGS.values():
        with translation.override("en"):
            english = str(heading)
        for lang in ("kk", "ru"):
            with translation.override(lang):
                assert str(heading) != english, f"{english!r} has no {lang} translation"


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_compiled_catalogue_matches_the_po_file(lang):
    """The .mo files are committed, so running Qashyq needs no gettext; `make messages` rebuilds
    them."""
    import gettext

    import polib

    folder = LOCALE / lang / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in polib.pofile(str(folder / "django.po")):
        if entry.obsolete or not entry.msgid:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            if compiled.ngettext(key, entry.msgid_plural, 1) != entry.msgstr_plural[0]:
                stale.append(entry.msgid)
        elif compiled.gettext(key) != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], f"django.mo is older than django.po for {len(stale)} strings: make messages"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_no_word_mixes_latin_and_cyrillic_letters(lang):
    """A Latin "o" inside a Kazakh word looks right but breaks search and screen readers."""
    import polib

    catalogue = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    mixed = set()
    for entry in catalogue:
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            for word in re.findall(r"\w+", text or ""):
                if re.search(r"[A-Za-z]", word) and re.search(r"[\u0400-\u04ff]", word):
                    mixed.add(word)
    assert mixed == set()
