"""BambooHR's REST API, read only, through the shared :class:`HttpClient` (retries, 429
and 503 with ``Retry-After`` — BambooHR throttles with 503 — and 401/403 as permanent
errors naming what the key needs).

The roster comes from one custom report (``POST /reports/custom``) over every employee,
current and past: BambooHR answers it whole, without pages. Authentication is HTTP Basic
with the API key as the user name and any password.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from zgovern.integrations.base import ProviderError
from zgovern.integrations.hr.schemas import BambooConfig, BambooCredentials
from zgovern.integrations.http import HttpClient

API = "https://api.bamboohr.com"
# What the key's BambooHR user must be allowed to see, named on 401/403.
ACCESS = "an API key of a BambooHR user who can view employees' job and employment fields"
REPORT_FIELDS = (
    "id", "employeeNumber", "firstName", "lastName", "displayName", "workEmail",
    "department", "supervisorEId", "supervisorEmail", "employmentHistoryStatus", "status",
    "hireDate", "terminationDate",
)  # fmt: skip


@dataclass(frozen=True)
class HttpOptions:
    """How the provider reaches BambooHR: tests replay recorded answers through
    ``transport`` and record the waits through ``sleep``."""

    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = field(default=time.sleep)


class BambooClient:
    def __init__(
        self, config: BambooConfig, credentials: BambooCredentials, options: HttpOptions
    ) -> None:
        self.base = f"/api/gateway.php/{config.company_domain}/v1"
        key = credentials.api_key.get_secret_value()
        self.http = HttpClient(
            base_url=API, service="employees", scopes={"/api/gateway.php": ACCESS},
            headers={"Accept": "application/json"}, transport=options.transport,
            sleep=options.sleep,
        )  # fmt: skip
        self.http.client().auth = httpx.BasicAuth(key, "x")

    def close(self) -> None:
        self.http.close()

    def employees(self) -> Iterator[dict[str, Any]]:
        """Every employee, active and inactive, with :data:`REPORT_FIELDS`."""
        response = self.http.request(
            "POST", f"{self.base}/reports/custom",
            params={"format": "JSON", "onlyCurrent": "false"},
            json={"title": "zGovern roster", "fields": list(REPORT_FIELDS)},
        )  # fmt: skip
        try:
            body = response.json()
        except ValueError:
            raise ProviderError(
                "employees: BambooHR's report did not answer JSON", permanent=False,
                service="employees",
            ) from None  # fmt: skip
        rows = body.get("employees") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise ProviderError(
                "employees: BambooHR's report has no employee list", permanent=False,
                service="employees",
            )  # fmt: skip
        yield from (row for row in rows if isinstance(row, dict))
