"""Verify an audit bundle offline: every file's SHA-256 and size against ``manifest.json``,
and the manifest's Ed25519 signature.

This module needs nothing but the Python standard library (it uses the ``cryptography``
package when present, else a plain implementation of RFC 8032 verification), so a copy
ships inside every bundle as ``verify.py``: ``python3 verify.py bundle.zip`` works on an
auditor's machine with no zGovern installed. ``zgovern verify BUNDLE.zip`` runs the same
code.

What it reports: files whose content differs from the manifest, files the manifest lists
that are missing, files present that the manifest does not list, and whether the signature
holds. A valid signature proves the manifest was signed by the key inside it; compare that
key's fingerprint with the one the organisation shows in its settings (``--fingerprint``)
to know *whose* key it is.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import zipfile
from dataclasses import dataclass, field

FORMAT = "zgovern-audit-bundle/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
CHUNK = 1024 * 1024


@dataclass
class Report:
    signature_ok: bool = False
    fingerprint: str = ""
    files_checked: int = 0
    differs: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signature_ok and not (
            self.differs or self.missing or self.added or self.problems
        )

    def lines(self) -> list[str]:
        out = [f"signature: {'valid' if self.signature_ok else 'INVALID'} ({self.fingerprint})"]
        out += [f"problem: {text}" for text in self.problems]
        out += [f"differs from the manifest: {name}" for name in self.differs]
        out += [f"missing (listed in the manifest): {name}" for name in self.missing]
        out += [f"added (not in the manifest): {name}" for name in self.added]
        verdict = "OK" if self.ok else "FAILED"
        out.append(f"{verdict}: {self.files_checked} files checked")
        return out


def fingerprint(public_key: bytes) -> str:
    return "SHA256:" + hashlib.sha256(public_key).hexdigest()


def verify_bundle(path: str, expected_fingerprint: str | None = None) -> Report:
    """Check the bundle at ``path``; never raises for a damaged bundle, it reports."""
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        report.problems.append(f"not a readable ZIP file: {exc}")
        return report
    with archive:
        manifest = _manifest(archive, report)
        if manifest is None:
            return report
        _check_signature(archive, manifest, report, expected_fingerprint)
        _check_files(archive, manifest[1], report)
    return report


def _manifest(archive: zipfile.ZipFile, report: Report) -> tuple[bytes, dict] | None:
    names = set(archive.namelist())
    for required in (MANIFEST, SIGNATURE):
        if required not in names:
            report.problems.append(f"{required} is missing")
    if MANIFEST not in names:
        return None
    raw = archive.read(MANIFEST)
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        report.problems.append(f"{MANIFEST} is not valid JSON: {exc}")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        report.problems.append(f"{MANIFEST} is not a {FORMAT} manifest")
        return None
    if not isinstance(manifest.get("files"), list):
        report.problems.append(f"{MANIFEST} lists no files")
        return None
    return raw, manifest


def _check_signature(archive, manifest: tuple[bytes, dict], report: Report, expected) -> None:
    raw, data = manifest
    try:
        public = base64.b64decode(data["signing_key"]["public_key"], validate=True)
        signature = base64.b64decode(archive.read(SIGNATURE).strip(), validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        report.problems.append(f"the signature or the key cannot be read ({exc})")
        return
    report.fingerprint = fingerprint(public)
    report.signature_ok = len(public) == 32 and ed25519_verify(public, raw, signature)
    if expected and expected.strip() != report.fingerprint:
        report.signature_ok = False
        report.problems.append(
            f"signed with key {report.fingerprint}, not the expected {expected.strip()}"
        )


def _check_files(archive: zipfile.ZipFile, manifest: dict, report: Report) -> None:
    listed: dict[str, dict] = {}
    for entry in manifest["files"]:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            listed[entry["path"]] = entry
    present = {info.filename: info for info in archive.infolist() if not info.is_dir()}
    for name, entry in listed.items():
        info = present.get(name)
        if info is None:
            report.missing.append(name)
            continue
        report.files_checked += 1
        if not _matches(archive, info, entry):
            report.differs.append(name)
    extra = set(present) - set(listed) - {MANIFEST, SIGNATURE}
    report.added.extend(sorted(extra))


def _matches(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: dict) -> bool:
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (OSError, zipfile.BadZipFile):
        return False  # a damaged entry (bad CRC) differs by definition
    return size == entry.get("size") and digest.hexdigest() == entry.get("sha256")


# --- Ed25519 verification (RFC 8032, section 5.1.7) ------------------------------------------


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return _verify_plain(public, message, signature)
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _add(a: tuple, b: tuple) -> tuple:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    e1, e2 = (y1 - x1) * (y2 - x2) % _P, (y1 + x1) * (y2 + x2) % _P
    c, d = 2 * t1 * t2 * _D % _P, 2 * z1 * z2 % _P
    e, f, g, h = e2 - e1, d - c, d + c, e2 + e1
    return (e * f, g * h, f * g, e * h)


def _mul(scalar: int, point: tuple) -> tuple:
    result = (0, 1, 1, 0)
    while scalar > 0:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _equal(a: tuple, b: tuple) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P)
    if x2 % _P == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    return _P - x if (x & 1) != sign else x


def _decompress(data: bytes) -> tuple | None:
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


_GY = 4 * pow(5, _P - 2, _P) % _P
_G = (_recover_x(_GY, 0), _GY, 1, _recover_x(_GY, 0) * _GY % _P)


def _verify_plain(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(public) != 32 or len(signature) != 64:
        return False
    point_a, point_r = _decompress(public), _decompress(signature[:32])
    if point_a is None or point_r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % _L
    return _equal(_mul(s, _G), _add(point_r, _mul(h, point_a)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a zGovern audit bundle offline.")
    parser.add_argument("bundle", help="the bundle's .zip file")
    parser.add_argument(
        "--fingerprint", help="the organisation's key fingerprint, as shown in its settings"
    )
    args = parser.parse_args(argv)
    report = verify_bundle(args.bundle, args.fingerprint)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
