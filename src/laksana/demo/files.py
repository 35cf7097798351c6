"""Small generated files for the demo cases: a one-page PDF and a PNG "screenshot".

Real enough to open in a viewer and to pass the upload checks (type sniffed by content,
images decoded), small enough to keep the demo data folder tiny.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(title: str, lines: Sequence[str]) -> bytes:
    """A valid one-page A4 PDF with a title and lines of text (Helvetica, WinAnsi)."""
    ops = ["BT", "/F1 15 Tf", "56 780 Td", f"({_pdf_text(title[:80])}) Tj", "/F1 10 Tf"]
    ops.append("0 -26 Td")
    count = 0
    for line in lines:
        for part in textwrap.wrap(line, 95) or [""]:
            if count >= 60:
                break
            ops += [f"({_pdf_text(part)}) Tj", "0 -14 Td"]
            count += 1
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png_bytes(title: str, lines: Sequence[str], *, error: str = "") -> bytes:
    """A small PNG that looks like a screenshot of an application window (with an error)."""
    width, height = 640, 360
    image = Image.new("RGB", (width, height), "#e9edf2")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    draw.rectangle((20, 20, width - 20, height - 20), fill="white", outline="#9aa5b1")
    draw.rectangle((20, 20, width - 20, 48), fill="#1f4e79")
    draw.text((32, 28), title[:80], fill="white", font=font)
    y = 64
    for line in lines:
        for part in textwrap.wrap(line, 90) or [""]:
            draw.text((36, y), part, fill="#1b1f23", font=font)
            y += 18
    if error:
        draw.rectangle(
            (36, height - 90, width - 36, height - 40), fill="#fde2e1", outline="#c0392b"
        )
        draw.text((48, height - 74), error[:90], fill="#a93226", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
