"""Real parts for the operations tests: a private PostgreSQL instance (initdb in a temporary
folder, its own port, stopped and started by the tests: the machine's shared server is never
touched) and gunicorn app servers on loopback ports, run with production settings."""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECRET_KEY = "ops-test-secret-key-5f2b8c1e9a7d4b3f6e0a1c2d8e9f7a6b5c4d3e2f1a0b9c8d"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin_dir():
    """The folder of the PostgreSQL server binaries (initdb, pg_ctl), or None."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    initdb = shutil.which("initdb")
    return os.path.dirname(os.path.realpath(initdb)) if initdb else None


def _as_postgres_user():
    """initdb refuses to run as root: run the private server as the `postgres` user."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if not runuser:
        return None
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return [runuser, "-u", "postgres", "--"]


def private_postgres_unavailable_reason():
    if postgres_bin_dir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if _as_postgres_user() is None:
        return "running as root without a `postgres` user to run a private PostgreSQL"
    return None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on its own port, trust auth on loopback only."""

    def __init__(self):
        self.bin = postgres_bin_dir()
        self.prefix = _as_postgres_user()
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="portal-ops-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        if self.prefix:
            shutil.chown(self.dir, user="postgres", group="postgres")
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = {
            "port": self.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.dir}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": 100,
        }
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as conf:
            for key, value in options.items():
                conf.write(f"{key} = {value}\n")

    def _run(self, tool, *args, check=True):
        return subprocess.run(
            [*self.prefix, os.path.join(self.bin, tool), *args],
            check=check,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def start(self):
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "30", "start")

    def stop(self):
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop", check=False)

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name):
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-q",
                "-c",
                f'CREATE DATABASE "{name}"',
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )

    def psql(self, database, sql):
        """One query's rows as text (tab-separated columns)."""
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-At", "-c", sql],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return result.stdout.strip()

    def destroy(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def server_env(**overrides):
    """Production settings for a subprocess (DEBUG off, a real secret, HTTPS off on loopback)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_ALLOW_ASYNC")) and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        HTTPS="false",
        ALLOW_DEMO_SEED="false",
        STATIC_MANIFEST="false",
        FAST_PASSWORD_HASHER="true",
        SMS_BACKEND="core.sms.ConsoleSmsBackend",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",  # the queue in the database, as in production
        EMAIL_URL="consolemail://",
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def manage(*args, env, timeout=300):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=timeout
    )


class Gunicorn:
    """One app server: gunicorn with production settings on a loopback port."""

    def __init__(self, env, *, workers=2, threads=1, name="portal"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "cluster_portal.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--graceful-timeout",
                "20",
                "--timeout",
                "30",
                "--name",
                name,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s: {self.output()}")

    def output(self):
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def reload(self):
        """Graceful reload: new workers start, old ones finish what they serve, then exit."""
        self.process.send_signal(signal.SIGHUP)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # quick shutdown: the test is over
            try:
                self.process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
        os.unlink(self.log.name)


class WebClient:
    """A browser-like HTTP client: keeps cookies (shared by every server on 127.0.0.1, as a
    browser behind one load balancer would), sends the CSRF token, never follows redirects."""

    def __init__(self, language=None):
        import http.cookiejar

        self.cookies = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)
        if language:  # the language switch's cookie
            self.cookies.set_cookie(
                http.cookiejar.Cookie(
                    0, "django_language", language, None, False, "127.0.0.1", False, False, "/", True,
                    False, None, False, None, None, {},
                )
            )  # fmt: skip

    def request(self, url, data=None, *, headers=None, timeout=10):
        headers = dict(headers or {})
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, url, **kwargs):
        return self.request(url, **kwargs)

    def csrf_token(self, form_url):
        import re

        status, _headers, body = self.get(form_url)
        assert status == 200, (status, body[:500])
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert match, body[:500]
        return match.group(1).decode()

    def post(self, url, fields, *, form_url=None, files=None, token=None):
        token = token or self.csrf_token(form_url or url)
        fields = [("csrfmiddlewaretoken", token), *(fields.items() if isinstance(fields, dict) else fields)]
        if files:
            body, content_type = _multipart(fields, files)
        else:
            body, content_type = (
                urllib.parse.urlencode(fields, doseq=True).encode(),
                "application/x-www-form-urlencoded",
            )
        return self.request(url, data=body, headers={"Content-Type": content_type, "X-CSRFToken": token})

    def login(self, base_url, mobile, password):
        return self.post(f"{base_url}/accounts/login/", {"username": mobile, "password": password})


def _multipart(fields, files):
    import uuid

    boundary = uuid.uuid4().hex
    parts = []
    for name, item in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def form_fields(html, **attributes):
    """The values a browser would submit from the form with these attributes (inputs, checked
    boxes, selected options, textareas; disabled fields and files left out)."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.fields, self.select, self.textarea = False, [], None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.inside = all(attrs.get(name) == value for name, value in attributes.items())
            if not self.inside or "disabled" in attrs:
                return
            kind = attrs.get("type", "text")
            if tag == "input" and attrs.get("name") and kind not in ("file", "submit", "button"):
                if kind not in ("checkbox", "radio") or "checked" in attrs:
                    self.fields.append((attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")))
            elif tag == "select":
                self.select = attrs.get("name")
            elif tag == "option" and self.select and "selected" in attrs:
                self.fields.append((self.select, attrs.get("value", "")))
            elif tag == "textarea" and attrs.get("name"):
                self.textarea = [attrs["name"], ""]

        def handle_data(self, data):
            if self.textarea is not None:
                self.textarea[1] += data

        def handle_endtag(self, tag):
            if tag == "form":
                self.inside = False
            elif tag == "select":
                self.select = None
            elif tag == "textarea" and self.textarea is not None:
                self.fields.append(tuple(self.textarea))
                self.textarea = None

    parser = Form()
    parser.feed(html)
    return parser.fields
