"""Form labels read as labels in English: first letter capital, as Django gives the labels it
makes from a model's verbose_name (which are lower-case by convention)."""

import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

APPS = ["confighistory", "conflicts", "departments", "documents", "handover", "imports", "reports", "tasks", "teams"]


def declared_labels():
    for app in APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                for field_name, field in form.base_fields.items():
                    if field.label:
                        yield f"{app}.{name}.{field_name}", field.label


@pytest.mark.parametrize("where, label", list(declared_labels()))
def test_labels_start_with_a_capital_in_english(where, label):
    with translation.override("en"):
        text = str(label)
    assert text[:1] == text[:1].upper(), (where, text)
