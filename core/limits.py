"""How long free text typed into the portal may be, so no field takes a megabyte.

Models set these as ``max_length`` on their TextFields (Django then gives the form field the same
limit and a translated message; the database column is unchanged), and plain forms that feed those
fields use the same names. Generous where long text is legitimate: a document's body is a whole
official document.
"""

SHORT_TEXT = 2_000  # a reason, an opinion, a note
MEDIUM_TEXT = 5_000  # a position, a proposal, a decision, a comment, a list of choices
LONG_TEXT = 10_000  # a description, a goal, an agenda, minutes, a summary, a service guide
DOCUMENT_BODY = 100_000  # the body of an official document


def too_long(text: str, limit: int) -> str | None:
    """The message refusing text over the limit, or None when it fits; for text that comes without a form."""
    if len(text) <= limit:
        return None
    from django.utils.translation import gettext as _

    return _("The text is too long: at most %(limit)s characters (it has %(length)s).") % {
        "limit": limit,
        "length": len(text),
    }
