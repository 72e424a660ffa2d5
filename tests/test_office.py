"""A real office suite opens the sample workbook: LibreOffice headless converts it to PDF.

Skipped where ``soffice`` is absent (``.ci/run`` installs libreoffice-calc). Each run
uses its own LibreOffice profile, so it never waits on another soffice process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbook" / "LeadScoring.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [
    pytest.mark.office,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


def to_pdf(source: Path, outdir: Path) -> Path:
    """Convert with LibreOffice headless; return the PDF's path (fails with soffice's output)."""
    profile = (outdir / "lo-profile").as_uri()
    done = subprocess.run(
        [str(SOFFICE), "--headless", "--norestore", f"-env:UserInstallation={profile}",
         "--convert-to", "pdf", "--outdir", str(outdir), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    pdf = outdir / (source.stem + ".pdf")
    assert done.returncode == 0, done.stdout + done.stderr
    assert pdf.is_file(), f"no PDF written; soffice said: {done.stdout} {done.stderr}"
    return pdf


def test_libreoffice_converts_the_template_to_pdf(tmp_path: Path) -> None:
    pdf = to_pdf(TEMPLATE, tmp_path)
    body = pdf.read_bytes()
    assert body.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b", body))
    assert pages >= 8  # at least one page per sheet; the 5,000 deals alone fill hundreds
