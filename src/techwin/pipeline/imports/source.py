"""Reading real-world CSV files: encodings, delimiters, BOMs, quoted newlines, null tokens."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from techwin.errors import InvalidInput

MAX_BYTES = 1024**3  # a 1 GiB file is the most one import takes; split larger exports
SNIFF_BYTES = 64 * 1024
DEFAULT_NULLS = ("", "N/A", "n/a", "NA", "null", "NULL", "None", "Select", "--None--", "-")

csv.field_size_limit(10 * 1024 * 1024)


@dataclass(frozen=True)
class CsvFormat:
    """How a file is encoded and delimited, as detected (or declared)."""

    encoding: str
    delimiter: str
    header: list[str]
    dropped_trailing: bool


def _check_file(path: Path) -> bytes:
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}", field="file")
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput("the file is empty", field="file")
    if size > MAX_BYTES:
        raise InvalidInput(
            f"the file is {size / 1024**3:.1f} GiB; the limit is 1 GiB per import — split it",
            field="file",
        )
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if b"\x00" in head:
        raise InvalidInput("this is a binary file, not a CSV text file", field="file")
    return head


def _encoding(path: Path, head: bytes, declared: str | None) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else Latin-1."""
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError as exc:
            raise InvalidInput(f"unknown encoding {declared!r}", field="encoding") from exc
        return declared
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def _delimiter(sample: str, declared: str | None) -> str:
    if declared:
        if len(declared) != 1:
            raise InvalidInput("the delimiter is a single character", field="delimiter")
        return declared
    first_line = sample.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def detect(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> CsvFormat:
    """Check the file and work out its encoding, delimiter and header."""
    head = _check_file(path)
    enc = _encoding(path, head, encoding)
    sample = head.decode(enc, errors="replace")
    delim = _delimiter(sample, delimiter)
    with path.open(encoding=enc, newline="") as handle:
        reader = csv.reader(handle, delimiter=delim)
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise InvalidInput("the file has no header row", field="file")
        if next(reader, None) is None:
            raise InvalidInput("the file has a header but no data rows", field="file")
    header = [h.strip() for h in header]
    dropped = False
    while header and header[-1] == "":
        header.pop()
        dropped = True
    blanks = [i + 1 for i, h in enumerate(header) if not h]
    if blanks:
        raise InvalidInput(f"column {blanks[0]} of the header has no name", field="file")
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise InvalidInput(f"the header names column {duplicates[0]!r} twice", field="file")
    return CsvFormat(encoding=enc, delimiter=delim, header=header, dropped_trailing=dropped)


def read_rows(
    path: Path, fmt: CsvFormat, *, nulls: frozenset[str]
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Data rows as ``(line number where the row starts, {header: value or None})``, streamed."""
    for row, _position in read_rows_with_position(path, fmt, nulls=nulls):
        yield row


def read_rows_with_position(
    path: Path, fmt: CsvFormat, *, nulls: frozenset[str]
) -> Iterator[tuple[tuple[int, dict[str, str | None]], int]]:
    """Like :func:`read_rows`, with how many bytes of the file have been read (for progress)."""
    width = len(fmt.header)
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding=fmt.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=fmt.delimiter)
        next(reader)
        line = reader.line_num + 1
        header = fmt.header
        for record in reader:
            start, line = line, reader.line_num + 1
            if not record or all(not cell.strip() for cell in record):
                continue
            if fmt.dropped_trailing and len(record) == width + 1 and not record[-1].strip():
                record = record[:-1]
            if len(record) != width:
                yield (
                    (start, {"__error__": f"has {len(record)} fields, the header has {width}"}),
                    raw.tell(),
                )
                continue
            values: dict[str, str | None] = {}
            for name, cell in zip(header, record, strict=True):
                cell = cell.strip()
                if cell in nulls:
                    values[name] = None
                elif cell[:1] == "'":
                    values[name] = _unquote(cell)
                else:
                    values[name] = cell
            yield (start, values), raw.tell()


def _unquote(text: str) -> str:
    """Undo the quote our export puts before a formula-like cell (``'=1+1`` → ``=1+1``)."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text
