import codecs
import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from integrations.csvfiles import (
    blank_records,
    count_lines,
    csv_lines,
    defuse,
    detect_delimiter,
    detect_encoding,
    isoformat,
    read_records,
)

TEXT = "email,first name\nchloe@example.com,Chloé\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.replace("Chloé", "Chloé “Zoé”").encode("cp1252"), "cp1252"),
        # 0x81 is undefined in Windows-1252: only Latin-1 reads this file.
        (TEXT.encode("latin-1") + b"\x81", "latin-1"),
        (b"email\nplain@example.com\n", "utf-8"),
    ],
)
def test_encoding_is_read_from_the_bytes(data, expected):
    assert detect_encoding(data) == expected
    assert "Chloé" in data.decode(expected) or b"\xc3" not in data


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("email,first name,company", ","),
        ("email;prénom;société", ";"),
        ("email\tfirst\tlast", "\t"),
        ('"Name, full";email;company', ";"),
        ("email", ","),
    ],
)
def test_delimiter_is_the_one_the_header_uses_outside_quotes(header, expected):
    assert detect_delimiter(header) == expected


def test_records_carry_the_line_where_they_start_even_after_a_multiline_cell():
    text = 'email,notes\r\na@example.com,"two\r\nlines"\r\n\r\nb@example.com,x\r\n'
    records = list(read_records(text, ","))
    assert records == [
        (1, ["email", "notes"]),
        (2, ["a@example.com", "two\r\nlines"]),
        (4, []),
        (5, ["b@example.com", "x"]),
    ]


def test_line_count_includes_a_last_line_without_newline():
    assert count_lines(b"a\nb\nc") == 3
    assert count_lines(b"a\nb\n") == 2


def test_exported_text_cannot_run_as_a_formula():
    row = ('=HYPERLINK("http://evil")', "+33 1 23", "-2+3", "@SUM(A1)", "\tx", "safe", "", None)
    text = "".join(csv_lines("abcdefgh", [row], [defuse] * 8))
    cells = list(csv.reader(io.StringIO(text)))[1]
    assert cells == [
        '\'=HYPERLINK("http://evil")',
        "'+33 1 23",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "safe",
        "",
        "",
    ]


def test_columns_are_formatted_by_kind():
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    row = (-5, Decimal("12.50"), at, date(2026, 4, 1), None)
    text = "".join(csv_lines("abcde", [row], [None, None, isoformat, isoformat, isoformat]))
    assert text.splitlines()[1] == "-5,12.50,2026-03-01T09:30:00+00:00,2026-04-01,"


def test_csv_lines_stream_in_batches():
    chunks = list(csv_lines(["n"], ((n,) for n in range(2500)), [None], batch=1000))
    assert len(chunks) == 1 + 3
    assert chunks[0] == "n\r\n"


def test_blanked_records_keep_their_place_and_their_lines():
    text = 'email,note\r\nann@example.com,"two\r\nlines"\r\nbob@example.com,x\r\n'
    blanked = blank_records(text, ",", lambda cells: cells[0] == "ann@example.com")
    assert "ann" not in blanked and "two" not in blanked
    records = list(read_records(blanked, ","))
    assert records[-1] == (4, ["bob@example.com", "x"])  # still on line 4
    assert not "".join(records[1][1]).strip()  # a blank record where Ann was


def test_blanking_nothing_leaves_the_file_alone():
    assert blank_records("email\r\nann@example.com\r\n", ",", lambda cells: False) is None
