"""`tracker render` and `tracker site`: the committee's documents and the published site, from the records."""

from __future__ import annotations

import datetime as dt

import click

from tracker.cli.app import DATE, as_of_option, inside_repository, output_option, ref_option, root_option, session, today, write_output


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
    """Render committee papers from the records through the templates in templates/."""


@render.command("actions")
@root_option
@ref_option
@click.option("--committee", required=True, metavar="SLUG", help="The committee's slug, e.g. pcc.")
@as_of_option
@click.option("--since", type=DATE, default=None,
              help="The date of the previous list: keep open actions and those closed on or after it.")
@output_option
def render_actions(committee: str, as_of: dt.date | None, since: dt.date | None, output: str | None) -> None:
    """The Summary List of Actions, as Markdown, ready to table at the committee's next meeting.

    \b
    Example:
      tracker render actions --committee pcc --as-of 2023-05-24 --since 2023-03-22 -o actions.md
    """
    from tracker.storage.gitio import commit_of
    from tracker.text.templating import templates_digest

    s = session()
    when = today(as_of)
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
@click.option("--report", required=True, metavar="SLUG", help="The report's slug or ID.")
@as_of_option
@click.option("--template", default="default", show_default=True, metavar="NAME",
              help="default, lewisham (Referral / 2019 Response / Update), or a file name in templates/.")
@output_option
def render_recommendations(report: str, as_of: dt.date | None, template: str, output: str | None) -> None:
    """A report's recommendations with responses, status and latest update, as Markdown.

    \b
    Examples:
      tracker render recommendations --report probation-services-in-london
      tracker render recommendations --report stop-and-search-and-prevent --template lewisham
    """
    from tracker.publish import render as core

    s = session()
    write_output(core.render_recommendations(s.records, s.config, report, today(as_of), template), output)


@click.command("site")
@root_option
@ref_option
@click.argument("outdir", type=click.Path(file_okay=False))
@as_of_option
def site(outdir: str, as_of: dt.date | None) -> None:
    """Write the public site (Markdown pages, mkdocs.yml and an Atom feed) to OUTDIR.

    Build it with `mkdocs build` inside OUTDIR, or publish it with `mkdocs gh-deploy`.

    \b
    Example:
      tracker site public --as-of 2023-05-24 && (cd public && mkdocs build --strict)
    """

    from tracker.publish import site as core

    s = session()
    files = core.site_files(s.records, s.config, today(as_of), _source())
    root, rel = inside_repository(outdir, "OUTDIR")
    written = core.write_site(root / rel, files)
    click.echo(f"wrote {len(written)} files to {outdir}; build it with: cd {outdir} && mkdocs build", err=True)
