"""Dependency-parse helpers for stance: clauses, implied subjects, the scope of negations."""

from __future__ import annotations

import numpy
from spacy.attrs import DEP, HEAD, IDX, IS_PUNCT, LEMMA, LENGTH, LOWER, POS, SPACY
from spacy.strings import get_string_id
from spacy.tokens import Doc

from annotate.annotators.stance_cues import CHANGE, DENIAL, PARTICLE, TERMINATOR, Match


def _ids(*labels: str) -> frozenset[int]:
    """Dependency or POS labels as ``Doc.to_array`` gives them: spaCy's symbol, else a hash."""
    return frozenset(map(get_string_id, labels))


SUBJECTS = _ids("nsubj", "nsubjpass", "csubj", "csubjpass", "expl")
# Clause heads: a cue's parties are looked for inside the clause that holds it.
CLAUSES = _ids("ROOT", "ccomp", "advcl", "relcl", "parataxis", "csubj")
VERBS = _ids("VERB", "AUX")
ACL, ADVCL, AGENT, CCOMP, CONJ, PRECONJ, RELCL, XCOMP = map(
    get_string_id, ("acl", "advcl", "agent", "ccomp", "conj", "preconj", "relcl", "xcomp")
)
# How many tokens before a cue a negation word still negates it when the parse disagrees.
NEGATION_WINDOW = 6
_COORDINATIONS = _ids("conj", "appos")
_NEGATION_MODIFIERS = _ids("advmod", "neg")
_CONJUNCTIONS = _ids("CCONJ", "SCONJ")
_CONTRASTS = frozenset({"despite", "amid", "notwithstanding"})


class Parse:
    """A doc's parse as lists by token index, read once through ``Doc.to_array``: the
    helpers below take and return token indices, as a Token object per look costs more
    than the rest of stance. Labels stay ids (see _ids); lower forms and lemmas are looked
    up when asked for."""

    def __init__(self, doc: Doc, text: str | None = None) -> None:
        self.doc = doc
        # ``doc.text`` joins every token's text: the caller passes the text it parsed.
        self._text = doc.text if text is None else text
        self._strings = doc.vocab.strings
        array = doc.to_array([HEAD, DEP, POS, IS_PUNCT, LOWER, LEMMA, IDX, LENGTH, SPACY])
        heads = numpy.arange(len(doc)) + array[:, 0].astype(numpy.int64)
        self.head: list[int] = heads.tolist()
        self._heads = heads
        self.dep, self.pos = array[:, 1:3].T.tolist()
        self.is_punct: list[bool] = array[:, 3].astype(bool).tolist()
        self.lower_ids, self.lemma_ids = array[:, 4:6].T.tolist()
        self.idx, self.length, self.space = array[:, 6:9].T.tolist()
        self._roots: dict[tuple[int, int], int] = {}
        # Tokens sorted by head, and where each head's part starts: made when first needed.
        self._by_head: tuple[list[int], list[int]] | None = None

    def lower(self, token: int) -> str:
        return self._strings[self.lower_ids[token]]

    def lemma(self, token: int) -> str:
        return self._strings[self.lemma_ids[token]]

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        """Where tokens ``start``..``end`` begin and end in the text (``Span.start_char`` and
        ``Span.end_char``, without making the Span)."""
        return self.idx[start], self.idx[end - 1] + self.length[end - 1]

    def text(self, start: int, end: int) -> str:
        """The text of tokens ``start``..``end`` (``doc[start:end].text``)."""
        start_char, end_char = self.char_span(start, end)
        return self._text[start_char:end_char]

    def children(self, token: int) -> list[int]:
        if self._by_head is None:  # every token's, in one sort when first asked for
            order = self._heads.argsort(kind="stable")
            starts = self._heads[order].searchsorted(numpy.arange(len(order) + 1))
            self._by_head = order.tolist(), starts.tolist()
        order, starts = self._by_head
        found = order[starts[token] : starts[token + 1]]
        if self.head[token] == token:  # a root is its own head, not its own child
            found.remove(token)
        return found

    def subtree(self, token: int) -> set[int]:
        found, todo = {token}, [token]
        while todo:
            children = self.children(todo.pop())
            found.update(children)
            todo += children
        return found

    def subjects(self, head: int) -> set[int]:
        """The tokens of ``head``'s subjects, with their modifiers."""
        return {t for c in self.children(head) if self.dep[c] in SUBJECTS for t in self.subtree(c)}

    def root(self, match: Match) -> int:
        """A match's syntactic head: its token whose head lies outside the match."""
        span = (match.start, match.end)
        if span not in self._roots:
            self._roots[span] = next(
                (
                    i
                    for i in range(*span)
                    if not match.start <= self.head[i] < match.end or self.head[i] == i
                ),
                match.start,
            )
        return self._roots[span]

    def is_clause(self, token: int) -> bool:
        dep = self.dep[token]
        return (
            dep in CLAUSES
            or self.head[token] == token
            or (dep == CONJ and self.pos[token] in VERBS)
        )

    def clause_head(self, token: int) -> int:
        """The head of the smallest clause holding ``token`` (xcomp and acl do not close one)."""
        while not self.is_clause(token):
            token = self.head[token]
        return token

    def in_clause(self, token: int, head: int) -> bool:
        """Is ``token`` in ``head``'s clause, not in a clause nested inside it?"""
        while token != head:
            if self.is_clause(token):
                return False
            token = self.head[token]
        return True

    def inherited_subjects(self, head: int) -> set[int]:
        """Tokens naming the implied subject of a subjectless clause: "after partnering with Y,
        X", "X partnered with Y and later sued Z", "X, which sued Y"."""
        dep = self.dep[head]
        if any(self.dep[c] in SUBJECTS for c in self.children(head)) or self.head[head] == head:
            return set()
        if dep == RELCL:
            return {self.head[head]}
        if dep in (CONJ, ADVCL, XCOMP):
            governor = self.head[head]
            return self.subjects(self.clause_head(governor) if dep == CONJ else governor)
        return set()

    def governing_path(self, token: int) -> list[int]:
        """``token`` and its heads up to the verb that governs it (through xcomp chains),
        stopping at a subject or at an agent ("by ..."): where a negation of the cue attaches."""
        path = [token]
        while (
            self.pos[token] not in VERBS
            and self.dep[token] not in SUBJECTS
            and self.dep[token] != AGENT
            and self.head[token] != token
        ):
            token = self.head[token]
            path.append(token)
        while self.dep[token] == XCOMP:
            token = self.head[token]
            path.append(token)
        return path

    def ancestors_and_self(self, token: int) -> set[int]:
        found = {token}
        while self.head[token] not in found:
            token = self.head[token]
            found.add(token)
        return found

    def governors(self, token: int) -> list[int]:
        """The heads that govern ``token`` in its clause: up to the clause head, stopping at a
        coordination or apposition ("collaboration and competition") or a contrast ("despite
        their fight")."""
        head, found = self.clause_head(token), []
        while (
            token != head
            and self.dep[token] not in _COORDINATIONS
            and self.lower(token) not in _CONTRASTS
        ):
            token = self.head[token]
            found.append(token)
        return found

    def _just_before(self, negator: int, root: int) -> bool:
        """The fallback where the parse nests the cue too deep: a negation word on a verb above
        the cue, a few tokens before it, with no punctuation, conjunction or subordinator
        between ("does not consider X a competitor")."""
        return (
            0 < root - negator <= NEGATION_WINDOW
            and self.pos[self.head[negator]] in VERBS
            and self.head[negator] in self.ancestors_and_self(root)
            and not any(
                self.is_punct[t] or self.pos[t] in _CONJUNCTIONS for t in range(negator + 1, root)
            )
        )

    def negated_negator(self, negator: Match, matches: list[Match]) -> bool:
        """Is a terminating or denying word itself negated ("no plans to end the agreement")?"""
        if negator.pattern.kind not in (TERMINATOR, DENIAL):
            return False
        head = self.root(negator)
        path = self.governing_path(head)
        if self.dep[head] in (XCOMP, ACL):
            path = [*path, self.head[head], self.head[self.head[head]]]
        return any(
            self.negates(m.pattern.kind, self.root(m), head, path)
            for m in matches
            if m.pattern.kind == PARTICLE
        )

    def negates(self, kind: str, negator: int, root: int, path: list[int]) -> bool:
        """Does a negator (its root token) apply to the cue rooted at ``root``? A negation word
        must modify the cue's governing path ("no longer" through its adverb); a terminating
        or denying word must govern the cue, or have it as subject ("the partnership ended")."""
        on_path = set(path)
        head = self.head
        if kind in (PARTICLE, CHANGE):
            return (
                negator in on_path
                or head[negator] in on_path
                or (
                    self.dep[head[negator]] in _NEGATION_MODIFIERS
                    and head[head[negator]] in on_path
                )
                or self._just_before(negator, root)
            )
        if kind in (TERMINATOR, DENIAL):
            clause = self.clause_head(root)
            return (
                negator in on_path - {root}
                or (self.dep[path[-1]] in SUBJECTS and head[path[-1]] == negator)
                or (kind == DENIAL and self.dep[clause] == CCOMP and head[clause] == negator)
            )
        return False
