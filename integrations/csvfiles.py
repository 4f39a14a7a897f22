"""
Reading the CSV files people export from spreadsheets and CRMs, and writing CSV that is safe
to open in one.

Spreadsheets write UTF-8 (with or without a byte-order mark), Windows-1252 ("ANSI", what
Excel on Windows calls CSV) or UTF-16 ("Unicode text"), with a comma or, in locales where the
comma is the decimal separator, a semicolon. The choice is made from the bytes, never guessed
statistically: a strict UTF-8 decode either works or does not, and Windows-1252 then Latin-1
(which decodes anything) are the fallbacks.
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import islice
from typing import Any

from django.conf import settings

DELIMITERS = (",", ";", "\t")

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"): exported text gets a leading apostrophe so it shows as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def detect_encoding(data: bytes) -> str:
    """The encoding of a CSV file: a byte-order mark first, then strict UTF-8, else Latin."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def detect_delimiter(header_line: str) -> str:
    """The separator the header row uses most, outside quotes (a comma when in doubt)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def read_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line of the file where it starts (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def blank_records(text: str, delimiter: str, drop: Callable[[list[str]], bool]) -> str | None:
    """The file with every record that ``drop`` picks blanked, or ``None`` if none is.

    A blanked record keeps its place and its number of lines (its line breaks stay, in one
    quoted cell that is blank once stripped), so the records after it keep their index (an
    import's resume point) and their line numbers (its report), and the import reads it as a
    blank line.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    found, line = False, 0
    for cells in reader:
        spans, line = reader.line_num - line, reader.line_num
        if drop(cells):
            found, cells = True, ["\n" * (spans - 1)]
        writer.writerow(cells)
    return out.getvalue() if found else None


def count_lines(data: bytes) -> int:
    """Lines in the file: the total an import's progress bar starts from."""
    lines = data.count(b"\n")
    return lines + (1 if data and not data.endswith(b"\n") else 0)


def defuse(value: str | None) -> str | None:
    """Text that a spreadsheet shows as text, never runs as a formula."""
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value


def isoformat(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


class _Echo:
    """A file-like object whose ``write`` hands the line back, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    formats: Sequence[Callable[[Any], object] | None],
    *,
    batch: int = 1000,
) -> Iterator[str]:
    """The CSV text of ``rows``, a batch of lines at a time (memory stays flat); each column's
    non-empty values go through its format (``None``: as they are, e.g. numbers)."""
    writer = csv.writer(_Echo(), delimiter=settings.CSV_DELIMITER)
    yield writer.writerow(header)
    rows = iter(rows)
    while chunk := list(islice(rows, batch)):
        yield "".join(
            writer.writerow(
                [v if f is None or v is None else f(v) for f, v in zip(formats, row, strict=True)]
            )
            for row in chunk
        )
