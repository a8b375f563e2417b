import numpy as np
import pytest

from lesson_code.tables import table


def test_columns_line_up_and_numbers_follow_their_column_format():
    text = table({"a": {"x": 0.5, "flag": True}, "longer name": {"x": 12.25, "flag": "no"}},
                 number={"x": ".1f"}, index="row")
    assert table({"a": {"count": np.int64(3), "share": 0.25}}, number=".2e").split()[-2:] == ["3", "2.50e-01"]
    lines = text.splitlines()
    assert lines[0].split() == ["row", "x", "flag"]
    assert lines[1].split() == ["a", "0.5", "True"] and lines[2].split() == ["longer", "name", "12.2", "no"]
    assert len({line.index(cell) + len(cell) for line, cell in zip(lines, ["x", "0.5", "12.2"], strict=True)}) == 1


def test_empty_rows_and_mismatched_columns_are_named():
    with pytest.raises(ValueError, match="rows must hold at least one row"):
        table({})
    with pytest.raises(ValueError, match=r"row 'b' has \['y'\]"):
        table({"a": {"x": 1}, "b": {"y": 2}})
