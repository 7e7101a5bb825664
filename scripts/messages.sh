#!/usr/bin/env bash
# Rebuild the translation catalogues from the source (needs GNU gettext).
# Translations written in locale/pending/*.po (msgid and Simplified Chinese
# msgstr, one file per piece of work) are merged in, and the files emptied.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
ZH=locale/zh_Hans/LC_MESSAGES/django.po

extract() {
  "$PY" manage.py makemessages -l zh_Hans -l en --no-obsolete \
    --ignore=.venv --ignore=staticfiles --ignore=var --ignore=tests --ignore=bench >/dev/null
  # A guess from a similar message is worse than none: drop fuzzy matches.
  msgattrib --clear-fuzzy --empty -o "$ZH" "$ZH"
}

extract
merged=0
for pending in locale/pending/*.po; do
  [ -s "$pending" ] || continue
  if ! grep -q '^"Content-Type:' "$pending"; then  # entries appended to an emptied file: give it its header
    printf 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' | cat - "$pending" >"$pending.new"
    mv "$pending.new" "$pending"
  fi
  msgcat --use-first -o "$ZH.new" "$ZH" "$pending"
  mv "$ZH.new" "$ZH"
  : >"$pending"
  merged=1
done
[ "$merged" = 1 ] && extract  # drops pending messages the source no longer has
"$PY" manage.py compilemessages --ignore=.venv >/dev/null
untranslated=$(msgattrib --untranslated --no-obsolete "$ZH" | grep -c '^msgid ' || true)
echo "catalogues rebuilt; untranslated Chinese messages: $((untranslated > 0 ? untranslated - 1 : 0))"
