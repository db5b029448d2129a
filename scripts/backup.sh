#!/usr/bin/env bash
# Back up the portal: the database (pg_dump custom format, or a copy of the SQLite file) and the
# uploaded files (media and private_media as tar archives) into backups/<UTC timestamp>/, with
# SHA256SUMS. Reads DATABASE_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT, MEDIA_BACKEND from the
# environment or .env, as the portal does.
#   scripts/backup.sh                 → backups/20261128T031500Z/
#   BACKUP_DIR=/srv/backups KEEP_DAYS=14 scripts/backup.sh   (older backups there are removed)
# Prints the new backup folder on its last line. Restore with scripts/restore.sh <folder>.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

setting() {  # setting NAME DEFAULT: the environment, else .env, else the default
  local name=$1 default=$2 value="${!1:-}"
  if [ -z "$value" ] && [ -f .env ]; then
    value=$(sed -n "s/^${name}=//p" .env | tail -n 1 | sed -e "s/^[\"']//" -e "s/[\"']\$//")
  fi
  printf '%s' "${value:-$default}"
}

DATABASE_URL=$(setting DATABASE_URL "sqlite:///$ROOT/db.sqlite3")
MEDIA_ROOT=$(setting MEDIA_ROOT "$ROOT/media")
PRIVATE_MEDIA_ROOT=$(setting PRIVATE_MEDIA_ROOT "$ROOT/private_media")
MEDIA_BACKEND=$(setting MEDIA_BACKEND local)
BACKUP_DIR=${BACKUP_DIR:-$ROOT/backups}
KEEP_DAYS=${KEEP_DAYS:-}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
dest="$BACKUP_DIR/$stamp"
mkdir -p "$dest"
chmod 700 "$dest"
trap 'echo "backup failed; removing the incomplete $dest" >&2; rm -rf "$dest"' ERR

case "$DATABASE_URL" in
  postgres://* | postgresql://* | pgsql://* | psql://*)
    url="postgresql://${DATABASE_URL#*://}"
    pg_dump --format=custom --compress=6 --no-owner --no-privileges --file "$dest/database.dump" --dbname "$url"
    ;;
  sqlite://*)
    path="${DATABASE_URL#sqlite://}"
    path="${path#/}"  # sqlite:////abs/path → /abs/path ; sqlite:///rel → rel (django-environ's rule)
    python3 - "$path" "$dest/database.sqlite3" <<'PY'
import sqlite3, sys
source, target = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)  # a consistent copy even while the portal writes
PY
    ;;
  *)
    echo "backup.sh: unsupported DATABASE_URL scheme: ${DATABASE_URL%%://*}" >&2
    exit 2
    ;;
esac

archive() {  # archive FOLDER NAME: a tar.gz of the folder's contents (empty when it is absent)
  if [ -d "$1" ]; then
    tar -czf "$dest/$2.tar.gz" -C "$1" .
  else
    tar -czf "$dest/$2.tar.gz" --files-from /dev/null
  fi
}
if [ "$MEDIA_BACKEND" = "s3" ]; then
  echo "MEDIA_BACKEND=s3: uploads live in the bucket; back it up with the bucket's versioning or replication" >&2
else
  archive "$MEDIA_ROOT" media
  archive "$PRIVATE_MEDIA_ROOT" private_media
fi

(cd "$dest" && sha256sum -- * > SHA256SUMS)
chmod 600 "$dest"/*
trap - ERR

if [ -n "$KEEP_DAYS" ]; then
  find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '20*Z' -mtime "+$KEEP_DAYS" -exec rm -rf {} +
fi
echo "$dest"
