from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data and its command, ``manage.py demo``. No models. It sits on top of the domain apps:
    it may import every one of them, and none imports it."""

    name = "demo"
    verbose_name = "Demo"  # no models, so the admin never shows it
