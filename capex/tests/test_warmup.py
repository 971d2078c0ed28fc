"""
The gunicorn master warms up before forking workers (config.warmup): it must load the views and
templates that the first requests use, and must not touch the database, whose connections would
be shared by every forked worker.
"""

from config.warmup import _template_names, warm


def test_warming_up_loads_views_and_templates_without_touching_the_database():
    # No django_db mark: any database access here raises.
    loaded = warm()

    assert loaded["templates"] == len(_template_names())
    assert {"base.html", "capex/home.html", "companies/company_detail.html"} <= set(_template_names())
    assert loaded["url_patterns"] > 0
