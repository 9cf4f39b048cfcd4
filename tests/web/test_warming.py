"""Work done once before gunicorn forks (neutrality.web.warming): a fresh application compiles no
page template until warm() does, then holds every one of them."""

from __future__ import annotations

from flask_babel import force_locale, get_babel, get_translations

from neutrality.app import create_app
from neutrality.web.warming import page_templates, warm


def test_warming_compiles_every_page_template_and_reads_every_catalogue(database_url, tmp_path) -> None:
    app = create_app({"database_url": database_url, "testing": True, "secret_key": "warming-" * 4,
                      "instance_path": str(tmp_path)})
    try:
        compiled = lambda: {name for _loader, name in app.jinja_env.cache.keys()}  # noqa: E731
        assert "declarations/period.html" not in compiled()
        with app.app_context():
            catalogues = get_babel(app).instance.domain_instance.cache  # (locale, domain) → catalogue
        catalogues.clear()  # shared by every application of the process: emptied to see warm() fill it
        warm(app)
        names = page_templates(app)
        assert "declarations/period.html" in names and "base.html" in names
        assert not any(name.startswith("documents/") for name in names)  # the PDFs' own environment
        assert set(names) <= compiled()
        # every language's catalogue is read, and translates
        assert {locale for locale, _domain in catalogues} == {"en", "zh_Hans", "zh_Hant"}
        with app.test_request_context(), force_locale("zh_Hant"):
            assert get_translations().gettext("Check a PDF") == "核對 PDF"
    finally:
        app.extensions["neutrality.db"].dispose()
