"""Reading text files in the encodings Taiwanese exports use, and the size limit."""

from __future__ import annotations

import pytest

from luckygas.importers import ImportFailed, ReadOptions, read_table

HEADER = "客戶編號,日期,20公斤,備註"
ROW = "1400001,1131205,2,後門 請按電鈴"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("cp950", "cp950")],
)
def test_encodings_are_detected_and_chinese_headers_survive(tmp_path, encoding, expected):
    """UTF-8, UTF-8 with BOM and cp950 (Big5) files read with their Chinese text intact."""
    path = tmp_path / "orders.csv"
    path.write_bytes(f"{HEADER}\r\n{ROW}\r\n".encode(encoding))
    table = read_table(path)
    assert list(table.frame.columns) == ["客戶編號", "日期", "20公斤", "備註"]
    assert table.frame.loc[0, "備註"] == "後門 請按電鈴"
    assert table.encoding == expected


def test_size_limit_is_configurable(tmp_path):
    """A file over the configured limit is refused before reading, naming the limit."""
    path = tmp_path / "orders.csv"
    path.write_bytes((HEADER + "\n" + ROW + "\n").encode() * 2000)
    with pytest.raises(ImportFailed, match="over the import limit of 0 MB"):
        read_table(path, options=ReadOptions(max_bytes=1024))
    assert len(read_table(path).frame) > 0


def test_cells_are_stripped_text(tmp_path):
    """Stray spaces around values (common in hand-typed sheets) are removed."""
    path = tmp_path / "orders.csv"
    path.write_text(f"{HEADER}\n 1400001 , 1131205,2 , x \n", encoding="utf-8")
    assert read_table(path).frame.iloc[0].tolist() == ["1400001", "1131205", "2", "x"]


def test_rows_without_columns_are_refused_in_one_line(tmp_path):
    """A text file of a blank line and a NUL byte (found by the fuzz test) is 'no header
    row', not a pandas ValueError."""
    import pytest

    from luckygas.importers.errors import ImportFailed
    from luckygas.importers.readers import read_table

    path = tmp_path / "odd.txt"
    path.write_bytes(b"\n\x00")
    with pytest.raises(ImportFailed, match="no header row"):
        read_table(path)
