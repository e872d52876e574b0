"""``pattern.finditer(text)`` that tries a pattern only where a match can start.

Python's ``re`` tries a pattern that begins with ``\\b``, a look-behind or ``(?i:...)`` at every
character of the text. The dates and money grammars run dozens of such patterns over every
article, so scanning, not what a match means, was most of their cost. Here each pattern is read
once (``re._parser``) for the strings of up to three characters (lower-cased) its matches can
begin with, and the text is indexed once per document at the places a match can start at all:
word starts and punctuation (in a text of plain characters, when every key begins with a word
character, only the word starts that begin with a key, found by one pattern).
``ScanSet.finditers`` then calls ``pattern.match`` at the indexed places whose first characters
fit, which gives exactly the matches of ``pattern.finditer``: ``match(text, pos)`` sees the
text before ``pos`` (look-behinds, ``\\b``) as ``finditer`` does, and every place a match can
start is tried, in order.

A pattern this cannot read (a match could start inside a word or with a blank, or with any
character) scans as before, and so does a text whose scan meets an empty match.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import chain

try:  # the parser behind re.compile; private, so anything unexpected means "scan everything"
    from re import _constants as sre
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as sre  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

KEY = 3  # characters of the text indexed at each place a match can start
_LIMIT = 20_000  # most prefixes one pattern may have
_PLACES = re.compile(r"\w+|[^\w\s]")  # starts: of words and of punctuation
_WORD = re.compile(r"\w")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_SPACES = {chr(c) for c in range(128) if re.match(r"\s", chr(c))}


@functools.lru_cache(maxsize=4096)
def _plain(char: str) -> bool:
    """A character that only equals itself, in any case: ASCII, or non-ASCII punctuation
    without case (’ € £ –). Any other character makes a place of the text a wild card."""
    return char.isascii() or (
        not _WORD.match(char)
        and not char.isspace()
        and char.lower() == char == char.upper()
        and char.casefold() == char
    )


class _Unreadable(Exception):
    pass


class _TooMany(_Unreadable):
    pass


class _Prefixes:
    """The strings (lower-cased, up to ``size`` characters) a pattern's matches begin with.

    ``walk`` follows ``items[at:]``, then each ``(items, at)`` of ``rest`` in turn; ``bounded``
    says a look-behind or ``\\b`` keeps the first character from following a word character.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.found: set[str] = set()

    def walk(self, items: list, at: int, prefix: str, bounded: bool, rest: tuple) -> None:
        if len(prefix) >= self.size:
            self._add(prefix[: self.size])
            return
        if at == len(items):
            if not rest:
                self._add(prefix)  # the match can end here
                return
            (items, at), *more = rest
            self.walk(items, at, prefix, bounded, tuple(more))
            return
        op, av = items[at]
        name = str(op)
        after = ((items, at + 1), *rest)
        if name == _ROUNDS:
            self._repeat(*av, prefix, bounded, rest)
        elif name in ("LITERAL", "IN"):
            chars = _chars(op, av)
            if chars is None:
                self._add(prefix)
                return
            for char in chars:
                if not prefix and (char.isspace() or (_WORD.match(char) and not bounded)):
                    raise _Unreadable  # a blank, or inside a word: not an indexed place
                self.walk(items, at + 1, prefix + char, bounded, rest)
        elif name == "SUBPATTERN":
            if av[1] & (sre.SRE_FLAG_ASCII | sre.SRE_FLAG_LOCALE):
                raise _Unreadable
            self.walk(list(av[3]), 0, prefix, bounded, after)
        elif name == "ATOMIC_GROUP":
            self.walk(list(av), 0, prefix, bounded, after)
        elif name == "BRANCH":
            for branch in av[1]:
                self.walk(list(branch), 0, prefix, bounded, after)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = av
            self._repeat(list(sub), low, high, 0, items, at, prefix, bounded, rest)
        elif name == "AT":
            edge = not prefix and str(av) in ("AT_BOUNDARY", "AT_BEGINNING", "AT_BEGINNING_STRING")
            self.walk(items, at + 1, prefix, bounded or edge, rest)
        elif name in ("ASSERT", "ASSERT_NOT"):
            edge = not prefix and _word_edge(name, av)
            self.walk(items, at + 1, prefix, bounded or edge, rest)
        else:  # anything else: the prefix ends here
            self._add(prefix)

    def _repeat(self, sub, low, high, done, items, at, prefix, bounded, rest) -> None:
        """``items[at]`` repeats ``sub`` ``low`` to ``high`` times; ``done`` rounds are done."""
        if done >= low:
            self.walk(items, at + 1, prefix, bounded, rest)
        if done >= high:
            return
        if done > self.size:  # rounds that matched nothing: the prefix may end here
            self._add(prefix)
            return
        again = ([(_ROUNDS, (sub, low, high, done + 1, items, at))], 0)
        self.walk(sub, 0, prefix, bounded, (again, *rest))

    def _add(self, prefix: str) -> None:
        if not prefix:
            raise _Unreadable  # a match could start with anything (or be empty)
        self.found.add(prefix)
        if len(self.found) > _LIMIT:
            raise _TooMany


_ROUNDS = "_ROUNDS"  # a marker item: the next round of a repeat


def _chars(op, av) -> set[str] | None:
    """The characters (lower-cased) one LITERAL or IN item matches; None for too many."""
    if str(op) == "LITERAL":
        char = chr(av)
        return {char.lower()} if _plain(char) else None
    chars: set[str] = set()
    for kind, value in av:
        kind = str(kind)
        if kind == "LITERAL":
            char = chr(value)
            if not _plain(char):
                continue  # places holding it are wild cards
            chars.add(char.lower())
        elif kind == "RANGE":
            low, high = value
            if high - low > 60:
                return None
            chars |= {chr(c).lower() for c in range(low, high + 1) if _plain(chr(c))}
        elif kind == "CATEGORY" and str(value) == "CATEGORY_DIGIT":
            chars |= set("0123456789")  # other digits are not plain: wild cards
        elif kind == "CATEGORY" and str(value) == "CATEGORY_SPACE":
            chars |= _SPACES
        else:  # NEGATE, \w, \S, ...
            return None
    return chars


def _word_edge(name: str, av) -> bool:
    """Whether a look-behind says the character before is not a word character:
    ``(?<![\\w...])``, ``(?<!\\w)``, or ``(?<=...x)`` ending in a blank or punctuation."""
    direction, sub = av
    sub = list(sub)
    if direction != -1 or not sub:
        return False
    op, value = sub[0] if name == "ASSERT_NOT" else sub[-1]
    if name == "ASSERT_NOT":
        return (
            len(sub) == 1
            and str(op) == "IN"
            and any(str(k) == "CATEGORY" and str(v) == "CATEGORY_WORD" for k, v in value)
        )
    if str(op) == "LITERAL":
        return not _WORD.match(chr(value))
    return str(op) == "IN" and all(
        (str(k) == "LITERAL" and not _WORD.match(chr(v)))
        or (str(k) == "CATEGORY" and str(v) == "CATEGORY_SPACE")
        for k, v in value
    )


@functools.lru_cache(maxsize=1024)
def prefixes(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The strings (lower-cased, all of one length up to ``KEY``) that every match of
    ``pattern`` begins with at a word start or a punctuation mark; None if not known."""
    if pattern.flags & (re.ASCII | re.LOCALE) or not isinstance(pattern.pattern, str):
        return None
    try:
        parsed = list(sre_parse.parse(pattern.pattern, pattern.flags))
    except (TypeError, ValueError, AttributeError):
        return None
    for size in range(KEY, 0, -1):  # fewer characters where the strings would be too many
        reader = _Prefixes(size)
        try:
            reader.walk(parsed, 0, "", False, ())
            break
        except _TooMany:
            continue
        except (_Unreadable, RecursionError, TypeError, ValueError, AttributeError):
            return None
    else:
        return None
    shortest = min(map(len, reader.found))
    return frozenset(p[:shortest] for p in reader.found)


class Places:
    """One text's places where a match can start, by their first characters (lower-cased)."""

    def __init__(self, text: str) -> None:
        self.text = text
        by_key: defaultdict[str, list[int]] = defaultdict(list)
        self.by_key = by_key
        self.wild: list[int] = []  # places whose first characters are not all plain
        low = text.lower()
        odd: set[int] = set()
        if len(low) != len(text):  # a character that lower-cases to two ("İ")
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        if not text.isascii():
            for match in _NON_ASCII.finditer(text):
                if not _plain(match.group()):
                    odd.update(range(match.start() - KEY + 1, match.start() + 1))
        for at in [m.start() for m in _PLACES.finditer(text)]:
            if odd and at in odd:
                self.wild.append(at)
            else:
                by_key[low[at : at + KEY]].append(at)


def _all_plain(text: str) -> bool:
    """Whether every character of ``text`` is plain (``_plain``): it has no wild places, and
    lower-cased its word characters are ``[0-9a-z_]``."""
    return text.isascii() or all(map(_plain, set(_NON_ASCII.findall(text))))


def _word_places(text: str, word_starts: re.Pattern[str]) -> dict[str, list[int]]:
    """The places by key of a ``text`` of plain characters, of those only the word starts
    that begin with a key (``word_starts``, from ``_word_starts``)."""
    low = text.lower()
    by_key: defaultdict[str, list[int]] = defaultdict(list)
    # after a blank put in front, each match starts at a place of the text itself
    for at in [m.start() for m in word_starts.finditer(" " + low)]:
        by_key[low[at : at + KEY]].append(at)
    return by_key


@functools.lru_cache(maxsize=64)  # (a pipeline built again builds the same ScanSets)
def _word_starts(keys: frozenset[str]) -> re.Pattern[str] | None:
    """A pattern matching, in lower-cased text of plain characters, each character that is
    not a word character followed by one of ``keys`` (a tree of their characters, which
    ``re`` tests fast after the first); None if a key does not begin with a word character.
    Starting with a character class, it is tried only at those characters."""
    tree: dict = {}
    for key in keys:
        if not _WORD.match(key):
            return None
        node = tree
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    return re.compile(rf"[^0-9a-z_](?={_tree(tree)})") if tree else None


def _tree(node: dict) -> str:
    """The alternation of the keys in ``node``, a tree of their characters ("" ends a key)."""
    if "" in node:
        return ""  # a key ends here: whatever follows
    ends = "".join(re.escape(char) for char, rest in sorted(node.items()) if list(rest) == [""])
    alternatives = [
        f"{re.escape(char)}(?:{_tree(rest)})"
        for char, rest in sorted(node.items())
        if list(rest) != [""]
    ]
    if ends:
        alternatives.append(f"[{ends}]")
    return f"(?:{'|'.join(alternatives)})"


class Scanner:
    """A compiled pattern and the prefixes its matches begin with (see the module doc);
    ``needs``, if given, is a pattern that every match contains: where its own prefixes are
    known and it is at none of the places they give, the scanner is not tried."""

    def __init__(self, pattern: re.Pattern[str], needs: re.Pattern[str] | None = None) -> None:
        self.pattern = pattern
        self.keys: frozenset[str] | None = prefixes(pattern)
        self.needs = needs


class ScanSet:
    """Scanners over one text, with where each may start found in one pass over its places:
    each place's first characters are looked up once, in a table of every scanner's keys."""

    def __init__(self, scanners: Sequence[Scanner]) -> None:
        self.scanners = list(scanners)
        needs = dict.fromkeys(s.needs for s in self.scanners if s.needs is not None)
        # the needed patterns whose prefixes are known, indexed along with the scanners
        self.needed = [n for n in map(Scanner, needs) if n.keys is not None]
        table: dict[str, list[int]] = {}
        for i, scanner in enumerate([*self.scanners, *self.needed]):
            for key in scanner.keys or ():
                table.setdefault(key, []).append(i)
        self.table = {key: tuple(found) for key, found in table.items()}
        self.sizes = sorted({len(key) for key in table})
        self.word_starts = _word_starts(frozenset(table))

    def starts(self, text: str) -> list[list[int]]:
        """For each scanner, in order, the places of ``text`` where a match may start (none
        for a scanner without keys, which scans everything)."""
        return self._starts(text)[: len(self.scanners)]

    def _starts(self, text: str) -> list[list[int]]:
        """``starts``, then the same for each of ``needed``."""
        if self.word_starts is not None and _all_plain(text):
            by_key, wild = _word_places(text, self.word_starts), []
        else:
            places = Places(text)
            by_key, wild = places.by_key, places.wild
        lists: list[list[list[int]]] = [[] for _ in range(len(self.scanners) + len(self.needed))]
        table, sizes = self.table, self.sizes
        for key, at in by_key.items():
            for size in sizes:
                if size > len(key):
                    break
                for i in table.get(key[:size], ()):
                    lists[i].append(at)
        if wild:
            for scanner, found in zip([*self.scanners, *self.needed], lists, strict=True):
                if scanner.keys is not None:
                    found.append(wild)
        return [
            found[0] if len(found) == 1 else sorted(chain.from_iterable(found)) for found in lists
        ]

    def finditers(self, text: str) -> list[Iterable[re.Match[str]]]:
        """``scanner.pattern.finditer(text)`` for each scanner, in order (nothing for one
        whose ``needs`` is not in ``text``)."""
        starts = self._starts(text)
        count = len(self.scanners)
        needed = {n.pattern: at for n, at in zip(self.needed, starts[count:], strict=True)}
        found: dict[re.Pattern[str], bool] = {}
        iters: list[Iterable[re.Match[str]]] = []
        for scanner, places in zip(self.scanners, starts[:count], strict=True):
            need = scanner.needs
            if need in needed and (places or scanner.keys is None):
                if need not in found:
                    found[need] = any(need.match(text, at) for at in needed[need])
                if not found[need]:
                    iters.append(())
                    continue
            iters.append(
                scanner.pattern.finditer(text)
                if scanner.keys is None
                else _at_places(scanner.pattern, text, places)
            )
        return iters


def _at_places(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterable[re.Match[str]]:
    if not starts:
        return ()
    return matches_at(
        starts, functools.partial(pattern.match, text), functools.partial(pattern.finditer, text)
    )


def matches_at(
    starts: Iterable[int],
    match_at: Callable[[int], re.Match[str] | None],
    whole: Callable[[], Iterable[re.Match[str]]],
) -> Iterable[re.Match[str]]:
    """What ``finditer`` finds, from trying ``match_at`` only at ``starts`` (in order, where
    any match must begin): the matches that do not overlap an earlier one. An empty match
    falls back to ``whole()``, the full scan, whose own rules apply to it."""
    found = []
    end = 0
    for at in starts:
        if at < end:
            continue
        m = match_at(at)
        if m is not None:
            end = m.end()
            if end == at:
                return whole()
            found.append(m)
    return found
