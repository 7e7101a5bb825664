"""templates/django/forms/widgets/select.html writes a select's options in its own loop rather than
through Django's per-option template: what it renders must stay Django's markup, byte for byte."""

from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer

from departments.models import Department
from tasks.forms import HoldForm, ReasonForm


class Choices(forms.Form):
    one = forms.ChoiceField(choices=[("", "—"), (1, "<b>Sales & co</b>"), (2, '"Quoted"')], initial=2)
    many = forms.MultipleChoiceField(choices=[(i, f"#{i}") for i in range(5)], initial=[1, 3])
    grouped = forms.ChoiceField(choices=[("North", [(1, "A"), (2, "B")]), ("South", [(3, "C")])], initial=3)
    maybe = forms.NullBooleanField()


def test_the_project_renders_every_kind_of_select_as_django_does():
    ours, django = get_default_renderer(), DjangoTemplates()
    form = Choices()
    for name, field in form.fields.items():
        attrs = {"id": f"id_{name}", "class": "form-select", "required": True, "data-off": False}
        value = form[name].value()
        rendered = field.widget.render(name, value, attrs=attrs, renderer=ours)
        assert rendered == field.widget.render(name, value, attrs=attrs, renderer=django), name
        assert "<option" in rendered


def test_a_request_pages_select_is_djangos_markup(db, org):
    """A select the request page shows (a hold's reason and the department it waits on)."""
    from tasks.models import Task

    task = Task(target_department=Department.objects.get(pk=org.sales.pk))
    form = HoldForm(task=task, auto_id="id_hold_%s")
    for name in ("reason", "waiting_on"):
        field = form[name]
        widget = field.field.widget
        ours = widget.render(
            field.html_name, field.value(), attrs={"id": field.auto_id}, renderer=get_default_renderer()
        )
        assert ours == widget.render(
            field.html_name, field.value(), attrs={"id": field.auto_id}, renderer=DjangoTemplates()
        )
        assert 'id="id_hold_' in ours
    assert 'value="' + str(org.hr.pk) + '"' in str(form["waiting_on"])
    assert ReasonForm()["reason"].as_widget().count("<option") > 1


def test_a_widget_with_its_own_option_template_still_gets_it(tmp_path, settings):
    (tmp_path / "own_option.html").write_text('<option value="{{ widget.value }}">*{{ widget.label }}</option>\n')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]

    class Starred(forms.Select):
        option_template_name = "own_option.html"

    rendered = Starred(choices=[(1, "One")]).render("x", 1, renderer=get_default_renderer())
    assert '<option value="1">*One</option>' in rendered
