"""The kinds of notice a person can choose e-mail for, filled by the apps that send them.

This app knows no other app's events. Each app registers, in its AppConfig.ready(), the choices
it adds to the notification settings page (`register`): the stored value, its label, where it
stands on the page (`order`), the event kinds it governs (`events`) and the areas whose
"<area>.<event>" kinds it governs (`areas`). Stored values are what preferences and robots keep,
so they never change once registered.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    value: str
    label: object  # a lazy translation
    order: int
    email_by_default: bool = False
    robots_by_default: bool = False
    events: frozenset[str] = field(default_factory=frozenset)
    areas: frozenset[str] = field(default_factory=frozenset)


# Filled once at start-up by AppConfig.ready() (the same in every process), read afterwards.
_KINDS: dict[str, Kind] = {}
_EVENTS: dict[str, str] = {}
_AREAS: dict[str, str] = {}


def register(
    value: str,
    label,
    *,
    order: int,
    events=(),
    areas=(),
    email_by_default: bool = False,
    robots_by_default: bool = False,
) -> None:
    """Add a choice to the settings page. `events` are the notice kinds it governs besides `value`
    itself; `areas` the prefixes of "<area>.<event>" kinds it governs. Registering the same value
    again with the same events is harmless (tests reload apps); a clash is a programming error."""
    kind = Kind(value, label, order, email_by_default, robots_by_default, frozenset(events), frozenset(areas))
    known = _KINDS.get(value)
    if known is not None and (known.events, known.areas, known.order) != (kind.events, kind.areas, kind.order):
        raise ValueError(f"notification kind {value!r} is already registered differently")
    for event in kind.events:
        if _EVENTS.get(event, value) != value:
            raise ValueError(f"event {event!r} already belongs to {_EVENTS[event]!r}")
    for area in kind.areas:
        if _AREAS.get(area, value) != value:
            raise ValueError(f"area {area!r} already belongs to {_AREAS[area]!r}")
    _KINDS[value] = kind
    _EVENTS.update(dict.fromkeys(kind.events, value))
    _AREAS.update(dict.fromkeys(kind.areas, value))


def registered() -> list[Kind]:
    """Every registered choice, in page order."""
    return sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.value))


def choices() -> list[tuple[str, object]]:
    """(value, label) for the settings page's e-mail choices, in page order."""
    return [(kind.value, kind.label) for kind in registered()]


def group(kind: str) -> str:
    """The choice that governs the notice kind `kind` (a choice governs itself)."""
    if kind in _KINDS:
        return kind
    if kind in _EVENTS:
        return _EVENTS[kind]
    return _AREAS.get(kind.split(".", 1)[0], kind)


def email_by_default() -> list[str]:
    """What a person who never saved their settings hears of by e-mail."""
    return [kind.value for kind in registered() if kind.email_by_default]


def robots_by_default() -> list[str]:
    """What a department's IM robot posts when it names no kinds."""
    return [kind.value for kind in registered() if kind.robots_by_default]
