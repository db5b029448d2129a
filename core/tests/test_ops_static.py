"""Production static files: `collectstatic` with the compressed manifest storage succeeds on
every file the project ships and writes gzip copies that whitenoise serves."""

import gzip
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from core.staticfiles import PortalStaticFilesStorage


def test_production_collectstatic_hashes_and_compresses(tmp_path):
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("PYTEST")},
        "DEBUG": "false",
        "STATIC_MANIFEST": "true",
        "STATIC_ROOT": str(tmp_path),
        "SECRET_KEY": "collectstatic-check-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    css = manifest["css/portal.css"]
    assert css != "css/portal.css" and css.startswith("css/portal.")
    original = (settings.BASE_DIR / "static/css/portal.css").read_bytes()
    compressed = (tmp_path / f"{css}.gz").read_bytes()
    assert gzip.decompress(compressed).startswith(original[:50])
    font_css = (tmp_path / manifest["vendor/vazirmatn/Vazirmatn-Variable-font-face.css"]).read_text()
    font = manifest["vendor/vazirmatn/fonts/webfonts/Vazirmatn-NL[wght].woff2"]
    assert f'url("{font.removeprefix("vendor/vazirmatn/")}")' in font_css  # the hashed font
    assert oct((tmp_path / css).stat().st_mode & 0o777) == "0o644"


def test_source_map_comments_are_not_followed_but_css_urls_are():
    css_rules = dict(PortalStaticFilesStorage.patterns)["*.css"]
    assert not any("sourceMappingURL" in (rule[0] if isinstance(rule, tuple) else rule) for rule in css_rules)
    assert any("url\\(" in (rule[0] if isinstance(rule, tuple) else rule) for rule in css_rules)


def test_hashed_urls_are_worked_out_once_per_name_and_process(tmp_path, settings):
    settings.DEBUG = False
    manifest = {"version": "1.1", "paths": {"css/portal.css": "css/portal.0123abcd.css"}, "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storage = PortalStaticFilesStorage(location=str(tmp_path), base_url="/static/")
    assert storage.url("css/portal.css") == "/static/css/portal.0123abcd.css"
    assert storage._urls == {"css/portal.css": "/static/css/portal.0123abcd.css"}
    assert storage.url("css/portal.css") == "/static/css/portal.0123abcd.css"
    with pytest.raises(ValueError):  # a file missing from the manifest is an error, every time
        storage.url("css/missing.css")
    assert "css/missing.css" not in storage._urls
    settings.DEBUG = True  # development: the unhashed name, as Django gives it
    assert storage.url("css/portal.css") == "/static/css/portal.css"
