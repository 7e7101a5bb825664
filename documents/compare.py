"""留痕: what changed between two versions of a document, line by line, with the changed words
marked inside a changed line."""

import difflib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from documents.models import Document


@dataclass
class Piece:
    """A run of a line's text; `marked` when it is what changed (shown as <del> or <ins>)."""

    text: str
    marked: bool = False


@dataclass
class Line:
    kind: str  # "same", "added", "removed", "changed"
    old: list[Piece]
    new: list[Piece]


def _whole(text: str) -> list[Piece]:
    return [Piece(text)] if text else []


@dataclass
class Comparison:
    a: int
    b: int
    fields: list[tuple[str, str, str]]  # label, old, new — only those that differ
    lines: list[Line]

    @property
    def changed(self) -> bool:
        return bool(self.fields) or any(line.kind != "same" for line in self.lines)


def _inline(old: str, new: str) -> tuple[list[Piece], list[Piece]]:
    """Both sides of a changed line, the changed characters marked (Chinese has no spaces)."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    left: list[Piece] = []
    right: list[Piece] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(Piece(old[i1:i2]))
            right.append(Piece(new[j1:j2]))
            continue
        if i2 > i1:
            left.append(Piece(old[i1:i2], marked=True))
        if j2 > j1:
            right.append(Piece(new[j1:j2], marked=True))
    return left, right


def compare_versions(document: Document, a: int, b: int) -> Comparison:
    versions = {v.number: v for v in document.versions.filter(number__in=[a, b])}
    old, new = versions.get(a), versions.get(b)
    if old is None or new is None:
        return Comparison(a, b, [], [])
    fields = [
        (label, getattr(old, name), getattr(new, name))
        for name, label in (("title", _("Title")), ("recipients", _("Main recipients")), ("cc", _("CC")))
        if getattr(old, name) != getattr(new, name)
    ]
    old_lines, new_lines = old.body.splitlines(), new.body.splitlines()
    lines: list[Line] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines.extend(Line("same", _whole(x), _whole(x)) for x in old_lines[i1:i2])
        else:  # replace, delete or insert: lines paired as changed, the rest removed or added
            pairs = list(zip(old_lines[i1:i2], new_lines[j1:j2], strict=False))
            lines.extend(Line("changed", *_inline(x, y)) for x, y in pairs)
            lines.extend(Line("removed", _whole(x), []) for x in old_lines[i1 + len(pairs) : i2])
            lines.extend(Line("added", [], _whole(y)) for y in new_lines[j1 + len(pairs) : j2])
    return Comparison(a, b, fields, lines)
