"""Translations: every UI string is translated into Bahasa Indonesia and Filipino, translations keep the
placeholders of their English source, and a rendered page comes out in the chosen language."""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po

from sulo.web.catalog import missing_translations
from sulo.web.i18n import LOCALE_DIR, LOCALES, load_catalogs
from sulo.web.nav import NAV

TRANSLATED = [code for code in LOCALES if code != "en"]


def _placeholders(text: str) -> set[str]:
    return {field for _literal, field, _spec, _conv in string.Formatter().parse(text) if field is not None}


def _catalog(locale: str) -> dict[str, str]:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle, locale=locale) if m.id and m.string}


def test_every_ui_string_is_translated() -> None:
    missing = missing_translations()
    assert set(missing) == set(TRANSLATED)
    for locale, ids in missing.items():
        assert not ids, (f"{locale}: {len(ids)} untranslated UI strings; run `python -m sulo.web.catalog` "
                         f"and translate them: {ids[:20]}")


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_source(locale: str) -> None:
    catalog = _catalog(locale)
    assert catalog, f"{locale}: empty catalog"
    wrong = {msgid: text for msgid, text in catalog.items() if _placeholders(text) != _placeholders(msgid)}
    assert not wrong, f"{locale}: placeholders differ from the English source: {wrong}"
    for msgid, text in catalog.items():  # and they format like the source does
        values = {name: "x" for name in _placeholders(msgid)}
        text.format(**values)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_loaded_catalog_serves_every_navigation_label(locale: str) -> None:
    table = load_catalogs().messages[locale]
    for item in NAV:
        assert table.get(item.label), f"{locale}: navigation label {item.label!r} is not translated"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_rendered_page_shows_translated_navigation(client_for, locale: str) -> None:
    table = load_catalogs().messages[locale]
    client = client_for("admin")
    client.post_form("/locale", {"locale": locale, "next": "/"})
    page = client.get("/")
    assert page.status_code == 200
    assert f'<html lang="{locale}">' in page.text
    labels = dict(re.findall(r'data-nav="([^"]+)">([^<]*)</a>', page.text))
    assert labels, "the admin sees a navigation bar"
    english = {item.href: item.label for item in NAV}
    for href, label in labels.items():
        assert label == table[english[href]], f"{locale}: {href} shows {label!r}"
    assert table["Log out"] in page.text
    assert table["Stages"] in page.text
    assert ">Log out<" not in page.text
