#!/usr/bin/env python
"""Refresh locale/fa/LC_MESSAGES/django.po from the sources and fill in Persian translations.

Usage: scripts/po_fill.py [TRANSLATIONS.json ...]   (default: every locale/src/*.json)
Each app keeps its translations in locale/src/<app>.json; each JSON file maps an English source string to its Persian translation; a key
"context\u0004source" gives a string with a gettext context; a list value ["singular",
"plural"] gives both Persian plural forms. Runs under a lock so that several people can use it
at once; prints the strings still untranslated.

Two catalogues are written: django.po (Python and templates) and djangojs.po (the portal's
JavaScript and the admin's: its JavaScriptCatalog reads LOCALE_PATHS too). Both also carry the
strings of Django and the third-party apps that the portal shows and whose own Persian
catalogue lacks them (VENDOR_CATALOGUES), so that no English is left on a Persian page."""

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/fa/LC_MESSAGES/django.po"
JS_PO = ROOT / "locale/fa/LC_MESSAGES/djangojs.po"
# (package folder with a locale/ directory, domain): every string of its English catalogue
# that its Persian catalogue leaves untranslated is added to ours.
VENDOR_CATALOGUES = [
    ("django/conf", "django"),
    ("django/contrib/admin", "django"),
    ("django/contrib/auth", "django"),
    ("django/contrib/admin", "djangojs"),
]
MAKEMESSAGES_IGNORE = [
    "--ignore=.venv/*",
    "--ignore=node_modules/*",
    "--ignore=static/vendor/*",
    "--ignore=staticfiles/*",
    "--ignore=bench/*",
]


def vendor_entries(domain, translations):
    """polib entries of Django's catalogues for `domain` that have no Persian translation there,
    and those whose Persian translation the portal replaces (a key in the JSON)."""
    import django

    site = Path(django.__file__).resolve().parent.parent
    gaps = []
    for package, package_domain in VENDOR_CATALOGUES:
        if package_domain != domain:
            continue
        folder = site / package / "locale"
        english = polib.pofile(str(folder / "en/LC_MESSAGES" / f"{domain}.po"))
        persian_path = folder / "fa/LC_MESSAGES" / f"{domain}.po"
        translated = set()
        if persian_path.exists():
            translated = {
                (e.msgctxt, e.msgid)
                for e in polib.pofile(str(persian_path))
                if e.translated() and "fuzzy" not in e.flags
            }
        gaps += [e for e in english if (e.msgctxt, e.msgid) not in translated or _key(e) in translations]
    return gaps


def _key(entry):
    return f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt else entry.msgid


def fill(po, translations, domain):
    """Adds the vendor gaps, fills every entry from the JSON, drops makemessages' guesses; returns
    the msgids still untranslated."""
    present = {(e.msgctxt, e.msgid) for e in po}
    for gap in vendor_entries(domain, translations):
        if (gap.msgctxt, gap.msgid) not in present:
            present.add((gap.msgctxt, gap.msgid))
            entry = polib.POEntry(msgctxt=gap.msgctxt, msgid=gap.msgid, msgid_plural=gap.msgid_plural, flags=gap.flags)
            if gap.msgid_plural:
                entry.msgstr_plural = {0: "", 1: ""}
            po.append(entry)
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
    po.metadata["Language"] = "fa"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    for entry in po:
        value = translations.get(_key(entry))
        if value is None:
            continue
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value, value]
            entry.msgstr_plural = {0: forms[0], 1: forms[1]}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    for entry in po:
        if "fuzzy" in entry.flags:  # makemessages' guesses are never shipped
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "") if entry.msgid_plural else {}
    return [e.msgid for e in po if not e.translated()]


def main(paths):
    translations = {}
    for path in paths or sorted((ROOT / "locale/src").glob("*.json")):
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    PO.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOT / "locale/.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        env = {**os.environ, "DEBUG": "true", "ALLOW_DEMO_SEED": "true"}
        for domain in ("django", "djangojs"):
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "fa",
                    "-d",
                    domain,
                    "--no-obsolete",
                    "--no-location",
                    *MAKEMESSAGES_IGNORE,
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        missing = []
        total = 0
        for path, domain in ((PO, "django"), (JS_PO, "djangojs")):
            po = polib.pofile(str(path)) if path.exists() else polib.POFile()
            missing += fill(po, translations, domain)
            total += len(po)
            po.save(str(path))
            po.save_as_mofile(str(path.with_suffix(".mo")))
        for msgid in missing:
            print(f"untranslated: {msgid!r}")
        print(f"{total - len(missing)} translated, {len(missing)} untranslated")


if __name__ == "__main__":
    main(sys.argv[1:])
