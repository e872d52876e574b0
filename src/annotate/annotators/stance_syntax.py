"""Dependency-parse helpers for stance: clauses, implied subjects, the scope of negations."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from annotate.annotators.stance_cues import CHANGE, DENIAL, PARTICLE, TERMINATOR, Match

SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
# Clause heads: a cue's parties are looked for inside the clause that holds it.
CLAUSES = frozenset({"ROOT", "ccomp", "advcl", "relcl", "parataxis", "csubj"})
VERBS = frozenset({"VERB", "AUX"})
# How many tokens before a cue a negation word still negates it when the parse disagrees.
NEGATION_WINDOW = 6
_COORDINATIONS = frozenset({"conj", "appos"})
_CONTRASTS = frozenset({"despite", "amid", "notwithstanding"})


def is_clause(token: Token) -> bool:
    return (
        token.dep_ in CLAUSES
        or token.head.i == token.i
        or (token.dep_ == "conj" and token.pos_ in VERBS)
    )


def clause_head(token: Token) -> Token:
    """The head of the smallest clause holding ``token`` (xcomp and acl do not close one)."""
    while not is_clause(token):
        token = token.head
    return token


def in_clause(token: Token, head: Token) -> bool:
    """Is ``token`` in ``head``'s clause, not in a clause nested inside it?"""
    while token.i != head.i:
        if is_clause(token):
            return False
        token = token.head
    return True


def inherited_subjects(head: Token) -> list[Token]:
    """Tokens naming the implied subject of a subjectless clause: "after partnering with Y, X",
    "X partnered with Y and later sued Z", "X, which sued Y"."""
    if any(c.dep_ in SUBJECTS for c in head.children) or head.head.i == head.i:
        return []
    if head.dep_ == "relcl":
        return [head.head]
    if head.dep_ in ("conj", "advcl", "xcomp"):
        governor = clause_head(head.head) if head.dep_ == "conj" else head.head
        return [t for c in governor.children if c.dep_ in SUBJECTS for t in c.subtree]
    return []


def governing_path(token: Token) -> list[Token]:
    """``token`` and its heads up to the verb that governs it (through xcomp chains), stopping
    at a subject or at an agent ("by ..."): where a negation of the cue attaches."""
    path = [token]
    while (
        token.pos_ not in VERBS
        and token.dep_ not in SUBJECTS
        and token.dep_ != "agent"
        and token.head.i != token.i
    ):
        token = token.head
        path.append(token)
    while token.dep_ == "xcomp":
        token = token.head
        path.append(token)
    return path


def ancestors_and_self(token: Token) -> set[int]:
    return {token.i, *(a.i for a in token.ancestors)}


def governors(token: Token) -> list[int]:
    """Indices of the heads that govern ``token`` in its clause: up to the clause head, stopping
    at a coordination or apposition ("collaboration and competition") or a contrast ("despite
    their fight")."""
    head, found = clause_head(token), []
    while token.i != head.i and token.dep_ not in _COORDINATIONS and token.lower_ not in _CONTRASTS:
        token = token.head
        found.append(token.i)
    return found


def _just_before(negator: Token, root: Token) -> bool:
    """The fallback where the parse nests the cue too deep: a negation word on a verb above
    the cue, a few tokens before it, with no punctuation, conjunction or subordinator between
    ("does not consider X a competitor")."""
    between = root.doc[negator.i + 1 : root.i]
    return (
        0 < root.i - negator.i <= NEGATION_WINDOW
        and negator.head.pos_ in VERBS
        and negator.head.i in ancestors_and_self(root)
        and not any(t.is_punct or t.pos_ in ("CCONJ", "SCONJ") for t in between)
    )


def negated_negator(parsed: Doc, negator: Match, matches: list[Match]) -> bool:
    """Is a terminating or denying word itself negated ("no plans to end the agreement")?"""
    if negator.pattern.kind not in (TERMINATOR, DENIAL):
        return False
    head = negator.root(parsed)
    path = governing_path(head)
    if head.dep_ in ("xcomp", "acl"):
        path = [*path, head.head, head.head.head]
    return any(
        negates(m.pattern.kind, m.root(parsed), head, path)
        for m in matches
        if m.pattern.kind == PARTICLE
    )


def negates(kind: str, negator: Token, root: Token, path: list[Token]) -> bool:
    """Does a negator (its root token) apply to the cue rooted at ``root``? A negation word
    must modify the cue's governing path ("no longer" through its adverb); a terminating or
    denying word must govern the cue, or have it as subject ("the partnership ended")."""
    on_path = {t.i for t in path}
    if kind in (PARTICLE, CHANGE):
        return (
            negator.i in on_path
            or negator.head.i in on_path
            or (negator.head.dep_ in ("advmod", "neg") and negator.head.head.i in on_path)
            or _just_before(negator, root)
        )
    if kind in (TERMINATOR, DENIAL):
        clause = clause_head(root)
        return (
            negator.i in on_path - {root.i}
            or (path[-1].dep_ in SUBJECTS and path[-1].head.i == negator.i)
            or (kind == DENIAL and clause.dep_ == "ccomp" and clause.head.i == negator.i)
        )
    return False
