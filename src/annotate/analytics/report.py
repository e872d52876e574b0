"""``annotate report``: one self-contained HTML page of charts over the corpus database.

Charts are Vega-Lite specifications rendered to SVG by vl-convert (which bundles Vega and
runs offline; ``allowed_base_urls=[]`` forbids it any data request) and inlined into the
page with their captions. Marks link to anchors in the page's evidence section, which lists
the documents (and the sentences) behind each organisation, pair and amount. The page has
no script and a Content-Security-Policy that lets it load nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from html import escape
from typing import Any

from annotate.analytics.queries import plain, run_named, run_sql

CSP = "default-src 'none'; style-src 'unsafe-inline'"
COLLABORATION, COMPETITION, NEUTRAL = "#2c7fb8", "#d95f0e", "#9e9e9e"
SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v5.json"
_BASE_HREF = re.compile(r'xlink:href="[^"#]*#')


def anchor(kind: str, *names: str) -> str:
    """A stable, readable HTML id for an organisation, a pair, or an organisation's money."""
    readable = re.sub(r"[^a-z0-9]+", "-", "--".join(names).lower()).strip("-")[:40]
    digest = hashlib.sha256("\x1f".join(names).encode()).hexdigest()[:6]
    return f"{kind}-{readable}-{digest}"


def render_svg(spec: dict[str, Any], prefix: str = "") -> str:
    """The SVG of a Vega-Lite spec; links become in-page anchors, and the SVG's own ids
    (gradients, clip paths) get ``prefix`` so that charts inlined in one page keep theirs."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg({"$schema": SCHEMA_URL, **spec}, allowed_base_urls=[])
    svg = _BASE_HREF.sub('xlink:href="#', svg)  # Vega resolves "#x" against its own base URL
    if prefix:
        for name in set(re.findall(r'\bid="([^"]+)"', svg)):
            svg = svg.replace(f'id="{name}"', f'id="{prefix}{name}"')
            svg = svg.replace(f"url(#{name})", f"url(#{prefix}{name})")
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


# ---- data ------------------------------------------------------------------------------------


def _records(result: Any) -> list[dict[str, Any]]:
    return [dict(zip(result.columns, map(plain, row), strict=True)) for row in result.rows]


def corpus_data(con: Any, top_orgs: int = 20, top_pairs: int = 30, timelines: int = 6) -> dict:
    """Everything the page shows, as plain lists of records."""
    overview = run_sql(
        con,
        """SELECT (SELECT count(*) FROM documents) AS documents,
                  (SELECT min(date) FROM documents) AS first,
                  (SELECT max(date) FROM documents) AS last,
                  (SELECT count(*) FROM annotations) AS annotations,
                  (SELECT count(DISTINCT corpus_key) FROM entities WHERE label = 'ORG') AS orgs,
                  (SELECT count(*) FROM stance_pairs) AS pairs""",
    )
    orgs = _records(run_named(con, "orgs", top=top_orgs))
    pairs = _records(run_named(con, "pairs", top=top_pairs))
    money = _records(run_named(con, "money", top=top_orgs))
    timeline = {}
    for pair in pairs[:timelines]:
        key = (pair["org_a"], pair["org_b"])
        months = _records(run_named(con, "timeline", key))
        timeline[key] = [m for m in months if m["month"] is not None]  # undated: no point
    return {
        "overview": _records(overview)[0],
        "orgs": orgs,
        "pairs": pairs,
        "timeline": timeline,
        "money": money,
        "evidence": _evidence(con, pairs, orgs, money),
    }


def _grouped(rows: list[dict], *keys: str) -> dict[Any, list[dict]]:
    groups: dict[Any, list[dict]] = {}
    for row in rows:
        key = tuple(row.pop(k) for k in keys)
        groups.setdefault(key if len(key) > 1 else key[0], []).append(row)
    return groups


def _evidence(con: Any, pairs: list[dict], orgs: list[dict], money: list[dict]) -> dict:
    """Per pair, organisation and money organisation: the documents behind them (the first
    ten of each), in one query per kind whatever the number of charts."""
    pair_docs = _records(
        run_sql(
            con,
            """WITH wanted AS (SELECT unnest($a) AS a, unnest($b) AS b),
               ranked AS (
                   SELECT p.org_a, p.org_b, p.doc_id, p.date, p.label, p.evidence,
                          p.evidence_spans, row_number() OVER (PARTITION BY p.org_a, p.org_b
                              ORDER BY p.evidence DESC, p.date DESC NULLS LAST, p.doc_id) AS rank
                   FROM stance_pairs p JOIN wanted w ON p.org_a = w.a AND p.org_b = w.b)
               SELECT r.org_a, r.org_b, r.doc_id, r.date, d.title, r.label, r.evidence,
                      (SELECT list({'label': s.label, 'text': s.text} ORDER BY s.start)[1:3]
                       FROM annotations s,
                            (SELECT unnest(from_json(r.evidence_spans, '[["INTEGER"]]')) AS span) e
                       WHERE s.doc_id = r.doc_id AND s.layer = 'stance'
                         AND s.start = e.span[1] AND s."end" = e.span[2]) AS sentences
               FROM ranked r JOIN documents d ON d.id = r.doc_id
               WHERE r.rank <= 10 ORDER BY r.org_a, r.org_b, r.rank""",
            {"a": [p["org_a"] for p in pairs], "b": [p["org_b"] for p in pairs]},
        )
    )
    org_docs = _records(
        run_sql(
            con,
            """WITH counted AS (
                   SELECT corpus_key AS org, doc_id, count(*) AS mentions FROM entities
                   WHERE label = 'ORG' AND list_contains($orgs, corpus_key) GROUP BY ALL),
               ranked AS (
                   SELECT c.*, d.date, d.title, row_number() OVER (PARTITION BY c.org
                       ORDER BY c.mentions DESC, d.date DESC NULLS LAST, c.doc_id) AS rank
                   FROM counted c JOIN documents d ON d.id = c.doc_id)
               SELECT org, doc_id, date, title, mentions FROM ranked WHERE rank <= 10
               ORDER BY org, rank""",
            {"orgs": [o["organisation"] for o in orgs]},
        )
    )
    money_docs = _records(
        run_sql(
            con,
            """WITH ranked AS (
                   SELECT m.org, m.doc_id, m.date, d.title, m.text, m.currency, m.amount,
                          row_number() OVER (PARTITION BY m.org
                              ORDER BY m.amount DESC, m.doc_id, m.start) AS rank
                   FROM money m JOIN documents d ON d.id = m.doc_id
                   WHERE list_contains($orgs, m.org) AND m.per IS NULL
                     AND m.amount IS NOT NULL)
               SELECT org, doc_id, date, title, text, currency, amount FROM ranked
               WHERE rank <= 10 ORDER BY org, rank""",
            {"orgs": sorted({m["organisation"] for m in money})},
        )
    )
    by_pair = _grouped(pair_docs, "org_a", "org_b")
    by_org = _grouped(org_docs, "org")
    by_money = _grouped(money_docs, "org")
    return {
        "pairs": {
            (p["org_a"], p["org_b"]): by_pair.get((p["org_a"], p["org_b"]), []) for p in pairs
        },
        "orgs": {o["organisation"]: by_org.get(o["organisation"], []) for o in orgs},
        "money": {
            name: by_money.get(name, []) for name in dict.fromkeys(m["organisation"] for m in money)
        },
    }


# ---- charts ----------------------------------------------------------------------------------


def orgs_chart(orgs: list[dict]) -> dict[str, Any]:
    values = [{**o, "href": "#" + anchor("org", o["organisation"])} for o in orgs]
    return {
        "data": {"values": values},
        "width": 560,
        "height": {"step": 18},
        "mark": {"type": "bar", "color": "#4c78a8", "cursor": "pointer"},
        "encoding": {
            "y": {"field": "organisation", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "mentions", "type": "quantitative", "title": "mentions"},
            "href": {"field": "href"},
            "tooltip": [
                {"field": "organisation"},
                {"field": "mentions", "type": "quantitative"},
                {"field": "documents", "type": "quantitative"},
            ],
        },
    }


def pairs_chart(pairs: list[dict], limit: int = 14) -> dict[str, Any]:
    """A symmetric matrix of the organisations in the strongest pairs: colour is the balance
    of collaboration (blue) and competition (orange), the number the evidence sentences."""
    weight: dict[str, int] = {}
    for p in pairs:
        for org in (p["org_a"], p["org_b"]):
            weight[org] = weight.get(org, 0) + p["evidence"]
    keep = set(sorted(weight, key=lambda o: (-weight[o], o))[:limit])
    cells = []
    for p in pairs:
        if p["org_a"] not in keep or p["org_b"] not in keep:
            continue
        total = p["collaboration"] + p["competition"]
        balance = (p["collaboration"] - p["competition"]) / total if total else 0.0
        for x, y in ((p["org_a"], p["org_b"]), (p["org_b"], p["org_a"])):
            cells.append(
                {
                    "x": x,
                    "y": y,
                    "balance": round(balance, 3),
                    "evidence": p["evidence"],
                    "label": p["label"],
                    "documents": p["documents"],
                    "href": "#" + anchor("pair", p["org_a"], p["org_b"]),
                }
            )
    order = sorted(keep, key=lambda o: (-weight[o], o))
    axis = {"type": "nominal", "sort": order, "title": None}
    return {
        "data": {"values": cells},
        "width": {"step": 34},
        "height": {"step": 34},
        "encoding": {
            "x": {"field": "x", **axis, "axis": {"labelAngle": -40, "orient": "top"}},
            "y": {"field": "y", **axis},
        },
        "layer": [
            {
                "mark": {"type": "rect", "cursor": "pointer"},
                "encoding": {
                    "color": {
                        "field": "balance",
                        "type": "quantitative",
                        "scale": {
                            "domain": [-1, 0, 1],
                            "range": [COMPETITION, "#f7f7f7", COLLABORATION],
                        },
                        "legend": {
                            "title": "competition (−1) … collaboration (+1)",
                            "titleLimit": 400,
                            "orient": "bottom",
                            "gradientLength": 220,
                        },
                    },
                    "href": {"field": "href"},
                    "tooltip": [
                        {"field": "y", "title": "organisation"},
                        {"field": "x", "title": "with"},
                        {"field": "label"},
                        {"field": "evidence", "type": "quantitative"},
                        {"field": "documents", "type": "quantitative"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "fontSize": 11},
                "encoding": {"text": {"field": "evidence", "type": "quantitative"}},
            },
        ],
    }


def _months(rows: list[dict]) -> list[dict]:
    """The rows with the months between the first and the last filled in (no documents)."""
    if not rows:
        return []
    by_month = {r["month"][:7]: r for r in rows}
    year, month = map(int, rows[0]["month"][:7].split("-"))
    last = rows[-1]["month"][:7]
    filled = []
    while True:
        key = f"{year:04d}-{month:02d}"
        empty = {"documents": 0, "evidence": 0, "collaboration": 0.0, "competition": 0.0}
        filled.append({**empty, **by_month.get(key, {}), "month": key})
        if key >= last:
            return filled
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def timeline_chart(rows: list[dict], pair: tuple[str, str]) -> dict[str, Any]:
    """Month by month: summed collaboration and competition scores (lines), evidence
    sentences (grey bars, right axis); months without documents stay on the axis."""
    href = "#" + anchor("pair", *pair)
    values = [{**r, "href": href} for r in _months(rows)]
    angle = 0 if len(values) <= 8 else -45
    month = {"field": "month", "type": "ordinal", "title": None, "axis": {"labelAngle": angle}}
    return {
        "data": {"values": values},
        "width": {"step": max(24, min(80, 560 // max(1, len(values))))},
        "height": 150,
        "encoding": {"x": month},
        "layer": [
            {
                "mark": {"type": "bar", "color": "#d9d9d9", "width": {"band": 0.6}},
                "encoding": {
                    "y": {
                        "field": "evidence",
                        "type": "quantitative",
                        "axis": {"orient": "right", "title": "evidence sentences"},
                    },
                    "href": {"field": "href"},
                },
            },
            {
                "transform": [{"fold": ["collaboration", "competition"], "as": ["side", "score"]}],
                "mark": {"type": "line", "point": True, "cursor": "pointer"},
                "encoding": {
                    "y": {"field": "score", "type": "quantitative", "title": "summed score"},
                    "color": {
                        "field": "side",
                        "type": "nominal",
                        "scale": {
                            "domain": ["collaboration", "competition"],
                            "range": [COLLABORATION, COMPETITION],
                        },
                        "legend": {"title": None, "orient": "top"},
                    },
                    "href": {"field": "href"},
                    "tooltip": [
                        {"field": "month"},
                        {"field": "side"},
                        {"field": "score", "type": "quantitative"},
                        {"field": "documents", "type": "quantitative"},
                    ],
                },
            },
        ],
        "resolve": {"scale": {"y": "independent"}},
    }


def money_chart(money: list[dict]) -> dict[str, Any]:
    """Totals per organisation, one panel per currency (each its own scale)."""
    values = [{**m, "href": "#" + anchor("money", m["organisation"])} for m in money]
    return {
        "data": {"values": values},
        "facet": {"row": {"field": "currency", "type": "nominal", "title": None}},
        "spec": {
            "width": 480,
            "height": {"step": 18},
            "mark": {"type": "bar", "color": "#31a354", "cursor": "pointer"},
            "encoding": {
                "y": {"field": "organisation", "type": "nominal", "sort": "-x", "title": None},
                "x": {
                    "field": "total",
                    "type": "quantitative",
                    "title": "total announced",
                    "axis": {"format": "~s"},
                },
                "href": {"field": "href"},
                "tooltip": [
                    {"field": "organisation"},
                    {"field": "currency"},
                    {"field": "total", "type": "quantitative", "format": ",.0f"},
                    {"field": "amounts", "type": "quantitative"},
                ],
            },
        },
        "resolve": {"scale": {"x": "independent", "y": "independent"}},
    }


# ---- page ------------------------------------------------------------------------------------

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:0;
 background:#fafafa}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px}
h3{font-size:16px;margin:18px 0 6px}
.facts{color:#555;margin:0 0 16px}.facts b{color:#222}
figure{background:#fff;border:1px solid #ddd;border-radius:6px;margin:16px 0;padding:12px;
 overflow-x:auto}
figcaption{color:#444;font-size:14px;margin-top:8px}
.chart svg{max-width:100%;height:auto}
.empty{color:#777;font-style:italic}
table{border-collapse:collapse;font-size:13px;margin:4px 0 12px;width:100%}
th,td{border-bottom:1px solid #e5e5e5;padding:3px 6px;text-align:left;vertical-align:top}
.s{font-weight:600}.s-collaboration{color:#2c7fb8}.s-competition{color:#d95f0e}
.s-mixed{color:#7b3294}.s-neutral{color:#777}
blockquote{margin:2px 0 2px 12px;color:#333;font-size:13px}
section.evidence>div{background:#fff;border:1px solid #eee;border-radius:6px;padding:4px 12px;
 margin:8px 0}
section.evidence>div:target{border-color:#2c7fb8;box-shadow:0 0 0 2px #2c7fb855}
.num{text-align:right;font-variant-numeric:tabular-nums}
"""


def _h(value: Any) -> str:
    return escape("" if value is None else str(value))


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else _h(value)


def _stance(label: Any) -> str:
    label = str(label or "neutral")
    return f'<span class="s s-{_h(label)}">{_h(label)}</span>'


def figure(title: str, spec: dict[str, Any] | None, caption: str, section: str) -> str:
    body = (
        f'<div class="chart">{render_svg(spec, section + "-")}</div>'
        if spec is not None
        else '<p class="empty">Nothing to draw: the database has no such data yet.</p>'
    )
    return (
        f'<figure id="{section}"><h2>{_h(title)}</h2>{body}'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def render_report(data: dict[str, Any], title: str = "Corpus report") -> str:
    """The page for ``corpus_data(...)``."""
    o = data["overview"]
    span = f"{_h(o['first'])} to {_h(o['last'])}" if o["first"] else "no dates"
    facts = (
        f'<p class="facts"><b>{o["documents"]:,}</b> documents ({span}) · '
        f"<b>{o['annotations']:,}</b> annotations · <b>{o['orgs']:,}</b> organisations · "
        f"<b>{o['pairs']:,}</b> stance pairs</p>"
    )
    parts = [
        figure(
            "Organisations by mentions",
            orgs_chart(data["orgs"]) if data["orgs"] else None,
            f"The {len(data['orgs'])} organisations mentioned most (ORG entities, one name per "
            "organisation across the corpus). Click a bar for the documents naming it; see "
            '<a href="#evidence-orgs">the documents per organisation</a>.',
            "chart-orgs",
        ),
        figure(
            "Who competes and who collaborates",
            pairs_chart(data["pairs"]) if data["pairs"] else None,
            "The organisations of the strongest pairs. Colour: the balance of the pair's summed "
            "collaboration (blue) and competition (orange) over the corpus; number: its "
            "evidence sentences. Click a cell for the documents and sentences behind it; see "
            '<a href="#evidence-pairs">the evidence per pair</a>.',
            "chart-pairs",
        ),
    ]
    for (a, b), rows in data["timeline"].items():
        parts.append(
            figure(
                f"{a} – {b}, month by month",
                timeline_chart(rows, (a, b)) if rows else None,
                f"Summed collaboration and competition scores of the pair {_h(a)} – {_h(b)} in "
                "each month's documents (lines), and the evidence sentences behind them (grey "
                f'bars, right axis). <a href="#{anchor("pair", a, b)}">The evidence</a>.',
                "chart-" + anchor("timeline", a, b),
            )
        )
    parts.append(
        figure(
            "Money announced per organisation",
            money_chart(data["money"]) if data["money"] else None,
            "The amounts of the money layer, each counted for the organisation named nearest "
            "before it in its sentence (else after it); a range counts its midpoint, rates "
            "such as '$20 a share' are left out; one panel per currency. Click a bar for the "
            'amounts; see <a href="#evidence-money">the amounts per organisation</a>.',
            "chart-money",
        )
    )
    parts.append(_evidence_html(data))
    toc = (
        '<p class="facts">Charts: <a href="#chart-orgs">organisations</a> · '
        '<a href="#chart-pairs">pairs</a> · timelines · <a href="#chart-money">money</a> · '
        '<a href="#evidence">evidence</a></p>'
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_h(title)}</title><style>{STYLE}</style></head>\n<body><main>"
        f"<h1>{_h(title)}</h1>{facts}{toc}" + "\n".join(parts) + "<p class='facts'>Written by "
        "<code>annotate report</code>. Ask more with <code>annotate query</code>.</p>"
        "</main></body></html>\n"
    )


def _doc_cell(doc: dict) -> str:
    title = doc.get("title") or doc["doc_id"]
    return f"{_h(title)}<br><small><code>{_h(doc['doc_id'])}</code> · {_h(doc.get('date'))}</small>"


def _evidence_html(data: dict[str, Any]) -> str:
    ev = data["evidence"]
    out = ['<section class="evidence" id="evidence"><h2>Evidence</h2>']
    out.append('<h3 id="evidence-pairs">Pairs</h3>')
    for (a, b), docs in ev["pairs"].items():
        rows = []
        for doc in docs:
            quotes = "".join(
                f"<blockquote>{_stance(s['label'])} {_h(s['text'].strip()[:400])}</blockquote>"
                for s in doc["sentences"]
            )
            rows.append(
                f"<tr><td>{_doc_cell(doc)}</td><td>{_stance(doc['label'])}</td>"
                f'<td class="num">{_num(doc["evidence"])}</td><td>{quotes}</td></tr>'
            )
        out.append(
            f'<div id="{anchor("pair", a, b)}"><h3>{_h(a)} – {_h(b)}</h3><table><thead><tr>'
            "<th>document</th><th>label</th><th>evidence</th><th>sentences</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{_more(docs, 'evidence', a, b)}</div>"
        )
    out.append('<h3 id="evidence-orgs">Organisations</h3>')
    for name, docs in ev["orgs"].items():
        rows = "".join(
            f'<tr><td>{_doc_cell(d)}</td><td class="num">{_num(d["mentions"])}</td></tr>'
            for d in docs
        )
        out.append(
            f'<div id="{anchor("org", name)}"><h3>{_h(name)}</h3><table><thead><tr>'
            f"<th>document</th><th>mentions</th></tr></thead><tbody>{rows}</tbody></table>"
            f"{_more(docs, 'documents', name)}</div>"
        )
    out.append('<h3 id="evidence-money">Money</h3>')
    for name, docs in ev["money"].items():
        rows = "".join(
            f"<tr><td>{_doc_cell(d)}</td><td>{_h(d['text'])}</td><td>{_h(d['currency'])}</td>"
            f'<td class="num">{_num(d["amount"])}</td></tr>'
            for d in docs
        )
        out.append(
            f'<div id="{anchor("money", name)}"><h3>{_h(name)}</h3><table><thead><tr>'
            "<th>document</th><th>amount as written</th><th>currency</th><th>value</th></tr>"
            f"</thead><tbody>{rows}</tbody></table></div>"
        )
    out.append("</section>")
    return "\n".join(out)


def _more(docs: Iterable[dict], query: str, *names: str) -> str:
    if len(list(docs)) < 10:
        return ""
    quoted = " ".join(f'"{_h(n)}"' for n in names)
    return (
        f'<p class="facts">The first 10 shown; all of them: <code>annotate query {query} '
        f"{quoted} --top 1000</code></p>"
    )


def write_report(con: Any, title: str = "Corpus report", **limits: int) -> str:
    """The report page's HTML for the database behind ``con``."""
    return render_report(corpus_data(con, **limits), title)
