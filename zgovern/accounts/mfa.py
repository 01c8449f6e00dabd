"""TOTP and recovery-code primitives. Pure functions: nothing here touches the database
(the writes that accept a code once live in :mod:`zgovern.accounts.services`)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno

ISSUER = "zGovern"
DIGITS = 6
# Accept the previous and the next 30-second step too: phone clocks drift.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 12 characters from a 31-letter alphabet without look-alikes (0/o, 1/l/i): ~59 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUP, RECOVERY_GROUPS = 4, 3

_SEPARATORS = re.compile(r"[\s-]+")
_TOTP_CODE = re.compile(rf"^\d{{{DIGITS}}}$")


def _now() -> float:
    """The clock TOTP steps are computed from (tests freeze it)."""
    return time.time()


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data URI, for an ``<img>`` (CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2)


def normalize(code: str) -> str:
    """Drop spaces and dashes and lower-case, so codes may be typed as displayed."""
    return _SEPARATORS.sub("", code or "").lower()


def looks_like_totp(code: str) -> bool:
    return bool(_TOTP_CODE.match(normalize(code)))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step within the allowed drift whose code equals ``code``, or None.

    The caller must still refuse a step at or before the device's last accepted one."""
    code = normalize(code)
    if not _TOTP_CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(_now() if now is None else now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Fresh recovery codes as shown to the user (``abcd-efgh-jkmn``)."""
    return [_recovery_code() for _ in range(count)]


def _recovery_code() -> str:
    groups = (
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP))
        for _ in range(RECOVERY_GROUPS)
    )
    return "-".join(groups)


def recovery_hash(code: str) -> str:
    """SHA-256 of the normalised code: all the database keeps."""
    return hashlib.sha256(normalize(code).encode()).hexdigest()
