"""The mail the scheme implies, from templates the body can edit (Jinja2).

The shipped templates are in ``activities/mail_templates/``; a file of the same name in the directory
``CERTFLOW_MAIL_TEMPLATES_DIR`` wins, so the body rewords a notice without touching the code. Each
template sets its ``subject`` (``{% set subject %}…{% endset %}``) and renders the body. A template
that asks for a value the process did not give fails loudly (StrictUndefined), never sends a blank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

SHIPPED = Path(__file__).resolve().parent / "mail_templates"


class TemplateMissing(LookupError):
    pass


class MailTemplates:
    def __init__(self, override_dir: Path | None = None, body_name: str = "认证机构") -> None:
        loaders = [FileSystemLoader(str(override_dir))] if override_dir else []
        loaders.append(FileSystemLoader(str(SHIPPED)))
        self.env = Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined, autoescape=False,
                               keep_trailing_newline=True)
        self.body_name = body_name

    def render(self, name: str, params: dict[str, Any]) -> tuple[str, str]:
        """(subject, body) of template ``name`` with ``params``."""
        try:
            template = self.env.get_template(f"{name}.txt.j2")
        except TemplateNotFound:
            raise TemplateMissing(f"there is no mail template {name!r}") from None
        context = {"body_name": self.body_name, "organization": "", **params}
        # The template's exported variables are attributes of its module, which jinja2's types cannot know.
        subject = str(template.make_module(context).subject).strip()  # type: ignore[attr-defined]
        return subject, template.render(context).strip() + "\n"
