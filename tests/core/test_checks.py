from django.core import checks
from django.db import models

from spona.core.checks import personal_data_declared


def test_every_spona_model_declares_its_personal_data():
    assert personal_data_declared() == []


def test_an_undeclared_model_is_reported(settings):
    # given a model in a Spona module that forgot its declaration
    class Undeclared(models.Model):
        nickname = models.CharField(max_length=20)

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.nickname

    Undeclared.__module__ = "spona.core.models.example"
    try:
        # when the check runs, then it names the model
        found = [m for m in personal_data_declared() if isinstance(m, checks.Error)]
        assert any("Undeclared" in m.msg and m.id == "spona.P001" for m in found)
    finally:
        from django.apps import apps

        del apps.all_models["core"]["undeclared"]
        apps.clear_cache()
