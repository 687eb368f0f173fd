"""A webhook receiver for Parley's tests: verifies every delivery with the Standard Webhooks
reference library (PyPI `standardwebhooks`), and records what came.

Usage: webhook_receiver.py PORT (0: any; the port is printed on the first line).
  POST /secret          body: the endpoint's secret (whsec_…); later deliveries are verified
  POST /fail?n=N&status=S   the next N deliveries are answered S (default 500)
  GET  /received        JSON list: {id, timestamp, body, verified, tampered_rejected, status}
  POST anything else    a delivery
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from standardwebhooks.webhooks import Webhook

state = {"secret": None, "fail": 0, "fail_status": 500, "received": []}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with lock:
            body = json.dumps(state["received"]).encode()
        self.answer(200, body)

    def do_POST(self):
        url = urlparse(self.path)
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        if url.path == "/secret":
            with lock:
                state["secret"] = body.decode()
            return self.answer(204)
        if url.path == "/fail":
            query = parse_qs(url.query)
            with lock:
                state["fail"] = int(query.get("n", ["1"])[0])
                state["fail_status"] = int(query.get("status", ["500"])[0])
            return self.answer(204)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with lock:
            secret = state["secret"]
        verified = False
        tampered_rejected = False
        if secret:
            hook = Webhook(secret)
            try:
                hook.verify(body, headers)
                verified = True
            except Exception:
                verified = False
            try:
                hook.verify(body + b" ", headers)
            except Exception:
                tampered_rejected = True
        with lock:
            if state["fail"] > 0:
                state["fail"] -= 1
                status = state["fail_status"]
            else:
                status = 200 if verified else 401
            state["received"].append(
                {
                    "id": headers.get("webhook-id"),
                    "timestamp": headers.get("webhook-timestamp"),
                    "body": body.decode(),
                    "verified": verified,
                    "tampered_rejected": tampered_rejected,
                    "status": status,
                }
            )
        self.answer(status)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
