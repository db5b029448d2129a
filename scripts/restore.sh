#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh:
#   scripts/restore.sh backups/20261128T031500Z
# Restores into DATABASE_URL (or RESTORE_DATABASE_URL, e.g. a scratch database to check a backup:
# it is created when missing) in one transaction, then puts the media folders back (the current
# ones are kept beside them as <folder>.before-restore-<stamp>). RESTORE_MEDIA=no skips the files.
# Asks for confirmation on a terminal unless RESTORE_YES=yes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

backup=${1:-}
if [ -z "$backup" ] || [ ! -d "$backup" ]; then
  echo "usage: scripts/restore.sh backups/<stamp>   (make restore BACKUP=backups/<stamp>)" >&2
  exit 2
fi
backup=$(cd "$backup" && pwd)

setting() {
  local name=$1 default=$2 value="${!1:-}"
  if [ -z "$value" ] && [ -f .env ]; then
    value=$(sed -n "s/^${name}=//p" .env | tail -n 1 | sed -e "s/^[\"']//" -e "s/[\"']\$//")
  fi
  printf '%s' "${value:-$default}"
}
DATABASE_URL=${RESTORE_DATABASE_URL:-$(setting DATABASE_URL "sqlite:///$ROOT/db.sqlite3")}
MEDIA_ROOT=$(setting MEDIA_ROOT "$ROOT/media")
PRIVATE_MEDIA_ROOT=$(setting PRIVATE_MEDIA_ROOT "$ROOT/private_media")
RESTORE_MEDIA=${RESTORE_MEDIA:-yes}

(cd "$backup" && sha256sum --quiet --check SHA256SUMS) || { echo "restore.sh: the backup is damaged" >&2; exit 1; }

if [ -t 0 ] && [ "${RESTORE_YES:-}" != "yes" ]; then
  read -r -p "Replace the database ${DATABASE_URL%%@*}@… and the media folders with $backup? Type yes: " answer
  [ "$answer" = "yes" ] || { echo "nothing restored"; exit 1; }
fi

case "$DATABASE_URL" in
  postgres://* | postgresql://* | pgsql://* | psql://*)
    [ -f "$backup/database.dump" ] || { echo "restore.sh: no database.dump in $backup" >&2; exit 1; }
    url="postgresql://${DATABASE_URL#*://}"
    name="${url##*/}"
    name="${name%%\?*}"
    maintenance="${url%/*}/postgres"
    exists=$(psql --dbname "$maintenance" -Atc "SELECT 1 FROM pg_database WHERE datname = '$name'")
    [ "$exists" = "1" ] || psql --dbname "$maintenance" -qc "CREATE DATABASE \"$name\""
    pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
      --dbname "$url" "$backup/database.dump"
    ;;
  sqlite://*)
    [ -f "$backup/database.sqlite3" ] || { echo "restore.sh: no database.sqlite3 in $backup" >&2; exit 1; }
    path="${DATABASE_URL#sqlite://}"
    path="${path#/}"
    [ -f "$path" ] && cp -p "$path" "$path.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    cp "$backup/database.sqlite3" "$path"
    ;;
  *)
    echo "restore.sh: unsupported DATABASE_URL scheme" >&2
    exit 2
    ;;
esac

unpack() {  # unpack NAME FOLDER
  [ -f "$backup/$1.tar.gz" ] || return 0
  if [ -d "$2" ]; then
    mv "$2" "$2.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
  fi
  mkdir -p "$2"
  tar -xzf "$backup/$1.tar.gz" -C "$2"
}
if [ "$RESTORE_MEDIA" = "yes" ]; then
  unpack media "$MEDIA_ROOT"
  unpack private_media "$PRIVATE_MEDIA_ROOT"
fi
echo "restored $backup"
