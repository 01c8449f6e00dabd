"""A misbehaving AWS endpoint: answers every request with the same canned response (an
error, garbage, or nothing in time) and counts the requests, so the real botocore retry
and parsing code can be exercised without a network."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Behaviour:
    status: int = 200
    body: str = ""
    content_type: str = "text/xml"
    delay: float = 0.0
    requests: list[str] = field(default_factory=list)


def xml_error(code: str, message: str) -> str:
    """An error body in the query protocol's shape (IAM, STS, EC2-like)."""
    return (
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )


@contextmanager
def fake_aws(behaviour: Behaviour) -> Iterator[str]:
    """Serve ``behaviour`` on a free local port; yields the endpoint URL."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            behaviour.requests.append(f"{self.command} {self.path} {payload}")
            if behaviour.delay:
                time.sleep(behaviour.delay)
            body = behaviour.body.encode()
            try:
                self.send_response(behaviour.status)
                self.send_header("Content-Type", behaviour.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (timeout tests)

        do_GET = do_POST = do_PUT = do_HEAD = _answer

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
