"""collab_portal/forms.py writes <select> lists in Python: the markup must be Django's own."""

import re

from django import forms
from django.forms.renderers import DjangoTemplates

from collab_portal.forms import Renderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("a&b", "A <b>"), ("2", 'two "quoted"')], initial="2")
    grouped = forms.MultipleChoiceField(choices=[("x", "X"), ("Group <g>", [("y", "Y"), ("z", "Z")])], initial=["z"])
    maybe = forms.NullBooleanField(required=False)
    off = forms.ChoiceField(choices=[(1, "one")], disabled=True, required=False)


def _normal(html: str) -> str:
    return re.sub(r"\n\s*\n", "\n", html)


def test_selects_render_as_django_would():
    form = Sample()
    for name in form.fields:
        form.renderer = Renderer()
        ours = form[name].as_widget()
        form.renderer = DjangoTemplates()
        django = form[name].as_widget()
        assert ours == _normal(django), name


def test_select_escapes_values_labels_and_group_names():
    html = Sample(renderer=Renderer())["grouped"].as_widget() + Sample(renderer=Renderer())["plain"].as_widget()
    assert '<optgroup label="Group &lt;g&gt;">' in html
    assert '<option value="a&amp;b">A &lt;b&gt;</option>' in html
    assert '<option value="2" selected>two &quot;quoted&quot;</option>' in html
    assert '<option value="z" selected>Z</option>' in html


def test_the_portal_uses_it(settings):
    assert settings.FORM_RENDERER == "collab_portal.forms.Renderer"
