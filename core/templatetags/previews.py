"""`{{ name|preview_kind }}`: whether a file of this name opens in the preview page ("pdf",
"image") or is only downloaded ("")."""

from django import template

from core import uploads

register = template.Library()


@register.filter
def preview_kind(name: str) -> str:
    return uploads.preview_kind(name or "")
