from django.apps import AppConfig


class AttractionConfig(AppConfig):
    name = "keyprojects.attraction"
    label = "attraction"
    verbose_name = "招商引资"
