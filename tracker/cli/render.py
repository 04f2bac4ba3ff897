"""`tracker render` and `tracker site`: the committee's documents and the published site, from the records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from tracker.cli.app import (
    DATE,
    as_of_option,
    force_option,
    forced,
    output_option,
    ref_option,
    root_option,
    session,
    today,
    write_output,
)
from tracker.cli.completion import complete_committees, complete_reports

F = TypeVar("F", bound=Callable[..., Any])


def _source(commit: str | None = None) -> str:
    """The closing line's account of where the records came from: a commit (HEAD's unless given), or uncommitted
    files."""
    from tracker.publish.render import provenance
    from tracker.storage.gitio import commit_of

    s = session()
    if s.ref:
        return provenance(commit_of(s.root, s.ref))
    if commit is None:
        commit = commit_of(s.root)
    if not commit:
        return provenance(commit, dirty=False)
    return provenance(commit, dirty=s.snapshot.uncommitted())


@click.group()
def render() -> None:
    """Render committee papers from the records: Markdown through the templates in templates/, or Word."""


def paper_options(func: F) -> F:
    """--format markdown|docx and --reference-docx, shared by the papers that render to Word."""
    func = click.option("--reference-docx", "reference_docx", type=click.Path(exists=True, dir_okay=False),
                        default=None, metavar="FILE",
                        help="With --format docx: a Word document whose styles and page setup to use "
                             "(default: templates/reference.docx if the repository has one).")(func)
    return click.option("--format", "fmt", type=click.Choice(["markdown", "docx"]), default="markdown",
                        show_default=True, help="markdown, or docx for the agenda pack (needs -o FILE.docx).")(func)


def _binary_target(fmt: str, output: str | None) -> None:
    if fmt == "docx" and output in (None, "-"):
        raise click.UsageError("a Word document is a binary file and is not printed; give -o FILE.docx")


@render.command("actions")
@root_option
@ref_option
@click.option("--committee", required=True, metavar="SLUG", shell_complete=complete_committees,
              help="The committee's slug, e.g. pcc.")
@as_of_option
@click.option("--since", type=DATE, default=None,
              help="The date of the previous list: keep open actions and those closed on or after it.")
@paper_options
@output_option
def render_actions(committee: str, as_of: dt.date | None, since: dt.date | None, fmt: str, reference_docx: str | None,
                   output: str | None) -> None:
    """The Summary List of Actions, as Markdown or Word, ready to table at the committee's next meeting.

    \b
    Examples:
      tracker render actions --committee pcc --as-of 2023-05-24 --since 2023-03-22 -o actions.md
      tracker render actions --committee pcc --since 2023-03-22 --format docx -o actions.docx
    """
    from tracker.storage.gitio import commit_of
    from tracker.text.templating import templates_digest

    _binary_target(fmt, output)
    s = session()
    when = today(as_of)
    if fmt == "docx":
        from tracker.publish import render as core
        from tracker.publish import word

        context = core.actions_context(s.records, s.config, committee, when, since, _source())
        write_output(word.summary_list(context, word.reference_document(s.root, reference_docx)), output)
        return
    # The page depends on the records, the options, the day, the templates and the commit it names (whether the
    # records differ from that commit follows from the records): an unchanged repository gets the page kept.
    commit = None if s.ref else commit_of(s.root)
    question = None if s.ref else repr(("render actions", committee, when.isoformat(), since and since.isoformat(),
                                        commit, s.snapshot.uncommitted(), templates_digest(s.config)))

    def page() -> str:
        from tracker.publish import render as core

        return core.render_actions(s.records, s.config, committee, when, since, _source(commit))

    write_output(s.kept(question, page), output)


@render.command("recommendations")
@root_option
@ref_option
@click.option("--report", required=True, metavar="SLUG", shell_complete=complete_reports, help="The report's slug or ID.")
@as_of_option
@click.option("--template", default="default", show_default=True, metavar="NAME",
              help="default, lewisham (Referral / 2019 Response / Update), or a file name in templates/.")
@paper_options
@output_option
def render_recommendations(report: str, as_of: dt.date | None, template: str, fmt: str, reference_docx: str | None,
                           output: str | None) -> None:
    """A report's recommendations with responses, status and latest update, as Markdown or Word.

    \b
    Examples:
      tracker render recommendations --report probation-services-in-london
      tracker render recommendations --report stop-and-search-and-prevent --template lewisham
      tracker render recommendations --report probation-services-in-london --format docx -o recs.docx
    """
    from tracker.publish import render as core

    _binary_target(fmt, output)
    if fmt == "docx" and template != "default":
        raise click.UsageError("--template chooses a Markdown layout; a Word document takes its styles from "
                               "--reference-docx")
    s = session()
    if fmt == "docx":
        from tracker.publish import word

        context = core.recommendations_context(s.records, s.config, report, today(as_of), _source())
        document = word.recommendations(context, _source(), word.reference_document(s.root, reference_docx))
        write_output(document, output)
        return
    write_output(core.render_recommendations(s.records, s.config, report, today(as_of), template, _source()),
                 output)


@click.command("site")
@root_option
@ref_option
@click.argument("outdir", type=click.Path(file_okay=False))
@as_of_option
@click.option("--site-url", metavar="URL", default=None,
              help="The address the site is published at, for the feeds' links (default: site_url in tracker.yaml).")
@force_option
def site(outdir: str, as_of: dt.date | None, site_url: str | None) -> None:
    """Write the public site (pages, charts, Atom feeds and mkdocs.yml for the Material theme) to OUTDIR.

    OUTDIR may be anywhere (a web root, a CI artifact folder), except inside the records folder or .git.
    Build it with `mkdocs build` inside OUTDIR (pip install 'committee-tracker[site]' installs MkDocs, the theme and
    the charting library).

    \b
    Example:
      tracker site ../www --as-of 2023-05-24 --site-url https://example.org/committees/
      cd ../www && mkdocs build --strict
    """
    from tracker.publish import site as core

    s = session()
    target = site_folder(outdir)
    files = core.site_files(s.records, s.config, today(as_of), _source(), site_url)
    written, removed = core.write_site(s.root, target, files, force=forced())
    gone = f", removed {len(removed)} it no longer has" if removed else ""
    click.echo(f"wrote {len(written)} files to {outdir}{gone}; build it with: cd {outdir} && mkdocs build", err=True)
    if not (site_url or s.config.site_url):
        click.echo("the feeds link to themselves relatively: give --site-url URL (or site_url in tracker.yaml) "
                   "for absolute links and IDs", err=True)


def site_folder(value: str) -> Path:
    """Where the site goes: any folder whose parent exists, except the records folder, .git, or inside them."""
    from tracker.model.errors import TrackerError
    from tracker.storage.config import RECORDS_DIR

    root = session().root
    target = Path(value).expanduser().absolute()
    if not target.parent.is_dir():
        raise TrackerError(f"OUTDIR {value}: the folder {target.parent} does not exist", hint="create it first")
    resolved = target.resolve()
    for kept in ((root / RECORDS_DIR).resolve(), (root / ".git").resolve()):
        if resolved == kept or kept in resolved.parents:
            raise TrackerError(f"OUTDIR {value}: refusing to write the site into {kept}",
                               hint="give a folder outside the records and .git, e.g. tracker site public")
    if resolved.exists() and not resolved.is_dir():
        raise TrackerError(f"OUTDIR {value}: {resolved} is not a folder")
    return resolved
