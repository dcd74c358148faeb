"""Translations: English source strings, Bahasa Indonesia and Filipino catalogs (Babel .po files),
loaded once when the app is built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).with_name("locale")
LOCALES = {"en": "English", "id": "Bahasa Indonesia", "fil": "Filipino"}


@dataclass
class Catalogs:
    messages: dict[str, dict[str, str]] = field(default_factory=dict)

    def gettext(self, locale: str) -> Callable[..., str]:
        table = self.messages.get(locale, {})

        def translate(message: str, **values: object) -> str:
            text = table.get(message) or message
            return text.format(**values) if values else text

        return translate


def load_catalogs(locale_dir: Path = LOCALE_DIR) -> Catalogs:
    catalogs = Catalogs()
    for code in LOCALES:
        po_file = locale_dir / code / "LC_MESSAGES" / "messages.po"
        if not po_file.exists():
            continue
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=code)
        catalogs.messages[code] = {
            str(msg.id): str(msg.string) for msg in catalog if msg.id and msg.string and not msg.fuzzy
        }
    return catalogs


def pick_locale(requested: str | None, default: str) -> str:
    return requested if requested in LOCALES else default
