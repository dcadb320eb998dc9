"""Exports of lists to CSV and XLSX: formulas made harmless, types kept, streamed."""

from __future__ import annotations

import csv
import datetime
import decimal
import io

import openpyxl
import pytest

from pakan.registry.models import Sex
from pakan.tabular.export import (
    export_response,
    neutralise,
    write_table,
)

DANGEROUS = [
    "=1+1",
    "+SUM(A1:A2)",
    "-2+3",
    "@cmd",
    "\tx=1",
    "\r=2",
    '=HYPERLINK("http://example.invalid","click")',
]
HEADER = ("name", "amount", "born", "note")


def rows():
    yield ("ສົມໃຈ", 1_250_000, datetime.date(1980, 5, 1), "plain")
    yield ("Dala", -5, datetime.date(1990, 1, 2), None)
    for text in DANGEROUS:
        yield (text, 0, None, text)
    yield (Sex.FEMALE, decimal.Decimal("2.50"), datetime.datetime(2024, 3, 31, 8, 30), True)


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_prefixes_get_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Somchai", "ສົມໃຈ", "", "1-2", "a=b", "'quoted"])
def test_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text


def test_csv_export_neutralises_text_and_keeps_numbers():
    buffer = io.BytesIO()
    write_table(rows(), HEADER, "csv", buffer)
    data = buffer.getvalue()
    assert not data.startswith(b"\xef\xbb\xbf")  # no BOM: the import takes it back as it is
    read = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))

    assert read[0] == list(HEADER)
    assert read[1] == ["ສົມໃຈ", "1250000", "1980-05-01", "plain"]
    assert read[2] == ["Dala", "-5", "1990-01-02", ""]  # a negative number stays a number
    for line, text in zip(read[3 : 3 + len(DANGEROUS)], DANGEROUS, strict=True):
        assert line[0] == "'" + text and line[3] == "'" + text
    assert read[-1] == ["F", "2.50", "2024-03-31T08:30:00", "1"]


def test_xlsx_export_read_back_with_openpyxl():
    buffer = io.BytesIO()
    write_table(rows(), HEADER, "xlsx", buffer)
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).active
    values = list(sheet.iter_rows(values_only=True))

    assert values[0] == HEADER
    assert values[1] == ("ສົມໃຈ", 1_250_000, datetime.datetime(1980, 5, 1), "plain")
    assert values[2][1] == -5
    for row, text in zip(values[3 : 3 + len(DANGEROUS)], DANGEROUS, strict=True):
        stored = "'" + text.replace("\r", "\n")  # XML keeps no bare carriage return
        assert row[0] == stored and row[3] == stored
    # No cell of the file is a formula.
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
    assert values[-1][0] == "F" and values[-1][3] is True
    assert sheet.cell(row=2, column=3).number_format == "yyyy-mm-dd"


def test_xlsx_export_drops_characters_a_workbook_cannot_hold():
    buffer = io.BytesIO()
    write_table([("bell\x07here",)], ("name",), "xlsx", buffer)
    buffer.seek(0)
    assert openpyxl.load_workbook(buffer).active["A2"].value == "bellhere"


def test_timezone_aware_times_are_written_as_vientiane_time(settings):
    moment = datetime.datetime(2024, 3, 31, 1, 0, tzinfo=datetime.UTC)
    buffer = io.BytesIO()
    write_table([(moment,)], ("at",), "xlsx", buffer)
    buffer.seek(0)
    assert openpyxl.load_workbook(buffer).active["A2"].value == datetime.datetime(2024, 3, 31, 8, 0)


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError):
        write_table([], HEADER, "ods", io.BytesIO())


def test_csv_response_streams_with_a_lao_file_name():
    many = (("=x", number) for number in range(5000))
    response = export_response(many, ("name", "number"), "csv", "ບຸກຄົນ.xlsx")

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert ".csv" in response["Content-Disposition"]
    chunks = list(response.streaming_content)
    assert len(chunks) > 1  # sent as it is read, not built whole in memory
    lines = b"".join(chunks).decode("utf-8").splitlines()
    assert lines[0] == "name,number" and lines[1] == "'=x,0" and len(lines) == 5001


def test_xlsx_response():
    response = export_response(rows(), HEADER, "xlsx", "people")

    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert 'filename="people.xlsx"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A4"].value == "'=1+1"
