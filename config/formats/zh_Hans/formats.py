"""zh-hans number format overrides (FORMAT_MODULE_PATH): amounts and quantities are shown with
a comma every three digits (``183,600.00``), as in the rest of the UI (core.money.format_wan).
Django's zh_Hans has no thousands separator, so ``floatformat:"2g"`` printed ``183600.00``.
Only the attributes set here are overridden; dates etc. come from Django's zh_Hans."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
