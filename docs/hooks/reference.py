"""MkDocs hooks for the project's own manual: reference pages generated from the code and the schemas at build time.

A page asks for generated text with a marker on a line of its own:

    <!-- tracker:commands -->        every command's `--help`, walked from the click group in tracker.cli
    <!-- tracker:fields KIND -->     every field of a record kind, from the descriptions in schema/KIND.schema.json
    <!-- tracker:settings -->        every setting of tracker.yaml, from schema/tracker.schema.json
    <!-- tracker:modules -->         every module of the package with the first line of its docstring

so the reference cannot drift from the program. Guide, reference and design pages that are not listed in `nav` are
added to their section, in file-name order, so a new page needs no edit to mkdocs.yml.
"""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path
from typing import Any

MARKER = re.compile(r"^<!-- tracker:(\w+)(?: (\S+))? -->$", re.MULTILINE)
# Sections of the nav that take in pages nobody listed: (nav title, folder under docs/).
OPEN_SECTIONS = {"Guide": "guide", "Reference": "reference", "Design": "design"}


# ---------------------------------------------------------------- hooks


def on_config(config: Any) -> Any:
    """Append to the Guide, Reference and Design sections every page of their folder that nav does not list yet."""
    docs = Path(config["docs_dir"])
    listed = set(_nav_files(config["nav"] or []))
    for section in config["nav"] or []:
        if not isinstance(section, dict):
            continue
        for title, entries in section.items():
            folder = OPEN_SECTIONS.get(title)
            if folder is None or not isinstance(entries, list):
                continue
            for page in sorted((docs / folder).glob("*.md")):
                rel = page.relative_to(docs).as_posix()
                if rel not in listed:
                    entries.append(rel)
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace each marker with the text generated for it."""
    return MARKER.sub(lambda m: _generate(m.group(1), m.group(2), page.file.src_uri), markdown)


def _nav_files(nav: list[Any]) -> list[str]:
    found: list[str] = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            found += _nav_files(value)
        elif isinstance(value, str):
            found.append(value)
    return found


def _generate(what: str, argument: str | None, where: str) -> str:
    if what == "commands":
        return commands()
    if what == "fields" and argument:
        return fields(argument)
    if what == "settings":
        return settings()
    if what == "modules":
        return modules()
    raise ValueError(f"{where}: unknown marker tracker:{what}")


# ---------------------------------------------------------------- commands


def commands() -> str:
    """A section per command, in the order `tracker --help` lists them, each holding click's own help text."""
    import click

    from tracker.cli import main

    out: list[str] = []

    def walk(command: click.Command, ctx: click.Context, depth: int) -> None:
        name = ctx.command_path
        heading = "#" * min(depth + 2, 4)
        out.append(f"{heading} `{name}`\n")
        out.append("```text\n" + command.get_help(ctx).rstrip() + "\n```\n")
        if isinstance(command, click.Group):
            for sub_name in command.list_commands(ctx):
                sub = command.get_command(ctx, sub_name)
                if sub is not None and not sub.hidden:
                    walk(sub, click.Context(sub, info_name=sub_name, parent=ctx, terminal_width=100), depth + 1)

    walk(main, click.Context(main, info_name="tracker", terminal_width=100), 0)
    return "\n".join(out)


# ---------------------------------------------------------------- record fields and settings


def fields(kind: str) -> str:
    """A table of a record kind's fields: name, type, whether required, and the schema's description."""
    schema = _schema(kind)
    rows = _rows(schema, schema, "", set(schema.get("required", [])))
    intro = _cell(schema.get("description", ""))
    return f"{intro}\n\n" + _table(rows) if intro else _table(rows)


def settings() -> str:
    """A table of every tracker.yaml setting, from schema/tracker.schema.json."""
    schema = _schema("tracker")
    return _table(_rows(schema, schema, "", set(schema.get("required", []))))


def _schema(name: str) -> dict[str, Any]:
    from tracker.storage.resources import schema_path

    return json.loads(schema_path(name).read_text(encoding="utf-8"))


Row = tuple[str, str, bool, str]


def _rows(schema: dict[str, Any], root: dict[str, Any], prefix: str, required: set[str]) -> list[Row]:
    rows: list[Row] = []
    for name, prop in schema.get("properties", {}).items():
        rows += _property(f"{prefix}{name}", _resolve(prop, root), root, name in required)
    for pattern, prop in schema.get("patternProperties", {}).items():
        rows.append((f"{prefix}{_pattern_name(pattern)}", _type(prop, root), False, prop.get("description", "")))
    return rows


def _property(path: str, prop: dict[str, Any], root: dict[str, Any], required: bool) -> list[Row]:
    rows: list[Row] = [(path, _type(prop, root), required, prop.get("description", ""))]
    if prop.get("type") == "object" and "properties" in prop:
        rows += _rows(prop, root, f"{path}.", set(prop.get("required", [])))
    elif prop.get("type") == "object" and isinstance(prop.get("additionalProperties"), dict):
        # A mapping keyed by the clerk's own names (committees, statuses, bodies): describe one entry.
        entry = _resolve(prop["additionalProperties"], root)
        key = f"{path}.<{_key_name(path)}>"
        for choice in entry.get("oneOf", [entry]):
            option = _resolve(choice, root)
            if option.get("type") == "object":
                rows += _rows(option, root, f"{key}.", set(option.get("required", [])))
    elif prop.get("type") == "array":
        items = _resolve(prop.get("items", {}), root)
        if items.get("type") == "object":
            if items.get("description"):
                rows.append((f"{path}[]", "mapping", False, items["description"]))
            rows += _rows(items, root, f"{path}[].", set(items.get("required", [])))
    return rows


def _resolve(prop: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = prop.get("$ref", "")
    if ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        return {**target, **{k: v for k, v in prop.items() if k != "$ref"}}
    return prop


def _type(prop: dict[str, Any], root: dict[str, Any]) -> str:
    prop = _resolve(prop, root)
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return " \\| ".join(f"`{value}`" for value in prop["enum"])
    if "oneOf" in prop or "anyOf" in prop:
        options = prop.get("oneOf") or prop.get("anyOf")
        return " or ".join(dict.fromkeys(_type(option, root) for option in options))
    kind = prop.get("type", "any")
    if isinstance(kind, list):  # e.g. a number written 5 or "5a"
        return " or ".join(dict.fromkeys(_type({**prop, "type": one}, root) for one in kind))
    if kind == "string" and "pattern" in prop:
        pattern = prop["pattern"]
        if pattern.startswith("^\\d{4}-\\d{2}-\\d{2}"):
            return "date"
        if pattern.startswith("^\\d{4}("):
            return "date, month or year"
        return "slug" if pattern.startswith("^[a-z0-9]") else "text"
    if kind == "array":
        return f"list of {_type(prop.get('items', {}), root)}"
    return {"string": "text", "integer": "whole number", "boolean": "true or false", "object": "mapping"}.get(kind, str(kind))


def _pattern_name(pattern: str) -> str:
    return "x-…" if pattern == "^x-" else f"`{pattern}`"


def _key_name(path: str) -> str:
    last = path.rsplit(".", 1)[-1]
    return {"committees": "slug", "bodies": "body", "action": "status", "recommendation": "status"}.get(last, "name")


def _table(rows: list[Row]) -> str:
    lines = ["| Field | Type | Required | Description |", "| --- | --- | --- | --- |"]
    for path, kind, required, description in rows:
        lines.append(f"| `{path}` | {kind} | {'yes' if required else ''} | {_cell(description)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text for a Markdown table cell: no tag, and no pipe, may come out of it."""
    return html.escape(text, quote=False).replace("|", "\\|")


# ---------------------------------------------------------------- modules


def modules() -> str:
    """A table per package folder: each module and the first line of its docstring."""
    import tracker

    package = Path(tracker.__file__).resolve().parent
    out: list[str] = []
    folders = sorted({path.parent for path in package.rglob("*.py")}, key=lambda p: (p != package, p.as_posix()))
    for folder in folders:
        rel = folder.relative_to(package.parent).as_posix()
        out.append(f"**`{rel}/`**\n\n| Module | What it holds |\n| --- | --- |")
        for path in sorted(folder.glob("*.py")):
            if path.name == "__main__.py":
                continue
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            first = doc.strip().split("\n\n")[0].replace("\n", " ")
            out.append(f"| `{path.name}` | {_cell(first)} |")
        out.append("")
    return "\n".join(out)
