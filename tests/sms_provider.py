"""A local SMS provider for the delivery tests: a small HTTP server on 127.0.0.1 that speaks
like the real web service (API key in the path, receptor and message in a form body), records
every request, and can be told to fail the first N requests or to hold a request open (a slow
provider, so that a test can kill the worker in the middle of a send)."""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "test-api-key"


class SmsProvider:
    def __init__(self, *, fail_first=0):
        self.fail_first = fail_first
        self.requests = []  # every request: {"to", "text", "status"}
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.release.set()  # set: answer at once; cleared: hold each request until set
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                if self.path != f"/v1/{API_KEY}/sms/send.json":
                    self.send_response(404)
                    self.end_headers()
                    return
                with provider.lock:
                    failing = len(provider.requests) < provider.fail_first
                    status = 500 if failing else 200
                    provider.requests.append({"to": form["receptor"][0], "text": form["message"][0], "status": status})
                provider.release.wait(timeout=30)
                body = json.dumps({"return": {"status": status}}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that went away (a killed worker) is part of the tests

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1/{{api_key}}/sms/send.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def delivered(self):
        """The messages the provider accepted (answered 200)."""
        with self.lock:
            return [(r["to"], r["text"]) for r in self.requests if r["status"] == 200]

    def received(self):
        with self.lock:
            return list(self.requests)

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.received()) < count:
            assert time.monotonic() < deadline, f"the provider got {len(self.received())} of {count} requests"
            time.sleep(0.02)

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def settings(self):
        """The portal's settings (and environment variables) that send through this provider."""
        return {
            "SMS_BACKEND": "core.sms.HttpSmsBackend",
            "SMS_API_URL": self.url,
            "SMS_API_KEY": API_KEY,
            "SMS_SENDER": "10004346",
        }
