"""Keep the translation catalogs in step with the code: extract every `_("...")` of templates and
`N_("...")` / `_("...")` of Python under src/sulo, merge into the id and fil catalogs (keeping what is
translated), and list what is missing. `python -m sulo.web.catalog [--check]`."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from sulo.web.i18n import LOCALE_DIR, LOCALES

SRC = Path(__file__).resolve().parent.parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "", "trim_blocks": "true", "lstrip_blocks": "true"}}
KEYWORDS = {"_": None, "N_": None}


def extract() -> dict[str, set[str]]:
    """msgid -> the files it appears in."""
    found: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(SRC), method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS):
        if isinstance(message, str) and message.strip():
            found.setdefault(message, set()).add(filename)
    return found


def merge(locale: str, messages: dict[str, set[str]]) -> list[str]:
    """Rewrite the locale's catalog with exactly the current messages; return those without translation."""
    po_file = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    existing: dict[str, str] = {}
    if po_file.exists():
        with po_file.open("rb") as handle:
            existing = {str(m.id): str(m.string) for m in read_po(handle, locale=locale) if m.id and m.string}
    catalog = Catalog(locale=locale, project="sulo", charset="utf-8")
    for msgid in sorted(messages):
        catalog.add(msgid, existing.get(msgid, ""), locations=[(f, 0) for f in sorted(messages[msgid])][:3])
    po_file.parent.mkdir(parents=True, exist_ok=True)
    with po_file.open("wb") as handle:
        write_po(handle, catalog, width=120, omit_header=False, sort_output=True, include_lineno=False)
    return [msgid for msgid in sorted(messages) if not existing.get(msgid)]


def missing_translations() -> dict[str, list[str]]:
    messages = extract()
    result: dict[str, list[str]] = {}
    for locale in LOCALES:
        if locale == "en":
            continue
        po_file = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
        have: set[str] = set()
        if po_file.exists():
            with po_file.open("rb") as handle:
                have = {str(m.id) for m in read_po(handle, locale=locale) if m.id and m.string}
        result[locale] = sorted(set(messages) - have)
    return result


def fill(locale: str, translations: dict[str, str]) -> int:
    """Set translations in a locale's catalog (from a reviewed YAML file); returns how many were set."""
    po_file = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    count = 0
    for msgid, text in translations.items():
        message = catalog.get(msgid)
        if message is not None and text:
            message.string = text
            count += 1
    with po_file.open("wb") as handle:
        write_po(handle, catalog, width=120, sort_output=True, include_lineno=False)
    return count


def main(argv: list[str]) -> int:
    if "--fill" in argv:
        import yaml

        data = yaml.safe_load(Path(argv[argv.index("--fill") + 1]).read_text(encoding="utf-8"))
        for locale, translations in data.items():
            print(f"{locale}: {fill(locale, translations)} set")
        return 0
    if "--check" in argv:
        missing = missing_translations()
        for locale, ids in missing.items():
            for msgid in ids:
                print(f"{locale}: untranslated: {msgid!r}")
        return 1 if any(missing.values()) else 0
    messages = extract()
    for locale in LOCALES:
        if locale != "en":
            untranslated = merge(locale, messages)
            print(f"{locale}: {len(messages)} messages, {len(untranslated)} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
