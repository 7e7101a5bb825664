"""Every message has a Simplified Chinese translation, and the committed .mo
files match the .po catalogues (so a machine without gettext serves them)."""

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def parse_po(path: Path) -> dict[tuple[str, str], str]:
    """(msgctxt, msgid) → msgstr for the active (non-obsolete) entries of a .po file."""
    entries: dict[tuple[str, str], str] = {}
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        current, parts = None, {"msgctxt": [], "msgid": [], "msgstr": []}
        for line in lines:
            match = re.match(r'^(msgid|msgstr|msgctxt|msgid_plural|msgstr\[\d+\])\s+"(.*)"$', line)
            if match:
                current = match.group(1) if match.group(1) in parts else None
                if current:
                    parts[current].append(match.group(2))
            elif line.startswith('"') and current:
                parts[current].append(line[1:-1])
        msgctxt, msgid, msgstr = (
            "".join(parts[key]).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            for key in ("msgctxt", "msgid", "msgstr")
        )
        if msgid:
            entries[(msgctxt, msgid)] = msgstr
    return entries


def test_every_message_is_translated_to_chinese():
    entries = parse_po(PO)
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert not untranslated
    assert "#, fuzzy\nmsgid" not in PO.read_text(encoding="utf-8")


def test_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for (context, msgid), msgstr in parse_po(PO).items()
        if (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert not stale, f"run `make messages`: {stale[:5]}"


def test_placeholders_survive_translation():
    for (_context, msgid), msgstr in parse_po(PO).items():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid
