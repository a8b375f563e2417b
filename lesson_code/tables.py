"""Results printed as an aligned table, so that a chapter's snippet shows what it computes and not
how it lines up columns.

The one function, :func:`table`, takes rows as a mapping from a row's name to its cells (a mapping
from column heading to value). Real numbers are formatted with a format spec, the same for every
column or one per column; integers, booleans and strings are printed as they are.

>>> print(table({"sigmoid": {"gain": 0.25, "ratio": 3.8e-13}, "relu": {"gain": 1.0, "ratio": 1.0}},
...             number={"gain": ".2f", "ratio": ".1e"}))
         gain    ratio
sigmoid  0.25  3.8e-13
relu     1.00  1.0e+00
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Number


def _cell(value: object, spec: str) -> str:
    if isinstance(value, Number) and not isinstance(value, (bool, Integral)):
        return format(value, spec)
    return str(value)


def table(rows: Mapping[str, Mapping[str, object]], number: str | Mapping[str, str] = ".3g", index: str = "") -> str:
    """The rows as text: a heading line, then one line per row, its name left-aligned and its
    cells right-aligned under their headings (two spaces between columns).

    Parameters
    ----------
    rows : mapping of str to mapping of str to object
        Row name -> {column heading: value}. Every row has the columns of the first row, in that
        order.
    number : str or mapping of str to str
        Format spec for real numbers (``".3g"``, ``".1e"``, ``".0%"``...), or one per column heading;
        a column missing from the mapping uses ``".3g"``.
    index : str
        The heading of the first column, the rows' names.

    Raises
    ------
    ValueError
        If ``rows`` is empty, or a row's columns differ from the first row's.

    Examples
    --------
    >>> print(table({"10": {"median": 3e-4, "below bound": True}}, number=".0e", index="k"))
    k   median  below bound
    10   3e-04         True
    """
    if not rows:
        raise ValueError("rows must hold at least one row; got an empty mapping")
    columns = list(next(iter(rows.values())))
    for name, cells in rows.items():
        if list(cells) != columns:
            raise ValueError(f"rows must all have the columns {columns}; row {name!r} has {list(cells)}")
    specs = {column: number if isinstance(number, str) else number.get(column, ".3g") for column in columns}
    text = [[str(name), *(_cell(cells[c], specs[c]) for c in columns)] for name, cells in rows.items()]
    lines = [[index, *columns], *text]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns) + 1)]
    return "\n".join(
        "  ".join([line[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(line[1:], widths[1:], strict=True))]).rstrip()
        for line in lines
    )
