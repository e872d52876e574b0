"""`annotate view`: a self-contained page, escaped text, well-nested spans, working toggles."""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import annotate.cli.view as view_cli
from annotate.cli.view import view_page
from annotate.model import Annotation, Document
from annotate.view import COLOURS, render_page
from conftest import CHROMIUM, chromium

TEXT = (
    "Microsoft and OpenAI agreed on a deal.\n"
    'The deal is worth $10 billion, said <script>alert("x")</script> & co in 2030.'
)


def span(layer: str, quote: str, label: str, **attrs: object) -> Annotation:
    start = TEXT.index(quote)
    return Annotation(layer, start, start + len(quote), label, dict(attrs), quote, [layer])


def sample(doc_id: str = "doc-1") -> Document:
    annotations = [
        span("entities", "Microsoft", "ORG"),
        span("entities", "Microsoft and OpenAI", "ORG_GROUP"),  # nests Microsoft
        span("money", "$10 billion", "MONEY", value=10_000_000_000, currency="USD"),
        span("dates", "2030", "DATE", value="2030", mod=None),
        span("stance", "Microsoft and OpenAI agreed on a deal.", "collaboration"),
        span("quotes", "a deal.\nThe deal", "QUOTE"),  # crosses both stance sentences
        span("stance", TEXT.split("\n")[1], "competition"),
        span("entities", '<script>alert("x")</script>', "<b>LABEL</b>", note='"quoted"'),
    ]
    for i, a in enumerate(annotations, start=1):
        a.id = f"T{i}"
    stance = {
        "label": "mixed",
        "collaboration": 0.5,
        "competition": 0.5,
        "pairs": [
            {
                "orgs": ["Microsoft", "OpenAI"],
                "label": "competition",
                "score": 0.75,
                "evidence": [[0, 38]],
            }
        ],
    }
    meta = {"title": "Deal <i>news</i>", "date": "2025-01-22"}
    return Document(doc_id, TEXT, meta, annotations, document={"stance": stance})


class Article(HTMLParser):
    """Collects the article's text and, per character, the ids of the spans around it."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.stack: list[str | None] = []
        self.text = ""
        self.cover: list[frozenset[str]] = []
        self.marks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attr = dict(attrs)
        if tag == "article":
            self.inside = True
        elif self.inside and tag == "span":
            if "mark" in attr["class"].split():
                self.marks.append(attr["data-label"])
            self.stack.append(attr.get("data-id") if "a" in attr["class"].split() else None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.inside = False
        elif self.inside and tag == "span":
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.text += data
            self.cover += [frozenset(i for i in self.stack if i)] * len(data)


def parse(page: str) -> Article:
    article = Article()
    article.feed(page)
    assert not article.stack, "unclosed spans"
    return article


def test_spans_nest_and_cross_correctly() -> None:
    doc = sample()
    article = parse(render_page(doc))
    assert article.text == TEXT
    expected = [
        frozenset(a.id for a in doc.annotations if a.start <= i < a.end) for i in range(len(TEXT))
    ]
    assert article.cover == expected
    assert article.marks == ["collaboration", "competition"]  # stance beside each sentence


def test_text_and_attributes_are_escaped() -> None:
    page = render_page(sample())
    assert page.count("<script") == 1  # only the page's own script
    chip = '<span class="chip l1" data-label="&lt;b&gt;LABEL&lt;/b&gt;" aria-hidden="true"></span>'
    assert f"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;{chip}</span> &amp; co" in page
    assert "<b>LABEL</b>" not in page and "&lt;b&gt;LABEL&lt;/b&gt;" in page
    assert "<title>Deal &lt;i&gt;news&lt;/i&gt;</title>" in page
    assert "note: &quot;quoted&quot;" in page


def test_page_is_self_contained() -> None:
    page = render_page(sample())
    assert not re.search(r"\b(src|href)\s*=|<link|@import|url\(", page)
    assert "default-src 'none'" in page  # the page may not load anything


def test_values_on_hover_legend_and_pair_summary() -> None:
    page = render_page(sample())
    assert 'title="money: MONEY\nvalue: 10,000,000,000\ncurrency: USD"' in page
    assert 'title="dates: DATE\nvalue: 2030"' in page  # unset attrs (None) left out
    boxes = re.findall(r'<input type="checkbox" checked data-layer="([^"]+)"', page)
    assert boxes == ["dates", "entities", "money", "quotes", "stance"]
    assert 'Document stance: <b class="s s-mixed">mixed</b>' in page
    assert "<thead><tr><th>orgs</th><th>label</th><th>score</th></tr></thead>" in page
    assert (
        '<td>Microsoft – OpenAI</td><td class="s s-competition">competition</td><td>0.75</td>'
        in page
    )


def test_layer_option_and_command(tmp_path: Path) -> None:
    lines = [json.dumps(sample(i).to_json()) for i in ("a", "b")]
    (tmp_path / "all.jsonl").write_text("\n".join(lines) + "\n")
    app = typer.Typer()
    view_cli.register_commands(app)
    app.command("noop")(lambda: None)  # two commands, so `view` is a subcommand
    result = CliRunner().invoke(app, ["view", str(tmp_path / "all.jsonl")])
    assert result.exit_code == 1
    assert "holds 2 documents; pick one with --id. Available: a, b." in result.output
    page = tmp_path / "page.html"
    args = ["view", str(tmp_path / "all.jsonl"), "--id", "b", "-o", str(page), "-l", "money"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert parse(page.read_text()).marks == []  # stance layer left out
    assert (
        'data-layer="money"' in page.read_text() and 'data-layer="entities"' not in page.read_text()
    )
    single = tmp_path / "one.json"
    single.write_text(lines[0])
    assert view_page(single) == tmp_path / "one.html"
    assert view_page(tmp_path / "all.jsonl", doc_id="a") == tmp_path / "all-a.html"


def test_page_in_headless_chromium(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium)")
    page = tmp_path / "page.html"
    page.write_text(render_page(sample()), encoding="utf-8")
    dom = chromium("--dump-dom", f"{page.as_uri()}#hide=entities,stance", tmp_path=tmp_path).stdout
    body = re.search(r"<body[^>]*>", dom)
    assert body, dom[:500]
    hidden = set(re.findall(r"hide-(l\d+)", body.group(0)))
    assert hidden == {"l1", "l4"}  # entities and stance: the toggle script ran
    assert "&lt;script&gt;alert" in dom and "alert(" not in body.group(0)
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", page.as_uri(), tmp_path=tmp_path)
    rows = [Counter(row) for row in read_png(shot.read_bytes())]  # colour -> pixels, per row
    # Each layer's chips are drawn in its legend colour: the colour shows in the legend's
    # swatch and again, lower down, in the chips (and underlines) of the article.
    for layer, colour in (("dates", COLOURS[0]), ("entities", COLOURS[1]), ("money", COLOURS[2])):
        bands = colour_bands(rows, colour)
        assert len(bands) >= 2, f"{layer} ({colour}): legend and chips expected, got {bands}"
        # A chip is a block about 15 px high (an underline is 2 px).
        assert max(hi - lo for lo, hi in bands[1:]) >= 10, f"no {layer} chip is visible: {bands}"
    # Stance: the legend swatch per label has the colour of that label's underline.
    for label, colour in (("collaboration", "#1e8449"), ("competition", "#c0392b")):
        assert len(colour_bands(rows, colour)) >= 2, f"stance {label}: legend and underline"


def read_png(data: bytes) -> list[list[tuple[int, int, int]]]:
    """RGB rows of an 8-bit, non-interlaced RGB(A) PNG, as Chromium writes screenshots."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour_type in (2, 6) and interlace == 0
            bpp = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):  # undo the PNG filter of this row
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x : x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return rows


def colour_bands(rows: list[Counter], colour: str) -> list[tuple[int, int]]:
    """Runs of rows (start, end) holding a few pixels of ``colour`` (#rrggbb), top to bottom."""
    want = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    hits = [
        y
        for y, row in enumerate(rows)
        if sum(
            count
            for pixel, count in row.items()
            if max(abs(p - q) for p, q in zip(pixel, want, strict=True)) <= 3
        )
        >= 3
    ]
    bands: list[tuple[int, int]] = []
    for y in hits:
        if bands and y - bands[-1][1] <= 4:
            bands[-1] = (bands[-1][0], y + 1)
        else:
            bands.append((y, y + 1))
    return bands


def test_label_chips_and_a_legend_in_the_colours_of_the_page() -> None:
    doc = sample()
    page = render_page(doc)
    chips = re.findall(r'<span class="chip (l\d)" data-label="([^"]*)"', page)
    expected = [a for a in doc.annotations if a.layer != "stance"]
    assert len(chips) == len(expected)  # one chip per span, on its last piece only
    assert ("l1", "ORG") in chips and ("l2", "MONEY") in chips and ("l0", "DATE") in chips
    # chip, span and legend swatch of a layer share one colour
    for css, colour in (("l0", COLOURS[0]), ("l1", COLOURS[1]), ("l2", COLOURS[2])):
        assert f".chip.{css} {{ background: {colour}; }}" in page
        assert f".swatch.{css} {{ background: {colour}; }}" in page
        assert f"border-bottom: 2px solid {colour}" in page
    # stance: a swatch per label, coloured like that label's underline and margin label
    legend = re.search(r'<nav class="legend">(.*?)</nav>', page).group(1)
    assert '<span class="swatch s s-collaboration"' in legend
    assert '<span class="swatch s s-competition"' in legend
    assert ".swatch.s { background: var(--stance); }" in page
    assert 'class="mark l4 s s-collaboration"' in page  # margin label of the first sentence
