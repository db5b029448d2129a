"""`make backup` / `make restore` on the embedded default (a SQLite file and local folders);
the PostgreSQL dump and restore is checked in tests/test_ops_postgres.py."""

import os
import sqlite3
import subprocess

from tests.ops_support import ROOT


def _env(tmp_path, database, media):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_ROOT": str(media / "media"),
        "PRIVATE_MEDIA_ROOT": str(media / "private_media"),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    database = tmp_path / "portal.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE member (id integer primary key, name text)")
        db.executemany("INSERT INTO member (name) VALUES (?)", [("کریمی",), ("احمدی",), ("رحیمی",)])
    (tmp_path / "files/media/logos").mkdir(parents=True)
    (tmp_path / "files/media/logos/a.png").write_bytes(b"logo")
    env = _env(tmp_path, database, tmp_path / "files")
    made = subprocess.run(
        ["scripts/backup.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    backup = made.stdout.strip().splitlines()[-1]
    assert sorted(os.listdir(backup)) == ["SHA256SUMS", "database.sqlite3", "media.tar.gz", "private_media.tar.gz"]

    with sqlite3.connect(database) as db:  # a mistake after the backup
        db.execute("DELETE FROM member")
    (tmp_path / "files/media/logos/a.png").unlink()

    subprocess.run(["scripts/restore.sh", backup], cwd=ROOT, env=env, capture_output=True, timeout=60, check=True)
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT name FROM member ORDER BY id").fetchall() == [("کریمی",), ("احمدی",), ("رحیمی",)]
    assert (tmp_path / "files/media/logos/a.png").read_bytes() == b"logo"
    kept = [name for name in os.listdir(tmp_path / "files") if name.startswith("media.before-restore-")]
    assert len(kept) == 1  # the folder it replaced is kept beside it


def test_restore_without_a_backup_folder_explains_usage(tmp_path):
    result = subprocess.run(["scripts/restore.sh"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "usage: scripts/restore.sh backups/<stamp>" in result.stderr
