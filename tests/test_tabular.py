"""Reading uploaded tables (pakan.tabular.reading) and the bilingual message catalogue."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import openpyxl
import pytest

from pakan.registry import import_messages  # noqa: F401 - the registry's codes in the catalogue
from pakan.tabular.messages import (
    CATALOGUE,
    VALUE_PREVIEW_LENGTH,
    Message,
    RowError,
    TableRefused,
    preview,
    register,
    render,
)
from pakan.tabular.reading import LINE_COLUMN, cell_text, check_header, open_table

LAO_LETTER = re.compile("[\u0e80-\u0eff]")


def read_all(path: Path, name: str = "") -> tuple[list[str], list[dict]]:
    source = open_table(path, name or path.name)
    rows: list[dict] = []
    for batch in source.batches(batch_rows=2):
        rows.extend(batch.to_dicts())
    return source.header, rows


def refusal_code(path: Path, name: str = "", read_ahead_rows: int | None = None) -> str:
    with pytest.raises(TableRefused) as refused:
        open_table(path, name or path.name, read_ahead_rows=read_ahead_rows)
    return refused.value.errors[0].code


def test_csv_rows_come_stripped_with_their_line_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(' a , b \n1, x \n\n  ,  \n"two\nlines",3\n4,\n', encoding="utf-8")

    header, rows = read_all(path)

    assert header == ["a", "b"]
    assert [(row[LINE_COLUMN], row["a"], row["b"]) for row in rows] == [
        (2, "1", "x"),
        (5, "two\nlines", "3"),
        (7, "4", None),
    ]


@pytest.mark.parametrize(
    ("content", "plain"),
    [
        ("a,b\n1,x\n2,\n", True),
        ("a,b\n1,x\n2,ສົມ ໃຈ\n", True),
        ('a,b\n1,"x, y"\n', False),  # a quote: a value may hold a line break
        ("a,b\n1,x\\y\n", False),  # a backslash
        ("a,b\n1,x\ty\n", False),  # a tab
        ("a,b\r\n1,x\r\n", False),  # Windows line ends
        ("a,b\n1,x\\", False),  # in the last line, without a line break
    ],
)
def test_a_csv_is_plain_only_without_characters_the_text_copy_format_escapes(
    tmp_path, content, plain
):
    path = tmp_path / "t.csv"
    path.write_bytes(content.encode())

    assert open_table(path).plain is plain


def test_batches_read_ahead_are_the_batches(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('a,b\n1,x\n"2\nlines",y\n\n3,z\n4,w\n5,v\n', encoding="utf-8")

    def batches(source, rows):
        return [batch.select(LINE_COLUMN, "a").rows() for batch in source.batches(rows)]

    expected = batches(open_table(path), 2)
    assert expected == [[(2, "1"), (3, "2\nlines")], [(6, "3")], [(7, "4"), (8, "5")]]
    ahead = open_table(path, read_ahead_rows=2)
    assert ahead.read_ahead is not None
    assert batches(ahead, 2) == expected and ahead.read_ahead is None
    # Asked for another size, the batches are read again at that size.
    assert batches(open_table(path, read_ahead_rows=3), 2) == expected
    assert batches(open_table(path, read_ahead_rows=2), 2) == batches(open_table(path), 2)


def test_the_quote_of_an_export_is_taken_off(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n'+856 20 1234 5678,'=x\n'plain,''\n", encoding="utf-8")
    _, rows = read_all(path)
    assert [(row["a"], row["b"]) for row in rows] == [("+856 20 1234 5678", "=x"), ("'plain", "''")]


def test_windows_line_endings_are_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\r\n1,2\r\n3,4\r\n")
    _, rows = read_all(path)
    assert [(row[LINE_COLUMN], row["b"]) for row in rows] == [(2, "2"), (3, "4")]


def test_estimated_rows_counts_lines_without_parsing(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a\n" + "".join(f"{number}\n" for number in range(1000)), encoding="utf-8")
    assert open_table(path).estimated_rows == 1000
    path.write_text("a\n1\n2", encoding="utf-8")  # no final line break
    assert open_table(path).estimated_rows == 2


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "file_empty"),
        (b"\xef\xbb\xbfa,b\n1,2\n", "byte_order_mark"),
        (b"\xff\xfea\x00,\x00b\x00\n\x00", "utf16"),
        (b"a\x00,\x00b\x00\n\x00", "utf16"),
        ("a,b\n1,ສົມ\n".encode()[:-3] + b"\n", "not_utf8"),
        ("a,b\nກ,ຂ\n".encode().replace("ກ".encode(), b"\xa1"), "not_utf8"),
        (b"PK\x03\x04rest", "workbook_named_csv"),
        (b"\n1,2\n", "no_header"),
        (b"a;b;c\n1;2;3\n", "wrong_separator"),
        (b"a\tb\n1\t2\n", "wrong_separator"),
    ],
)
@pytest.mark.parametrize("read_ahead_rows", [None, 2])
def test_csv_refusals(tmp_path, content, code, read_ahead_rows):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    assert refusal_code(path, read_ahead_rows=read_ahead_rows) == code


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,2\n3,\xe9t\xe9\n")
    with pytest.raises(TableRefused) as refused:
        open_table(path)
    error = refused.value.errors[0]
    assert error.line == 3
    assert "line 3" in error.reason_en and "3" in error.reason_lo
    assert "Windows-874" in error.reason_en and "UTF-8" in error.reason_lo


def test_a_file_too_large_is_refused_before_reading(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"a\n" + b"1\n" * 1000)
    with pytest.raises(TableRefused) as refused:
        open_table(path, max_bytes=100)
    assert refused.value.errors[0].code == "file_too_large"


@pytest.mark.parametrize(
    ("name", "code"), [("t.xls", "old_excel"), ("t.ods", "unknown_format"), ("t", "unknown_format")]
)
def test_formats_by_name(tmp_path, name, code):
    path = tmp_path / "upload.bin"
    path.write_bytes(b"a,b\n1,2\n")
    assert refusal_code(path, name) == code


def test_an_ole2_file_named_xlsx_is_called_old_excel(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert refusal_code(path) == "old_excel"


def test_xlsx_rows_keep_sheet_line_numbers_and_cell_types(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "born", "count", None])
    sheet.append(["  Somchai ", datetime.datetime(1980, 5, 1), 3])
    sheet.append([])
    sheet.append(["Dala", datetime.date(1990, 1, 2), 2.0, None])
    sheet.cell(row=7, column=1, value="Vanna")
    path = tmp_path / "t.xlsx"
    workbook.save(path)

    header, rows = read_all(path)

    assert header == ["name", "born", "count"]
    assert [(row[LINE_COLUMN], row["name"], row["born"], row["count"]) for row in rows] == [
        (2, "Somchai", "1980-05-01", "3"),
        (4, "Dala", "1990-01-02", "2"),
        (7, "Vanna", None, None),
    ]


def test_an_xlsx_without_header_is_refused(tmp_path):
    workbook = openpyxl.Workbook()
    path = tmp_path / "t.xlsx"
    workbook.save(path)
    assert refusal_code(path) == "no_header"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (True, "1"),
        (False, "0"),
        (42, "42"),
        (2.0, "2"),
        (2.5, "2.5"),
        (datetime.datetime(2024, 3, 31), "2024-03-31"),
        (datetime.datetime(2024, 3, 31, 8, 30), "2024-03-31 08:30:00"),
        (datetime.date(2024, 3, 31), "2024-03-31"),
        ("ສົມໃຈ", "ສົມໃຈ"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_header_check_names_missing_unknown_and_repeated_columns():
    errors = check_header(["a", "x", "a", ""], required=("a", "b"), allowed=("a", "b", "c"))
    assert [(error.code, error.column) for error in errors] == [
        ("unknown_column", "x"),
        ("duplicate_column", "a"),
        ("unknown_column", "(column 4 has no name)"),
        ("missing_column", "b"),
    ]
    assert all(error.line == 1 for error in errors)
    assert "a, b, c" in errors[0].reason_en


# --- messages ----------------------------------------------------------------------------------


def test_every_message_is_in_english_and_lao():
    assert len(CATALOGUE) > 30
    for code, message in CATALOGUE.items():
        assert message.english.strip() and message.lao.strip(), code
        assert LAO_LETTER.search(message.lao), code
        assert not LAO_LETTER.search(message.english), code
        # Both languages take the same parameters.
        assert set(re.findall(r"{(\w+)}", message.english)) == set(
            re.findall(r"{(\w+)}", message.lao)
        ), code


def test_messages_use_the_glossary_terms():
    assert "ບັດປະຈໍາຕົວ" in CATALOGUE["national_id_exists"].lao  # national ID card
    assert "ປື້ມສໍາມະໂນຄົວ" in CATALOGUE["family_book_repeated"].lao  # family book
    assert "ຫົວໜ້າຄອບຄົວ" in CATALOGUE["second_head"].lao  # head of household
    assert "ຂໍ້ຜິດພາດ" in CATALOGUE["import_refused"].lao  # error
    assert "ອັບໂຫຼດ" in CATALOGUE["byte_order_mark"].lao  # upload


def test_render_fills_both_languages():
    english, lao = render("national_id_repeated", first_line=7)
    assert "line 7" in english and "7" in lao


def test_a_code_cannot_be_given_two_texts():
    register({"test_code_once": Message("One.", "ໜຶ່ງ.")})
    register({"test_code_once": Message("One.", "ໜຶ່ງ.")})  # the same text again is fine
    with pytest.raises(ValueError):
        register({"test_code_once": Message("Another.", "ອື່ນ.")})
    del CATALOGUE["test_code_once"]


def test_values_are_cut_in_messages():
    long_value = "ກ" * 5000
    assert len(preview(long_value)) == VALUE_PREVIEW_LENGTH
    error = RowError.of(2, "given_name_lo", long_value, "too_long", limit=100)
    assert len(error.value) == VALUE_PREVIEW_LENGTH
    assert error.as_dict()["reason_lo"] == error.reason_lo
