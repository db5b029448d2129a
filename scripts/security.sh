#!/usr/bin/env bash
# `make security`: the portal's security scans, on this machine only (loopback).
#   bandit     the project's code (medium severity or higher fails)
#   pip-audit  requirements.txt against the PyPI advisory database
#   wapiti     crawls a locally started portal signed in as a member and as estates staff
#   sqlmap     the forms and query parameters of that portal (bounded level, risk and time)
# Scanners live in their own virtualenv (.venv/security-tools), never in requirements.txt. Reports go
# to test-artifacts/security/; docs/security.md summarises them.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
SEC=.venv/security-tools  # inside .venv: ignored by git, removed by make clean
OUT=test-artifacts/security
PORT=${SECURITY_PORT:-8765}   # never 8000
HOST=127.0.0.1
BASE="http://$HOST:$PORT"
SCAN_SECONDS=${SCAN_SECONDS:-180}   # per wapiti crawl (its attacks are bounded to 3× this)
mkdir -p "$OUT"
STATUS=0

if [ ! -x "$SEC/bin/bandit" ] || [ ! -x "$SEC/bin/wapiti" ] || [ ! -x "$SEC/bin/sqlmap" ] || [ ! -x "$SEC/bin/pip-audit" ]; then
  python3 -m venv "$SEC"
  "$SEC/bin/pip" install --quiet --upgrade pip
  "$SEC/bin/pip" install --quiet bandit==1.9.4 pip-audit==2.10.1 sqlmap==1.10.10 wapiti3==3.2.3  # the last release for Python 3.11
fi

echo "== bandit (medium and high) =="
if "$SEC/bin/bandit" -q -r cluster_portal members events pricing permits scripts \
    -x '*/tests/*,*/migrations/*' --severity-level medium --confidence-level medium \
    -f txt -o "$OUT/bandit.txt"; then
  echo "bandit: no medium or high findings"
else
  echo "bandit: findings, see $OUT/bandit.txt"; STATUS=1
fi
"$SEC/bin/bandit" -q -r cluster_portal members events pricing permits scripts -x '*/tests/*,*/migrations/*' \
  -f json -o "$OUT/bandit-all.json" || true

echo "== pip-audit (requirements.txt) =="
if timeout 600 "$SEC/bin/pip-audit" -r requirements.txt --progress-spinner off --desc on -f columns \
    -o "$OUT/pip-audit.txt" 2> "$OUT/pip-audit.err"; then
  unaudited=$(grep -c "could not be audited" "$OUT/pip-audit.txt" || true)
  if [ "$unaudited" -gt 0 ]; then
    # Happens where only the package index is reachable, not PyPI's advisory API.
    echo "pip-audit: UNVERIFIED, $unaudited packages could not be looked up (advisory database unreachable)"
  else
    echo "pip-audit: no known vulnerabilities"
  fi
else
  echo "pip-audit: vulnerable packages, see $OUT/pip-audit.txt"; cat "$OUT/pip-audit.txt"; STATUS=1
fi

# --- A throw-away portal on loopback: its own database, demo data, production-like settings ---
WORK=$(mktemp -d)
export DEBUG=false HTTPS=false SECRET_KEY="security-scan-$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz" \
  ALLOWED_HOSTS="$HOST,localhost" DATABASE_URL="sqlite:///$WORK/scan.sqlite3" REDIS_URL= \
  MEDIA_ROOT="$WORK/media" PRIVATE_MEDIA_ROOT="$WORK/private" STATIC_MANIFEST=false ALLOW_DEMO_SEED=true \
  SMS_BACKEND=core.sms.LocmemSmsBackend EMAIL_URL=dummymail:// \
  RATELIMIT_ENABLE=false AXES_FAILURE_LIMIT=100000 FAST_PASSWORD_HASHER=true
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo > "$OUT/seed.log" 2>&1
$PY -m gunicorn cluster_portal.wsgi:application -b "$HOST:$PORT" -w 2 --timeout 60 \
  --access-logfile "$OUT/server-access.log" --error-logfile "$OUT/server-error.log" &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 50); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

# Sign in through the real pages (password, and the authenticator code for staff); prints a
# Cookie header for the scanners.
login_cookie() {
  $PY - "$BASE" "$1" "${2:-}" <<'PYEOF'
import http.cookiejar, os, re, sys, urllib.parse, urllib.request
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cluster_portal.settings")
django.setup()
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from members.models import User

base, mobile, otp = sys.argv[1], sys.argv[2], sys.argv[3] == "otp"
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

def post(path, fields):
    page = opener.open(base + path).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
    request = urllib.request.Request(base + path, data=data, headers={"Referer": base + path})
    return opener.open(request)

post("/accounts/login/", {"username": mobile, "password": "demo-pass-1405"})
if otp:
    user = User.objects.get(mobile=mobile)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=True
    )
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    post("/accounts/2fa/verify/", {"code": f"{code:06d}"})
check = opener.open(base + "/notifications/")
assert check.geturl().endswith("/notifications/"), check.geturl()
print("; ".join(f"{c.name}={c.value}" for c in jar))
PYEOF
}
MEMBER_COOKIE=$(login_cookie 09120000001)
STAFF_COOKIE=$(login_cookie 09120000010 otp)

echo "== wapiti (member, then staff; ${SCAN_SECONDS}s each) =="
for who in member staff; do
  cookie=$MEMBER_COOKIE; [ "$who" = staff ] && cookie=$STAFF_COOKIE
  timeout $((SCAN_SECONDS * 5)) "$SEC/bin/wapiti" -u "$BASE/" --scope folder -H "Cookie: $cookie" \
    -x "$BASE/accounts/logout/" -x "$BASE/admin/logout/" -x "$BASE/i18n/setlang/" \
    --max-scan-time "$SCAN_SECONDS" --max-attack-time 20 --max-links-per-page 20 -d 3 \
    -m "xss,permanentxss,sql,timesql,exec,file,redirect,crlf,ssrf,upload,csp,http_headers,cookieflags,methods" \
    --flush-session \
    -f json -o "$OUT/wapiti-$who.json" > "$OUT/wapiti-$who.log" 2>&1 || true
  if [ ! -s "$OUT/wapiti-$who.json" ]; then
    echo "wapiti as $who: no report (stopped by the time limit), see $OUT/wapiti-$who.log"; STATUS=1; continue
  fi
  $PY - "$OUT/wapiti-$who.json" "$who" <<'PYEOF' || STATUS=1
import json, sys
report = json.load(open(sys.argv[1]))
found = {name: items for name, items in report.get("vulnerabilities", {}).items() if items}
anomalies = {name: items for name, items in report.get("anomalies", {}).items() if items}
print(f"wapiti as {sys.argv[2]}: {sum(map(len, found.values()))} vulnerabilities, {sum(map(len, anomalies.values()))} anomalies; "
      f"{report.get('infos', {}).get('crawled_pages_nbr', 0)} pages crawled")
for name, items in {**found, **anomalies}.items():
    for item in items:
        print(f"  [{item.get('level')}] {name}: {item.get('method')} {item.get('path')} {item.get('parameter', '')} {item.get('info', '')[:120]}")
sys.exit(1 if any(item.get("level", 1) >= 2 for items in found.values() for item in items) else 0)
PYEOF
done

echo "== sqlmap (forms and query parameters; level 2, risk 1) =="
sqlmap_run() {  # name, cookie, sqlmap arguments...
  local name=$1 cookie=$2; shift 2
  timeout "${SQLMAP_SECONDS:-90}" "$SEC/bin/sqlmap" --batch --level 2 --risk 1 --timeout 10 --retries 1 \
    --time-sec 2 --technique BEUS --disable-coloring --output-dir "$OUT/sqlmap" \
    ${cookie:+--cookie "$cookie"} "$@" > "$OUT/sqlmap-$name.log" 2>&1 || true
  if grep -qE "is vulnerable|sqlmap identified the following injection point" "$OUT/sqlmap-$name.log"; then
    echo "sqlmap $name: INJECTABLE, see $OUT/sqlmap-$name.log"; STATUS=1
  else
    echo "sqlmap $name: $(grep -cE "\[INFO\] testing '" "$OUT/sqlmap-$name.log") techniques tried, no injection"
  fi
}
sqlmap_run directory "" -u "$BASE/members/directory/?q=baklava&county=qazvin&kind=guild&product=1&page=1"
sqlmap_run login "" -u "$BASE/accounts/login/" --forms --csrf-token csrfmiddlewaretoken
sqlmap_run password-reset "" -u "$BASE/accounts/password/reset/" --forms --csrf-token csrfmiddlewaretoken
sqlmap_run join "" -u "$BASE/members/join/" --forms --csrf-token csrfmiddlewaretoken
sqlmap_run bands "$MEMBER_COOKIE" -u "$BASE/prices/bands/?round=1&product=1&channel=wholesale"
sqlmap_run report "$STAFF_COOKIE" -u "$BASE/prices/report/?round=1&channel=wholesale&product=1"
sqlmap_run admin-search "$STAFF_COOKIE" -u "$BASE/admin/members/member/?q=test&status__exact=active&county__exact=qazvin"

echo "== summary: exit $STATUS (0: no finding of medium or higher) =="
exit $STATUS
