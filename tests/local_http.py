"""A real HTTP server on loopback for one test, answering with a handler class of the test's."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """The server's base URL (``http://127.0.0.1:PORT``) while the block runs."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class JsonHandler(BaseHTTPRequestHandler):
    """Answers every GET with ``document()`` as JSON over HTTP/1.1, plus ``extra_headers``;
    logs nothing."""

    protocol_version = "HTTP/1.1"
    extra_headers: tuple[tuple[str, str], ...] = ()

    def document(self) -> object:
        raise NotImplementedError

    def do_GET(self) -> None:
        body = json.dumps(self.document()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        for name, value in self.extra_headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass
