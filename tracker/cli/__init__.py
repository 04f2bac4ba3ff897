"""The `tracker` command line: the main group and shared options (app.py), one module per command group, and
terminal helpers. Only click is imported at start-up; every command imports the core modules it needs."""

from tracker.cli import chase, exchange, render, workflow
from tracker.cli.app import main

for command in (
    chase.slippage, chase.remind, chase.calendar,
    exchange.export_command, exchange.import_group, exchange.edit_command, exchange.stats_command,
    render.render, render.site,
    workflow.update, workflow.note, workflow.followup, workflow.reschedule, workflow.respond, workflow.history,
    workflow.changes,
):
    main.add_command(command)

__all__ = ["main"]
