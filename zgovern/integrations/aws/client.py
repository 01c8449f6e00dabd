"""boto3 sessions and clients for one integration, and the translation of every AWS failure
into a :class:`~zgovern.integrations.base.ProviderError`.

- Clients retry throttling, timeouts and 5xx answers themselves (botocore's adaptive retry
  mode, bounded attempts) and time out on connect and read; what still fails reaches us as
  one exception, translated by :func:`translate`.
- A denied permission names the IAM action (``iam:GenerateCredentialReport``); bad or
  expired credentials say so; a garbled answer is an error, never a crash.
- Every API operation is counted per collection service (``Inventory.calls``) through a
  botocore event hook; the service being collected is a thread-local set by
  :func:`counting_as`.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)
from botocore.parsers import ResponseParserError

from zgovern.integrations.base import ProviderError

SESSION_NAME = "zgovern"

PERMISSION_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
    }
)
CREDENTIAL_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "AuthFailure",
        "UnrecognizedClientException",
        "IncompleteSignature",
        "InvalidToken",
        "RequestExpired",
    }
)
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "BandwidthLimitExceeded",
    }
)
# IAM action names that differ from the API operation's name.
_ACTIONS = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetBucketLocation"): "s3:GetBucketLocation",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
}
# botocore's service name -> the IAM action prefix, where they differ.
_PREFIXES = {"s3control": "s3", "config": "config", "sts": "sts"}
_NAMED_ACTION = re.compile(r"perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)")


def iam_action(service: str, operation: str) -> str:
    """The IAM action an API operation needs (``("s3", "ListBuckets")`` -> s3:ListAllMyBuckets)."""
    return _ACTIONS.get((service, operation), f"{_PREFIXES.get(service, service)}:{operation}")


@dataclass(frozen=True)
class ClientOptions:
    """How clients talk to AWS. ``endpoint_url`` sends every call to one endpoint (moto)."""

    endpoint_url: str | None = None
    max_attempts: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    pool_size: int = 16

    @classmethod
    def from_settings(cls) -> ClientOptions:
        from django.conf import settings

        endpoint = getattr(settings, "AWS_ENDPOINT_URL", None) if settings.configured else None
        return cls(endpoint_url=endpoint or None)

    def botocore_config(self) -> Config:
        extra: dict[str, Any] = {}
        if self.endpoint_url:
            # An emulator on one host: no bucket or account id in the host name.
            extra = {"s3": {"addressing_style": "path"}, "inject_host_prefix": False}
        return Config(
            retries={"mode": "adaptive", "total_max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=self.pool_size,
            user_agent_extra="zgovern",
            # Only the integration's own settings: never AWS_ENDPOINT_URL or ~/.aws/config.
            ignore_configured_endpoint_urls=True,
            **extra,
        )


_current = threading.local()


@contextmanager
def counting_as(service: str) -> Iterator[None]:
    """Count the API calls this thread makes inside the block under ``service``."""
    previous = getattr(_current, "service", None)
    _current.service = service
    try:
        yield
    finally:
        _current.service = previous


def current_service() -> str | None:
    """The service this thread's calls are counted under, if any."""
    return getattr(_current, "service", None)


@dataclass
class CallCounter:
    """API operations made, per collection service; safe to share between threads."""

    counts: Counter = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, event_name: str = "", **_: Any) -> None:
        # event_name is "before-call.<botocore service>.<Operation>".
        service = getattr(_current, "service", None) or event_name.split(".")[1]
        with self._lock:
            self.counts[service] += 1


def refuse_garbage(http_response: Any = None, model: Any = None, **_: Any) -> None:
    """botocore reads a JSON body it cannot parse as an empty answer ("no keys", "no
    detectors"): refuse it, so garbage never passes for an empty account."""
    if http_response is None or model is None or http_response.status_code >= 300:
        return
    if model.service_model.protocol not in ("json", "rest-json"):
        return  # XML bodies that do not parse already raise
    content = http_response.content
    if content and content.strip():
        try:
            json.loads(content)
        except ValueError:
            raise ResponseParserError(
                f"the answer to {model.name} is not JSON: {_short(content[:80])}"
            ) from None


def keep_endpoint_host(request: Any = None, **_: Any) -> None:
    """S3 Control puts the account id in the host name (123456789012.endpoint), which an
    emulator on one host cannot answer: keep the configured host."""
    if request is not None:
        scheme, _, rest = request.url.partition("://")
        host, slash, path = rest.partition("/")
        label, dot, remainder = host.partition(".")
        if dot and label.isdigit() and len(label) == 12:
            request.url = f"{scheme}://{remainder}{slash}{path}"


class AccountSession:
    """One account's credentials and the clients made from them, cached per (service,
    region). boto3 sessions are not thread-safe, clients are: creation is serialised."""

    def __init__(
        self,
        session: boto3.Session,
        options: ClientOptions,
        counter: CallCounter,
        account_id: str = "",
    ) -> None:
        self.session = session
        self.options = options
        self.account_id = account_id
        self._config = options.botocore_config()
        self._clients: dict[tuple[str, str], BaseClient] = {}
        self._lock = threading.Lock()
        session.events.register("before-call", counter.hook)
        session.events.register("after-call", refuse_garbage)
        if options.endpoint_url:
            session.events.register("before-sign.s3-control", keep_endpoint_host)
        self._counter = counter

    def client(self, service: str, region: str) -> BaseClient:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self.session.client(
                    service,
                    region_name=region,
                    endpoint_url=self.options.endpoint_url,
                    config=self._config,
                )
            return self._clients[key]

    def caller_account(self, region: str) -> str:
        """The account id of these credentials (sts:GetCallerIdentity), remembered."""
        if not self.account_id:
            with counting_as("sts"):
                identity = call(self.client("sts", region), "get_caller_identity")
            account = identity.get("Account") if isinstance(identity, dict) else None
            if not isinstance(account, str) or not account:
                raise ProviderError(
                    "AWS answered sts:GetCallerIdentity without an account id",
                    permanent=False,
                    service="sts",
                )
            self.account_id = account
        return self.account_id

    def assume(self, role_arn: str, external_id: str | None, account_id: str, region: str):
        """A session in a member account through ``sts:AssumeRole``."""
        params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME}
        if external_id:
            params["ExternalId"] = external_id
        try:
            with counting_as("sts"):
                answer = call(self.client("sts", region), "assume_role", **params)
            creds = answer["Credentials"]
            session = new_session(
                creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
            )
        except ProviderError as error:
            raise ProviderError(
                f"role {role_arn} cannot be assumed: {error.message}",
                permanent=error.permanent,
                service="sts",
                permission=error.permission and f"sts:AssumeRole on {role_arn}",
            ) from error
        except (KeyError, TypeError) as error:
            raise ProviderError(
                f"AWS answered sts:AssumeRole for {role_arn} without credentials",
                permanent=False,
                service="sts",
            ) from error
        return AccountSession(session, self.options, self._counter, account_id)


def new_session(
    access_key_id: str, secret_access_key: str, session_token: str | None = None
) -> boto3.Session:
    """A boto3 session holding exactly these credentials (never the environment's or a
    profile's). Sessions share one model loader, so each service's API description is
    parsed once per process rather than once per run and account."""
    botocore_session = botocore.session.get_session()
    botocore_session.register_component("data_loader", _shared_loader())
    return boto3.Session(
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        aws_session_token=session_token or None,
        botocore_session=botocore_session,
    )


@functools.cache
def _shared_loader() -> botocore.loaders.Loader:
    # Read-only once loaded; two threads loading one model at once both get a copy.
    return botocore.loaders.create_loader()


def call(client: BaseClient, method: str, **params: Any) -> Any:
    """Call one API operation; every failure comes out as a ProviderError."""
    try:
        return getattr(client, method)(**params)
    except Exception as error:
        raise translate(error, client.meta.service_model.service_name) from error


def optional(client, method: str, missing: set[str], **params: Any) -> Any:
    """Call an operation whose "not configured" answer is an error code; None then."""
    try:
        return call(client, method, **params)
    except ProviderError as error:
        if error_code(error) in missing:
            return None
        raise


def paginate(client: BaseClient, method: str, key: str, **params: Any) -> list[Any]:
    """Every item under ``key`` across all pages of a paginated operation."""
    items: list[Any] = []
    try:
        for page in client.get_paginator(method).paginate(**params):
            found = page.get(key, [])
            if not isinstance(found, list):
                raise ResponseParserError(f"{key} in the answer is not a list")
            items.extend(found)
    except Exception as error:
        raise translate(error, client.meta.service_model.service_name) from error
    return items


def pages(client: BaseClient, method: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of a paginated operation, for answers spread over several keys."""
    try:
        return list(client.get_paginator(method).paginate(**params))
    except Exception as error:
        raise translate(error, client.meta.service_model.service_name) from error


def translate(error: Exception, service: str) -> ProviderError:
    """One AWS failure as a ProviderError saying whether retrying can help and which
    permission is missing."""
    if isinstance(error, ProviderError):
        return error
    if isinstance(error, ClientError):
        return _client_error(error, service)
    if isinstance(error, NoCredentialsError):
        return ProviderError("no AWS credentials were given", permanent=True, service=service)
    if isinstance(error, ReadTimeoutError | BotoConnectionError):
        return ProviderError(
            f"AWS {service} did not answer in time after retries: {error}",
            permanent=False,
            service=service,
        )
    if isinstance(error, ParamValidationError):
        return ProviderError(
            f"invalid request to AWS {service}: {error}", permanent=True, service=service
        )
    if isinstance(error, ResponseParserError | BotoCoreError | ValueError | KeyError | TypeError):
        return ProviderError(
            f"AWS {service} gave an answer that could not be read: {_short(error)}",
            permanent=False,
            service=service,
        )
    return ProviderError(
        f"unexpected failure calling AWS {service}: {type(error).__name__}: {_short(error)}",
        permanent=False,
        service=service,
    )


def _client_error(error: ClientError, service: str) -> ProviderError:
    info = error.response.get("Error", {}) if isinstance(error.response, dict) else {}
    code = str(info.get("Code", ""))
    message = _message(str(info.get("Message", "")))
    operation = getattr(error, "operation_name", "") or "request"
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    action = iam_action(service, operation)
    if code in PERMISSION_CODES or (status == 403 and code not in CREDENTIAL_CODES):
        named = _NAMED_ACTION.search(message)
        permission = named.group(1) if named else action
        return ProviderError(
            f"permission {permission} is missing" + (f": {message}" if message else ""),
            permanent=True,
            service=service,
            permission=permission,
        )
    if code in CREDENTIAL_CODES:
        return ProviderError(
            f"AWS credentials invalid or expired ({code})" + (f": {message}" if message else ""),
            permanent=True,
            service=service,
        )
    if code in THROTTLING_CODES:
        return ProviderError(
            f"AWS throttled {action} and retries did not get through ({code})",
            permanent=False,
            service=service,
        )
    if isinstance(status, int) and status >= 500:
        return ProviderError(
            f"AWS {service} failed on {action} after retries (HTTP {status} {code})",
            permanent=False,
            service=service,
        )
    if code == "OptInRequired":
        return ProviderError(
            f"the region is not enabled for this account ({action})",
            permanent=True,
            service=service,
        )
    return ProviderError(
        f"AWS refused {action}: {code}" + (f": {message}" if message else ""),
        permanent=True,
        service=service,
    )


def error_code(error: BaseException) -> str:
    """The AWS error code behind a ProviderError or ClientError, or ''."""
    cause = error.__cause__ if isinstance(error, ProviderError) else error
    if isinstance(cause, ClientError):
        return str(cause.response.get("Error", {}).get("Code", ""))
    return ""


_XML_MESSAGE = re.compile(r"<Message>(.*?)</Message>", re.DOTALL)


def _message(text: str) -> str:
    """An error message fit to show: the <Message> of an XML body some endpoints send
    where JSON was expected, shortened."""
    if text.lstrip().startswith("<"):
        found = _XML_MESSAGE.search(text)
        text = found.group(1) if found else ""
    return _short(text.strip())


def _short(value: object, limit: int = 300) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
