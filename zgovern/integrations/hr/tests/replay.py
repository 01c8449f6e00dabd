"""A BambooHR company replayed from the recorded custom-report answer in ``recorded/``
(shaped as BambooHR's ``POST /v1/reports/custom?format=JSON`` documents it). Tests add
faults with ``queue`` (answer the report with given responses first) and ``deny``
(answer every call with a status for good)."""

from __future__ import annotations

import base64
import json
from collections import deque
from pathlib import Path

import httpx

from zgovern.integrations.hr.client import HttpOptions

RECORDED = Path(__file__).with_name("recorded")
CONFIG = {"company_domain": "acme"}
CREDENTIALS = {"api_key": "3f5c9e2a7b1d4c6e8f0a2b4c6d8e0f1a2b3c4d5e"}
REPORT = "/api/gateway.php/acme/v1/reports/custom"


class BambooWorld:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.waits: list[float] = []
        self.queued: deque[httpx.Response] = deque()
        self.denied: int | None = None
        self.report = json.loads((RECORDED / "report.json").read_text())

    def queue(self, *responses: httpx.Response) -> None:
        self.queued.extend(responses)

    def deny(self, status: int) -> None:
        self.denied = status

    def options(self) -> HttpOptions:
        return HttpOptions(transport=httpx.MockTransport(self.handle), sleep=self.waits.append)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        user = base64.b64decode(request.headers["authorization"].split()[1]).decode()
        assert user == f"{CREDENTIALS['api_key']}:x"
        if self.queued:
            return self.queued.popleft()
        if self.denied:
            # BambooHR explains a refusal in a header and leaves the body empty.
            return httpx.Response(self.denied, headers={
                "X-BambooHR-Error-Message": "Permission denied for this API key",
            })  # fmt: skip
        if request.method != "POST" or request.url.path != REPORT:
            return httpx.Response(404)
        assert request.url.params["format"] == "JSON"
        assert request.url.params["onlyCurrent"] == "false"
        assert "workEmail" in json.loads(request.content)["fields"]
        return httpx.Response(200, json=self.report)
