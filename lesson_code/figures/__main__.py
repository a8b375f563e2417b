"""Command line: ``python -m lesson_code.figures [--out DIR] [--force] [NAME ...]``."""

from __future__ import annotations

import argparse
import sys

from lesson_code.figures import FIGURES, FigureError, render
from lesson_code.figures.render import DEFAULT_OUT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lesson_code.figures",
        description="Draw the course's figures as deterministic SVG files.",
    )
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"figures to draw (default: all): {', '.join(sorted(FIGURES))}")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="redraw even if nothing changed")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(sorted(FIGURES))}")
    try:
        render(args.names or None, out_dir=args.out, force=args.force)
    except FigureError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
