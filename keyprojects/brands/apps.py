from django.apps import AppConfig


class BrandsConfig(AppConfig):
    name = "keyprojects.brands"
    label = "brands"
    verbose_name = "“泉城好品”品牌遴选"
