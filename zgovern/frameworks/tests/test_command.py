"""``zgovern frameworks validate|list``: exit 0 with a summary on good data, exit 1 with
located problems on bad files."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from zgovern.frameworks import library

BAD_FRAMEWORK = """\
id: acme
name: Acme
version: "1"
categories: [{id: core, name: Core}]
nodes:
  - {id: A, title: A, parent: B}
  - {id: B, title: B, parent: A}
  - {id: C, title: C, parent: Z}
"""


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("frameworks", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_validate_builtin_prints_summary():
    out, err = run("validate")
    assert err == ""
    assert "soc2: SOC 2 Trust Services Criteria 2017 (rev. 2022): 61 criteria" in out
    assert "iso27001: ISO/IEC 27001 Annex A 2022: 93 criteria in 1 category" in out
    assert "soc2-iso27001: soc2 -> iso27001: 61 criteria linked" in out
    controls = len(library.load_default_controls().controls)
    assert f"default: {controls} controls" in out
    assert "soc2: 61/61 criteria covered; security: 33/33" in out
    assert "iso27001: 93/93 criteria covered" in out
    assert "OK: no problems found" in out


def test_validate_good_files(tmp_path: Path):
    out, _ = run(
        "validate",
        str(library.FRAMEWORKS_DIR / "soc2-2017.yaml"),
        str(library.MAPPINGS_DIR / "soc2-iso27001.yaml"),
    )
    assert "soc2: SOC 2" in out and "soc2-iso27001" in out and "OK" in out
    assert "iso27001: ISO" not in out  # only the given files are summarised


def test_validate_bad_file_raises_with_located_problems(tmp_path: Path):
    path = tmp_path / "acme.yaml"
    path.write_text(BAD_FRAMEWORK, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="2 problems found"):
        call_command("frameworks", "validate", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        f"{path}:6: nodes[0].parent: parent links form a cycle: A -> B -> A",
        f"{path}:8: nodes[2].parent: unknown parent 'Z'",
    ]


def test_list_frameworks_and_tree():
    out, _ = run("list")
    assert out.splitlines()[0].startswith("iso27001: ")
    assert out.splitlines()[1].startswith("soc2: ")
    out, _ = run("list", "soc2")
    lines = out.splitlines()
    assert lines[0] == "SOC 2 Trust Services Criteria 2017 (rev. 2022)"
    assert "  category security: Security (always in scope)" in lines
    assert "  CC6 Logical and physical access controls" in lines
    assert "    CC6.1 Logical access security [security]" in lines
    assert "    P8.1 Inquiries, complaints and disputes [privacy]" in lines
    assert sum(1 for line in lines if line.endswith("]")) == 61


def test_list_unknown_framework():
    with pytest.raises(CommandError, match="unknown framework 'hipaa'"):
        run("list", "hipaa")


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zgovern.settings_test"}
    env["ZG_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [sys.executable, "-m", "zgovern.cli", "frameworks", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.PACKAGE_DIR.parent,
        timeout=120,
        check=False,
    )


def test_cli_exit_status(tmp_path: Path):
    good = _cli(tmp_path, "validate")
    assert good.returncode == 0, good.stderr
    assert "OK: no problems found" in good.stdout

    bad_file = tmp_path / "bad.yaml"
    bad_file.write_bytes(b"id: acme\nname: \xff\n")
    bad = _cli(tmp_path, "validate", str(bad_file))
    assert bad.returncode == 1
    assert f"{bad_file}:2: file is not valid UTF-8 text (byte 0xff)" in bad.stderr
    assert "1 problem found" in bad.stderr
