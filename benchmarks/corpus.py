"""A synthetic news corpus: varied articles from templates and vocabulary, with a fixed seed.

    python benchmarks/corpus.py OUT_DIR --docs 2000 [--words 400] [--jsonl]

Every document differs (companies, people, places, amounts, dates and sentence order are
drawn per document), so nothing is repeated verbatim across the corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path

COMPANIES = (
    "Microsoft Apple Alphabet Amazon Nvidia Oracle Softbank OpenAI Anthropic Siemens Airbus "
    "Toyota Samsung Tencent Alibaba Unilever Nestle Shell BP Pfizer Moderna Intel AMD Qualcomm "
    "Netflix Spotify Uber Lyft Boeing Volkswagen Renault Danone Philips Ericsson Nokia Barclays "
    "HSBC Santander Allianz AXA Novartis Roche Bayer BASF Equinor Vale Rio Tinto Glencore"
).split()
SUFFIXES = ("", "", "", " Inc.", " Corp.", " Ltd.", " Group", " Holdings", " AG", " SA")
FIRST = (
    "Satya Sundar Tim Jensen Lisa Mary Elon Sam Dario Christine Ursula Olaf Emmanuel Giorgia "
    "Rishi Keir Joe Donald Kamala Xi Narendra Fumio Jerome Andrew Sarah Maria Ahmed Wei Priya "
    "Carlos Ana Pedro Ingrid Lars Yuki Kenji Amara Kwame Fatima Omar Elena Igor"
).split()
LAST = (
    "Nadella Pichai Cook Huang Su Barra Musk Altman Amodei Lagarde Leyen Scholz Macron Meloni "
    "Sunak Starmer Biden Trump Harris Modi Kishida Powell Bailey Schmidt Garcia Rossi Kumar "
    "Chen Silva Santos Larsen Tanaka Sato Okafor Mensah Haddad Petrov Novak Dubois Jensen"
).split()
PLACES = (
    "Texas California London Paris Berlin Tokyo Beijing Shanghai Mumbai Singapore Brussels "
    "Frankfurt Madrid Rome Seoul Sydney Toronto Ohio Arizona Dublin Amsterdam Zurich Geneva "
    "Nairobi Lagos Cairo Dubai Riyadh Jakarta Manila Hanoi Warsaw Prague Vienna Oslo Stockholm"
).split()
TOPICS = (
    "artificial intelligence|cloud computing|semiconductors|electric vehicles|renewable energy|"
    "data centers|interest rates|inflation|trade policy|antitrust rules|supply chains|"
    "quantum computing|biotechnology|satellite broadband|cybersecurity|consumer spending"
).split("|")
VERBS = "announced|confirmed|denied|unveiled|postponed|expanded|scaled back|defended".split("|")
ADJ = (
    "ambitious cautious surprising long-awaited controversial modest aggressive strategic "
    "landmark tentative sweeping unexpected"
).split()
UNITS = ("million", "billion")
MONTHS = (
    "January February March April May June July August September October November December"
).split()

TEMPLATES = (
    "{org} {verb} a {adj} plan to invest {money} in {topic} across {place} over the next "
    "{n} years.",
    "{person}, the chief executive of {org}, said on {weekday} that the company would {act} "
    "its work on {topic}.",
    "Shares of {org} rose {pct} percent in {place} after the company {verb} a deal with {org2}.",
    "Analysts in {place} expect {org} to report revenue of {money} for the quarter ending "
    "{month} {day}.",
    "The agreement between {org} and {org2} was signed in {place} on {month} {day}, {year}.",
    "{person} told reporters in {place} that {topic} remained the {adj} priority for {org}.",
    "Regulators in {place} opened an inquiry into {org} over its {adj} approach to {topic}.",
    "{org2} said it had hired {person} to lead a new unit focused on {topic} in {place}.",
    "Last {weekday}, {person} met {person2} in {place} to discuss {topic} and {topic2}.",
    "Critics argued that the {adj} {topic} push by {org} could cost as much as {money}.",
    "According to {person}, {org} will open a research center in {place} by {month} {year}.",
    "The {adj} shift signals that {topic} is becoming central to how {org} competes with {org2}.",
    "Investors welcomed the news, and {org} said demand for {topic} had doubled since {year}.",
    "{org} declined to comment, while {org2} called the move {adj} but necessary.",
)
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday".split()
ACTS = "accelerate|pause|double|rethink|expand|wind down".split("|")


def _fill(rng: random.Random, template: str, cast: dict[str, str]) -> str:
    values = {
        "org2": rng.choice(COMPANIES) + rng.choice(SUFFIXES),
        "person2": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "place": rng.choice(PLACES),
        "topic": rng.choice(TOPICS),
        "topic2": rng.choice(TOPICS),
        "verb": rng.choice(VERBS),
        "adj": rng.choice(ADJ),
        "act": rng.choice(ACTS),
        "money": f"${rng.randint(1, 999)} {rng.choice(UNITS)}",
        "n": str(rng.randint(2, 10)),
        "pct": f"{rng.randint(1, 19)}.{rng.randint(0, 9)}",
        "weekday": rng.choice(WEEKDAYS),
        "month": rng.choice(MONTHS),
        "day": str(rng.randint(1, 28)),
        "year": str(rng.randint(2015, 2026)),
        **cast,
    }
    return template.format(**values)


def article(rng: random.Random, words: int) -> tuple[str, str]:
    """One (title, body) of roughly ``words`` words in paragraphs of 3 to 6 sentences."""
    cast = {
        "org": rng.choice(COMPANIES) + rng.choice(SUFFIXES),
        "person": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
    }
    paragraphs, count = [], 0
    while count < words:
        sentences = [_fill(rng, rng.choice(TEMPLATES), cast) for _ in range(rng.randint(3, 6))]
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    title = _fill(rng, rng.choice(TEMPLATES), cast).rstrip(".")
    return title, "\n".join(paragraphs)


def documents(docs: int, words: int, seed: int = 42) -> Iterator[dict[str, str]]:
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    for i in range(docs):
        title, body = article(rng, rng.randint(words // 2, words * 3 // 2))
        date = start + dt.timedelta(days=rng.randint(0, 700))
        yield {"id": f"news-{i:07d}", "date": date.isoformat(), "title": title, "text": body}


def write_corpus(folder: Path, docs: int, words: int, jsonl: bool = False, seed: int = 42) -> Path:
    """Write the corpus as ``folder/news-*.txt`` (front matter) or ``folder/news.jsonl``."""
    folder.mkdir(parents=True, exist_ok=True)
    if jsonl:
        path = folder / "news.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for doc in documents(docs, words, seed):
                handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return path
    for doc in documents(docs, words, seed):
        front = (
            f"---\nid: {doc['id']}\ndate: {doc['date']}\ntitle: {json.dumps(doc['title'])}\n---\n"
        )
        (folder / f"{doc['id']}.txt").write_text(front + doc["text"] + "\n", encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--words", type=int, default=400, help="mean words per document")
    parser.add_argument("--jsonl", action="store_true", help="one news.jsonl instead of files")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(write_corpus(args.out, args.docs, args.words, args.jsonl, args.seed))


if __name__ == "__main__":
    main()
