"""The blocks a report is made of (headings, paragraphs, tables, lists) and their renderers:
plain text, Markdown and HTML. One set of blocks gives all three, so they cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from attrs import frozen

Style = Callable[..., str]


@frozen
class Heading:
    text: str
    level: int = 3


@frozen
class Para:
    text: str
    #: ``verdict`` (the headline), ``note`` (small print) or ``""``.
    kind: str = ""


@frozen
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: Columns aligned right (numbers).
    right: frozenset[int] = frozenset()
    #: A CSS class for the HTML table.
    name: str = ""
    #: In text, only the first ``stack`` columns form the row; the others follow it as
    #: ``header: value`` lines (long messages and sources). 0: every column in the row.
    stack: int = 0


@frozen
class Items:
    items: tuple[str, ...]
    name: str = ""


Block = Heading | Para | Table | Items


def _plain(text: str, **_: Any) -> str:
    return text


def text_table(headers: Sequence[str], rows: Iterable[Sequence[str]],
               right: Iterable[int] = ()) -> list[str]:
    rows = [list(r) for r in rows]
    right = set(right)
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=False))
        ).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]


def to_text(items: Sequence[Block], style: Style = _plain) -> str:
    out: list[str] = []
    for b in items:
        if isinstance(b, Heading):
            if out and out[-1] != "":
                out.append("")
            out.append(style(b.text, bold=True))
        elif isinstance(b, Para):
            if b.kind == "verdict":
                out += [b.text, ""]
            else:
                out.append(b.text)
        elif isinstance(b, Table) and b.stack:
            lines = text_table(b.headers[:b.stack], [r[:b.stack] for r in b.rows], b.right)
            out += lines[:2]
            for line, row in zip(lines[2:], b.rows, strict=True):
                out.append(line)
                out += [f"      {h}: {c}" for h, c in zip(b.headers[b.stack:], row[b.stack:],
                                                          strict=True) if c and c != "-"]
        elif isinstance(b, Table):
            out += text_table(b.headers, b.rows, b.right)
        else:
            out += [f"  - {i}" for i in b.items]
    return "\n".join(out).rstrip() + "\n"


def md_escape(text: str) -> str:
    """Markdown-safe inline text: ``|`` (it splits table cells) and line breaks (any of
    CommonMark's: LF, CR, CRLF)."""
    return re.sub(r"\r\n?|\n", " ", re.sub(r"([|\\])", r"\\\1", text))


def to_markdown(items: Sequence[Block], title: str | None = None) -> str:
    out: list[str] = [f"## {md_escape(title)}", ""] if title else []
    for b in items:
        if isinstance(b, Heading):
            out += ["#" * min(b.level, 6) + " " + md_escape(b.text), ""]
        elif isinstance(b, Para):
            text = md_escape(b.text)
            out += [f"**{text}**" if b.kind == "verdict" else text, ""]
        elif isinstance(b, Table):
            out.append("| " + " | ".join(md_escape(h) for h in b.headers) + " |")
            out.append("|" + "|".join("---:" if i in b.right else "---"
                                      for i in range(len(b.headers))) + "|")
            out += ["| " + " | ".join(md_escape(c) or " " for c in row) + " |" for row in b.rows]
            out.append("")
        else:
            out += [f"- {md_escape(i)}" for i in b.items] + [""]
    return "\n".join(out).rstrip() + "\n"


_URL = re.compile(r"https?://[^\s;,)]+")


def _linked(text: str) -> str:
    """Escaped text with its URLs as links (sources name their instrument and URL)."""
    from html import escape  # HTML only: a text report never loads the html package

    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(escape(text[last:m.start()]))
        url = m.group(0)
        out.append(f'<a href="{escape(url)}" rel="noreferrer">{escape(url)}</a>')
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def to_html(items: Sequence[Block]) -> str:
    from html import escape

    out: list[str] = []
    for b in items:
        if isinstance(b, Heading):
            level = min(b.level, 6)
            out.append(f"<h{level}>{escape(b.text)}</h{level}>")
        elif isinstance(b, Para):
            cls = f' class="{b.kind}"' if b.kind else ""
            out.append(f"<p{cls}>{_linked(b.text)}</p>")
        elif isinstance(b, Table):
            cls = f' class="{b.name}"' if b.name else ""
            head = "".join(f"<th{' class=num' if i in b.right else ''}>{escape(h)}</th>"
                           for i, h in enumerate(b.headers))
            body = "".join(
                "<tr>" + "".join(f"<td{' class=num' if i in b.right else ''}>{_linked(c)}</td>"
                                 for i, c in enumerate(row)) + "</tr>"
                for row in b.rows)
            out.append(f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
                       "</table>")
        else:
            cls = f' class="plain {b.name}"' if b.name else ' class="plain"'
            out.append(f"<ul{cls}>" + "".join(f"<li>{_linked(i)}</li>" for i in b.items)
                       + "</ul>")
    return "\n".join(out)
