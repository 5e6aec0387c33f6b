from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "keyprojects.partnership"
    label = "partnership"
    verbose_name = "政企合作与一企一策"
