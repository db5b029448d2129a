#!/usr/bin/env python
"""Refresh locale/fa/LC_MESSAGES/django.po from the sources and fill in Persian translations.

Usage: scripts/po_fill.py [TRANSLATIONS.json ...]   (default: every locale/src/*.json)
Each app keeps its translations in locale/src/<app>.json; each JSON file maps an English source string to its Persian translation; a key
"context\u0004source" gives a string with a gettext context; a list value ["singular",
"plural"] gives both Persian plural forms. Runs under a lock so that several people (or
helpers) can use it at once; prints the strings still untranslated."""

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/fa/LC_MESSAGES/django.po"


def main(paths):
    translations = {}
    for path in paths or sorted((ROOT / "locale/src").glob("*.json")):
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    PO.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOT / "locale/.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        env = {**os.environ, "DEBUG": "true", "ALLOW_DEMO_SEED": "true"}
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "fa",
                "--no-obsolete",
                "--no-location",
                "--ignore=.venv/*",
                "--ignore=node_modules/*",
                "--ignore=static/vendor/*",
                "--ignore=bench/*",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        po = polib.pofile(str(PO))
        po.metadata["Plural-Forms"] = "nplurals=2; plural=(n > 1);"
        po.metadata["Language"] = "fa"
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        for entry in po:
            key = f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt else entry.msgid
            value = translations.get(key)
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
        po.save(str(PO))
        po.save_as_mofile(str(PO.with_suffix(".mo")))
        missing = [e.msgid for e in po if not e.translated()]
        for msgid in missing:
            print(f"untranslated: {msgid!r}")
        print(f"{len(po) - len(missing)} translated, {len(missing)} untranslated")


if __name__ == "__main__":
    main(sys.argv[1:])
