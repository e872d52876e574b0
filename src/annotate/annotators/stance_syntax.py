"""Dependency-parse helpers for stance: clauses, the path a modifier must attach to, targets."""

from __future__ import annotations

from spacy.tokens import Token

SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
# Clause heads: a cue's parties are looked for inside the clause that holds it.
CLAUSES = frozenset({"ROOT", "ccomp", "advcl", "relcl", "parataxis", "csubj"})
VERBS = frozenset({"VERB", "AUX"})


def is_clause(token: Token) -> bool:
    return (token.dep_ in CLAUSES or token.head is token
            or (token.dep_ == "conj" and token.pos_ in VERBS))


def clause_head(token: Token) -> Token:
    """The head of the smallest clause holding ``token`` (xcomp and acl do not close one)."""
    while not is_clause(token):
        token = token.head
    return token


def in_clause(token: Token, head: Token) -> bool:
    """Is ``token`` in ``head``'s clause, not in a clause nested inside it?"""
    while token is not head:
        if is_clause(token):
            return False
        token = token.head
    return True


def inherited_subjects(head: Token) -> list[Token]:
    """Tokens naming the implied subject of a subjectless clause: "after partnering with Y, X",
    "X partnered with Y and later sued Z", "X, which sued Y"."""
    if any(c.dep_ in SUBJECTS for c in head.children) or head.head is head:
        return []
    if head.dep_ == "relcl":
        return list(head.head.subtree)
    if head.dep_ in ("conj", "advcl", "xcomp"):
        governor = clause_head(head.head) if head.dep_ == "conj" else head.head
        return [t for c in governor.children if c.dep_ in SUBJECTS for t in c.subtree]
    return []


def governing_path(token: Token) -> list[Token]:
    """``token`` and its heads up to the verb that governs it (through xcomp chains), stopping
    at a subject or at an agent ("by ..."): where a negation of the cue attaches."""
    path = [token]
    while (token.pos_ not in VERBS and token.dep_ not in SUBJECTS and token.dep_ != "agent"
           and token.head is not token):
        token = token.head
        path.append(token)
    while token.dep_ == "xcomp":
        token = token.head
        path.append(token)
    return path


def ancestors_and_self(token: Token) -> set[int]:
    return {token.i, *(a.i for a in token.ancestors)}
