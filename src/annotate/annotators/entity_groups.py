"""Grouping mentions into entities: one organisation, person or place and all its names.

A short form joins the one longer name its words begin ("Nordvale" -> "Nordvale Systems AG"),
a surname the one person it ends ("Lund" -> "Maria Lund"), an acronym the name it was defined
for or whose initials it spells ("OFT" -> "Office of Fair Trading"); an all-caps or possessive
form has the same key as its name. A short form shared by a company and people ("Castellano"
for Castellano Air and Javier Castellano) is the nearest person before it where its own
context names a person, else the company.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from annotate.annotators.entity_evidence import Evidence
from annotate.annotators.entity_mentions import Mention
from annotate.annotators.entity_names import NameBook, initials, is_acronym

_start = attrgetter("start")


@dataclass
class Entity:
    """One organisation, person or place of the document and its mentions."""

    name: str  # the stripped surface of its longest form
    mentions: list[Mention] = field(default_factory=list)
    evidence: Evidence = field(default_factory=Evidence)


def group(
    text: str,
    mentions: list[Mention],
    book: NameBook,
    defined: dict[str, str],
    says_person: Callable[[Mention], bool],
) -> list[Entity]:
    """The entities of ``mentions`` (in text order, the longer first where two start
    together), in the order of their first mention. ``defined`` maps
    acronyms defined in the text to their names (keys); ``says_person`` tells whether a
    mention's own context names a person."""
    by_key: dict[str, list[Mention]] = {}
    for m in mentions:
        by_key.setdefault(book.name_key(text[m.start : m.end]), []).append(m)
    names = _Names(
        book, by_key, {k: book.strip(text[ms[0].start : ms[0].end]) for k, ms in by_key.items()}
    )
    parent, shared = {}, {}
    for k in names.linkable:
        if defined.get(k) in by_key:
            parent[k] = defined[k]
            continue
        longer = names.longer(k)
        companies = [n for n in longer if n not in names.people]
        if len(longer) == 1:
            parent[k] = longer[0]
        elif longer and len(companies) <= 1:
            shared[k] = (companies, [n for n in longer if n in names.people])

    def root(k: str) -> str:
        seen = {k}
        while k in parent and parent[k] not in seen:
            k = parent[k]
            seen.add(k)
        return k

    groups: dict[str, list[Mention]] = {}
    for k, ms in by_key.items():
        if k not in shared:
            groups.setdefault(root(k), []).extend(ms)
            continue
        companies, persons = shared[k]
        for m in ms:
            if says_person(m) or not companies:
                target = _nearest_before(persons, by_key, m.start) or k
            else:
                target = companies[0]
            groups.setdefault(root(target), []).append(m)
    entities = [Entity(names.surface[r], sorted(ms, key=_start)) for r, ms in groups.items()]
    return sorted(entities, key=lambda e: e.mentions[0].start)


class _Names:
    """The document's names by key, indexed for finding the longer names of a short one."""

    def __init__(
        self, book: NameBook, by_key: dict[str, list[Mention]], surface: dict[str, str]
    ) -> None:
        self.book = book
        self.surface = surface
        self.linkable = [k for k, ms in by_key.items() if not any(m.fixed for m in ms)]
        self.order = {k: i for i, k in enumerate(self.linkable)}
        self.people = {
            k
            for k in self.linkable
            if any(m.label == "PERSON" for m in by_key[k])
            or (" " in k and book.is_given_name(k.split()[0]))
        }
        # "Norwegian" is no short form of "Norwegian University of …"
        self.no_short = {
            k
            for k in self.linkable
            if book.is_territory(k) or all(m.label == "NORP" for m in by_key[k])
        }
        self.index: dict[tuple[str, str], list[str]] = {}  # by first/last word, initials
        for k in self.linkable:
            if " " in k:
                words = k.split()
                self.index.setdefault(("first", words[0]), []).append(k)
                self.index.setdefault(("last", words[-1]), []).append(k)
                self.index.setdefault(("initials", initials(surface[k])), []).append(k)

    def longer(self, name: str) -> list[str]:
        """The longer names that ``name`` may be a short form of: its first words, a person's
        surname (even a known organisation's: "Dell" after "Sarah Dell"), its acronym. Where
        several fit, those that are clearly companies ("Hoshida Electronics" rather than the
        product "Hoshida Z8") are preferred; a known organisation's name is the short form
        only of such a company name ("Sony" of "Sony Group", not "Microsoft" of "Microsoft
        Azure")."""
        if name in self.no_short:
            return []
        book, words, surface = self.book, name.split(), self.surface[name]
        near = {*self.index.get(("first", words[0]), ()), *self.index.get(("last", name), ())}
        near.discard(name)  # (not longer than itself)
        acronym_like = is_acronym(surface)
        if not near and not acronym_like:
            return []  # no name to be a short form of
        known = book.is_known(name)
        prefix_ok = len(name) > 2 and (
            len(words) > 1
            or not (book.is_given_name(words[0]) or words[0].title() in book.stoplist)
        )
        acronym = surface.replace(".", "") if acronym_like and not known else None
        near.update(self.index.get(("initials", acronym), ()) if acronym else ())
        found, companies = [], []
        for other in sorted(near, key=self.order.__getitem__):
            other_words = other.split()
            if len(other_words) <= len(words):
                continue
            company = book.is_company_name(self.surface[other])
            if (
                (prefix_ok and other_words[: len(words)] == words and (company or not known))
                or (len(words) == 1 and other_words[-1] == name and other in self.people)
                or (acronym and initials(self.surface[other]) == acronym)
            ):
                found.append(other)
                if company:
                    companies.append(other)
        if len(found) > 1 and len(companies) == 1:  # not the product "Hoshida Z8"
            return [n for n in found if n in companies or n in self.people]
        return found


def _nearest_before(keys: list[str], by_key: dict[str, list[Mention]], start: int) -> str | None:
    """Of the names ``keys``, the one mentioned last before ``start``."""
    seen = [(m.start, k) for k in keys for m in by_key[k] if m.start < start]
    return max(seen)[1] if seen else None
