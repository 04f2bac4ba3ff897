"""Rendering text through Jinja2 templates: the repository's own `templates/` first, then the packaged ones.

Record text is only ever passed in as data, never compiled as a template. Templates run in Jinja2's sandbox, so a
repository's own template can format records but cannot reach Python's internals. Markdown templates escape every
value for Markdown (use the `cell` filter in tables and `md` for paragraphs), and a finished Markdown page has its
links to unsafe addresses (javascript:, data:…) turned into text; HTML and XML templates are autoescaped; plain-text
templates (.txt.j2, e.g. the text part of an e-mail) are shown as text and escape nothing but control characters.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.model.dates import format_date
from tracker.model.errors import TrackerError
from tracker.storage.config import Config
from tracker.text import markdown


def template_dirs(config: Config) -> list[Path]:
    """Where templates are looked up, first match wins: the records repository's, then the packaged ones."""
    from tracker.storage.resources import data_dir

    return [config.root / "templates", data_dir("templates")]


def templates_digest(config: Config) -> str:
    """A digest of every template that could be used (names and contents), to key answers rendered through them."""
    import hashlib

    hasher = hashlib.blake2b(digest_size=16)
    for folder in template_dirs(config):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                hasher.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        hasher.update(b"\1")
    return hasher.hexdigest()


def _escape_markdown_value(value: Any) -> Any:
    from markupsafe import Markup

    if value is None:
        return ""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return markdown.inline(value)


def _xml_value(value: Any) -> Any:
    """A value XML 1.0 can carry (autoescaping then escapes its markup): characters it cannot hold are replaced."""
    from tracker.model.textsafety import for_xml

    if isinstance(value, str):
        return type(value)(for_xml(value)) if value else value
    return value


def _text_value(value: Any) -> Any:
    from tracker.model.textsafety import without_controls

    if value is None:
        return ""
    return without_controls(value) if isinstance(value, str) else value


def environment(config: Config, html: bool = False, text: bool = False) -> Any:
    """A sandboxed Jinja2 environment for Markdown (every value escaped for Markdown), HTML/XML (autoescaped) or
    plain text (nothing escaped but control characters)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment
    from markupsafe import Markup

    options: dict[str, Any] = {"autoescape": True, "finalize": _xml_value} if html else {
        "autoescape": False, "finalize": _text_value if text else _escape_markdown_value}
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(config)]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    env.filters["cell"] = lambda text: Markup(markdown.cell(str(text or "")))
    env.filters["md"] = lambda text: Markup(markdown.block(str(text or "")))
    env.filters["link_text"] = lambda text: Markup(markdown.link_text(str(text or "")))
    env.filters["row"] = lambda cells: Markup(markdown.table_row(cells))
    env.filters["rule"] = lambda columns: Markup("| " + " | ".join("---" for _ in columns) + " |")
    env.filters["date"] = lambda value: format_date(value, config.date_style) if value else ""
    env.filters["html"] = lambda text: Markup(markdown.to_html(str(text or "")))
    env.filters["safe_url"] = markdown.safe_url
    return env


def render(config: Config, name: str, context: dict[str, Any]) -> str:
    """The template `name` filled in with context; a broken template is a clear error naming its file and line."""
    return renderer(config, name)(context)


def renderer(config: Config, name: str) -> Callable[[dict[str, Any]], str]:
    """render() for one template, compiled once, to fill in many times (a page for each of thousands of records)."""
    import jinja2

    html = name.endswith((".html.j2", ".xml.j2", ".html", ".xml"))
    plain = name.endswith((".txt.j2", ".txt"))
    try:
        template = environment(config, html=html, text=plain).get_template(name)
    except jinja2.TemplateNotFound:
        looked = ", ".join(str(d) for d in template_dirs(config))
        raise TrackerError(f"no template {name!r} (looked in {looked})") from None
    except jinja2.TemplateSyntaxError as err:
        raise TrackerError.at(err.filename or name, f"template error: {err.message}", err.lineno or 0) from None

    def fill(context: dict[str, Any]) -> str:
        try:
            text = str(template.render(**context))
        except jinja2.UndefinedError as err:
            raise TrackerError(f"template {template.filename}: {err.message}",
                               hint="each template lists the fields it can use in a comment at its top") from None
        except jinja2.TemplateError as err:
            raise TrackerError(f"{template.filename}: template error: {err}") from None
        # A template may put a record's address in a link ("[the report]({{ report.url }})"): once the page is
        # whole, every link to an unsafe address becomes text, whoever wrote it.
        return text if html or plain else markdown.defuse_links(text)

    return fill


def read_template(config: Config, name: str) -> str:
    """A file of templates/ taken as it is, not rendered (a stylesheet, or a template of another program)."""
    for folder in template_dirs(config):
        path = folder / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    looked = ", ".join(str(d) for d in template_dirs(config))
    raise TrackerError(f"no template {name!r} (looked in {looked})")
