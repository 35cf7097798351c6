"""Text measuring and line wrapping, estimated from font metrics without a renderer.

The flowchart is laid out before any renderer sees the document, so the height of every table
row is estimated here from the length of its texts. The estimate must never be smaller than
what WeasyPrint (or a browser) will need, or a row would grow and the flowchart drawn across
the rows would no longer line up. Widths therefore come from the widest font of the document's
font stack (see :mod:`._fontmetrics`) and are padded by a safety factor, and words are only
broken where a renderer is also certain to break them (at spaces and line feeds).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from laksana.engine.render._fontmetrics import BOLD, CHARS, REGULAR

# Where a line may also break inside a word, as the Unicode line breaking rules used by
# renderers allow: after a slash or a hyphen followed by a letter ("dan/ atau", "Sub- bagian").
_BREAK_AFTER = re.compile(r"(?<=[/-])(?=[^\W\d_])")

# Extra width allowed for each measured text: kerning, hinting and rounding in the renderer.
SAFETY = 1.02
_UNKNOWN = 1000  # an unlisted character counts as one em

_REGULAR = dict(zip(CHARS, REGULAR, strict=True))
_BOLD = dict(zip(CHARS, BOLD, strict=True))


@lru_cache(maxsize=8192)
def _em_width(text: str, bold: bool) -> float:
    table = _BOLD if bold else _REGULAR
    return sum(table.get(ch, _UNKNOWN) for ch in text) / 1000.0


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The estimated width in points of ``text`` set in one line at ``size`` points."""
    return _em_width(text, bold) * size * SAFETY


def wrap_text(
    text: str, width: float, size: float, *, bold: bool = False, hyphenate: bool = False
) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points, as a renderer would.

    Line feeds in the text are kept as line breaks; other runs of white space count as one
    space. A word wider than a whole line is broken between characters (the document sets
    ``overflow-wrap: break-word`` so the renderer does the same), or, with ``hyphenate``, at
    syllables with a hyphen (for text printed with these very line breaks, such as narrow
    column headers). An empty text has no lines.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            if lines:  # a blank line (counted even at the very end: an overestimate is safe)
                lines.append("")
            continue
        current = ""
        for index, word in enumerate(words):
            for part_index, part in enumerate(_BREAK_AFTER.split(word)):
                joiner = " " if part_index == 0 and index > 0 else ""
                candidate = f"{current}{joiner}{part}" if current else part
                if text_width(candidate, size, bold=bold) <= width:
                    current = candidate
                    continue
                if current:
                    lines.append(current)
                pieces = (
                    _hyphenate(part, width, size, bold)
                    if hyphenate
                    else _split_long_word(part, width, size, bold)
                )
                lines.extend(pieces[:-1])
                current = pieces[-1]  # the next word may follow the last piece
        if current:
            lines.append(current)
    return lines


def _split_long_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    """Cut a word into pieces that each fit ``width``; the last piece may be short."""
    if text_width(word, size, bold=bold) <= width:
        return [word]
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and text_width(current + ch, size, bold=bold) > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


_VOWELS = frozenset("aeiouAEIOU")
_DIGRAPHS = frozenset({"ng", "ny", "kh", "sy"})


def syllable_breaks(word: str) -> list[int]:
    """Positions where an Indonesian word may be hyphenated, by the usual syllable rules.

    A single consonant between vowels starts the next syllable (V-CV: *ba-ngun*, with the
    digraphs ng, ny, kh and sy counting as one consonant); two consonants between vowels are
    split (VC-CV: *pem-ba*). At least two letters stay on each side.
    """
    breaks: list[int] = []
    n = len(word)
    for i in range(2, n - 1):
        a, b, c = word[i - 1], word[i], word[i + 1]
        if not (a.isalpha() and b.isalpha() and c.isalpha()):
            continue
        if n - i < 2:
            continue
        single = a in _VOWELS and b not in _VOWELS and c in _VOWELS  # V-CV
        digraph = (
            a in _VOWELS and (b + c).lower() in _DIGRAPHS and i + 2 < n and word[i + 2] in _VOWELS
        )  # V-ngV
        cluster = (
            a not in _VOWELS
            and b not in _VOWELS
            and c in _VOWELS
            and (a + b).lower() not in _DIGRAPHS
            and any(ch in _VOWELS for ch in word[: i - 1])
        )  # VC-CV
        if single or digraph or cluster:
            breaks.append(i)
    return breaks


def _hyphenate(word: str, width: float, size: float, bold: bool) -> list[str]:
    """Cut a word at syllables into hyphenated pieces that fit ``width`` where possible."""
    pieces: list[str] = []
    rest = word
    while text_width(rest, size, bold=bold) > width:
        # After a slash the line may break without a hyphen; elsewhere at a syllable.
        points = [(i + 1, "") for i, ch in enumerate(rest[:-1]) if ch == "/"]
        points += [(i, "-") for i in syllable_breaks(rest) if i < len(rest) - 1]
        fitting = [
            (i, mark) for i, mark in points if text_width(rest[:i] + mark, size, bold=bold) <= width
        ]
        if not fitting:
            head = _split_long_word(rest, width, size, bold)
            pieces.extend(head[:-1])
            rest = head[-1]
            break
        cut, mark = max(fitting)
        pieces.append(rest[:cut] + mark)
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def line_count(text: str, width: float, size: float, *, bold: bool = False) -> int:
    """How many lines ``text`` takes when wrapped to ``width`` points (0 for no text)."""
    return len(wrap_text(text, width, size, bold=bold))


def fit_size(words: str, width: float, size: float, *, minimum: float, bold: bool = False) -> float:
    """The largest font size not above ``size`` at which every word of ``words`` fits ``width``.

    Used for narrow column headers, where breaking a word in the middle would be ugly. Never
    goes below ``minimum``.
    """
    longest = max((text_width(w, 1.0, bold=bold) for w in words.split()), default=0.0)
    if longest <= 0:
        return size
    # Rounded down so that the words measured again at this size still fit.
    return max(minimum, min(size, math.floor(width / longest * 100) / 100))


SOFT_HYPHEN = "\u00ad"


def soft_hyphens(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """``text`` with soft hyphens at the syllables of every word wider than ``width``.

    A renderer breaks such a word at one of them and prints a hyphen there, rather than
    cutting it anywhere (``overflow-wrap``) without a mark. Shorter words are left whole.
    """

    def mark(match: re.Match[str]) -> str:
        word = match.group(0)
        if text_width(word, size, bold=bold) <= width:
            return word
        out, last = [], 0
        for cut in syllable_breaks(word):
            out.append(word[last:cut])
            last = cut
        out.append(word[last:])
        return SOFT_HYPHEN.join(out)

    return re.sub(r"[^\W\d_]+", mark, text)
