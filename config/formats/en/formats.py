"""en date format overrides (FORMAT_MODULE_PATH): a day is shown as ``2026-03-15`` and a time
as ``2026-03-15 14:30`` in the English UI, as the templates' ``|date:"Y-m-d"`` show them, not
Django's "March 15, 2026". A month is ``Mar 2026`` (core.money.format_period). The Chinese UI
keeps Django's zh_Hans formats."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
