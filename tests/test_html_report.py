from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from gates.reporters import html
from tests.samples import PLANTED, mixed_report, passing_report


def test_report_is_self_contained_and_redacted() -> None:
    page = html.format([mixed_report(), passing_report()])
    assert page.startswith("<!DOCTYPE html>")
    assert "Blocked" in page and "blocked by secrets" in page
    assert 'id="gate-secrets"' in page and 'id="gate-deps"' in page
    assert "Rotate it in the AWS console" in page
    assert "commits_scanned = 42" in page
    assert PLANTED not in page and PLANTED[4:] not in page
    for remote in ("http://", "https://", "<script", "@import", "url("):
        assert remote not in page


def test_report_escapes_markup() -> None:
    from gates.report import Check, Report, Status

    page = html.format([Report("smoke", (Check("<img src=x onerror=alert(1)>", Status.FAILED, message="<b>"),))])
    assert "<img src=x" not in page and "&lt;img" in page


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.slow
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = chromium()
    if browser is None:
        pytest.skip("no chromium on this machine (Debian: apt-get install chromium)")
    page = tmp_path / "report.html"
    page.write_text(html.format([mixed_report(), passing_report()]), encoding="utf-8")
    shot = tmp_path / "report.png"
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=800,600", f"--screenshot={shot}",
         page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert shot.is_file(), done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # The red "Blocked" header must be on the page: look for its colour in the decoded image.
    pixels = _decode_png(data)
    assert (0xB4, 0x23, 0x18) in pixels


def _decode_png(data: bytes) -> set[tuple[int, int, int]]:
    """The distinct RGB colours of a non-interlaced 8-bit RGB/RGBA PNG (what Chromium writes)."""
    import struct
    import zlib

    pos, chunks, width, height, colour = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            chunks += body
        pos += 12 + length
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(chunks)
    stride = width * channels
    previous = bytearray(stride)
    colours: set[tuple[int, int, int]] = set()
    offset = 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        colours.update((line[i], line[i + 1], line[i + 2]) for i in range(0, stride, channels * 7))
        previous = line
    return colours


def test_many_gates_long_names_and_many_fixes_stay_readable() -> None:
    from gates.report import Check, Finding, Location, Report, Severity, Status

    fix = Finding("r", "m", Severity.ERROR, Location("a.py", 1), fix="rotate <it> & \"re-deploy\"")
    reports = [
        Report(f"gate{g}\"><script>", tuple(Check(f"c{i}-" + "n" * 2000, Status.FAILED, findings=(fix,),
                                                 output="o" * 10_000) for i in range(200)))
        for g in range(20)
    ]
    page = html.format(reports)
    assert page.count("<section") == 20
    assert "<script>" not in page and 'id="gate-gate0&quot;&gt;&lt;script&gt;"' in page
    assert "n" * 301 not in page
    assert "150 more fixes" in page and page.count('class="fix"') == 20 * html.MAX_FIXES_PER_GATE
    assert "overflow-wrap:anywhere" in page
    assert len(page) < 3_000_000
