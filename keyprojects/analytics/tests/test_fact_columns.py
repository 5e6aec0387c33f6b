"""The refresh action writes fact rows as tuples in ``FACT_COLUMNS`` order: every column of the
model is in it (a column left out would silently get its default on every refresh)."""

from keyprojects.analytics.models import ProjectPeriodFact
from keyprojects.analytics.refresh import FACT_COLUMNS, fact_dict


def test_fact_columns_are_the_model_columns():
    model = {f.attname for f in ProjectPeriodFact._meta.concrete_fields} - {"id", "period_id"}
    assert len(FACT_COLUMNS) == len(set(FACT_COLUMNS))
    assert set(FACT_COLUMNS) == model


def test_fact_dict_names_each_value():
    row = tuple(range(len(FACT_COLUMNS)))
    d = fact_dict(row)
    assert list(d) == list(FACT_COLUMNS) and d["invested_ytd"] == FACT_COLUMNS.index("invested_ytd")
