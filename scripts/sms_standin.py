"""A stand-in for the SMS gateway on loopback, for `make deploy-check`.

Usage: sms_standin.py PORT OUTBOX. Answers every POST as the HTTP gateway sender expects
(``{"code": 0}``) and appends the JSON it was sent to OUTBOX, one line each, so the smoke test
can read the code a voter would have received.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, OUTBOX = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with open(OUTBOX, "a", encoding="utf-8") as outbox:
            outbox.write(json.dumps(json.loads(body), ensure_ascii=False) + "\n")
        answer = b'{"code": 0, "msg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
