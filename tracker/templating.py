"""Rendering text through Jinja2 templates: the repository's own `templates/` first, then the packaged ones.

Record text is only ever passed in as data; it is never compiled as a template.
"""

from __future__ import annotations

from typing import Any

from tracker.config import Config
from tracker.errors import TrackerError
from tracker.resources import data_dir


def environment(config: Config) -> Any:
    """A sandboxed Jinja2 environment: a repository's templates can format records but not reach the system."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(str(config.root / "templates")),
        jinja2.FileSystemLoader(str(data_dir("templates"))),
    ])
    return SandboxedEnvironment(loader=loader, autoescape=False, undefined=jinja2.StrictUndefined,
                                trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render(config: Config, name: str, context: dict[str, Any]) -> str:
    """The template `name` filled in with context; a broken template is a clear error naming its file and line."""
    import jinja2

    env = environment(config)
    try:
        template = env.get_template(name)
    except jinja2.TemplateNotFound:
        raise TrackerError(f"template {name} not found in {config.root / 'templates'} or the packaged templates") from None
    except jinja2.TemplateSyntaxError as err:
        raise TrackerError.at(err.filename or name, f"template error: {err.message}", err.lineno) from None
    try:
        return str(template.render(**context))
    except jinja2.TemplateError as err:
        raise TrackerError(f"{template.filename}: template error: {err}") from None
