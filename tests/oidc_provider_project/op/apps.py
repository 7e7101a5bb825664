from django.apps import AppConfig


class OpConfig(AppConfig):
    name = "tests.oidc_provider_project.op"
    label = "op"
