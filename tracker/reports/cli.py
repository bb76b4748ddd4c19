"""Command line: exporting a report, or a period straight from its data."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.files import write_atomically
from tracker.models import Report, ReportingPeriod
from tracker.reports.document import document_for_period, document_for_report
from tracker.reports.exports import ExportUnavailable
from tracker.reports.exports.formats import FORMATS, export_bytes


@click.command("export")
@click.option("--report", "report_id", type=int, help="The report to export (its id).")
@click.option(
    "--period",
    "period_id",
    type=int,
    help="Export a reporting period's action plan and performance summary, with no report.",
)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), required=True, help="File format."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="Where to write the file (replaced if it exists).",
)
@with_appcontext
def export_command(report_id: int | None, period_id: int | None, fmt: str, output: Path) -> None:
    """Write a report (published copy, or a draft as it stands) to a file."""
    if (report_id is None) == (period_id is None):
        raise click.UsageError("Give exactly one of --report ID or --period ID.")
    if report_id is not None:
        report = db.session.get(Report, report_id)
        if report is None:
            raise click.BadParameter(f"there is no report {report_id}", param_hint="--report")
        document = document_for_report(db.session, report)
    else:
        period = db.session.get(ReportingPeriod, period_id)
        if period is None:
            raise click.BadParameter(
                f"there is no reporting period {period_id}", param_hint="--period"
            )
        document = document_for_period(db.session, period)
    try:
        data = export_bytes(db.session, document, fmt)
    except ExportUnavailable as reason:
        raise click.ClickException(str(reason)) from None
    try:
        write_atomically(output, data)
    except OSError as error:
        raise click.ClickException(
            f"could not write {output}: {error.strerror} (any earlier file there is unchanged)"
        ) from None
    click.echo(
        f"Wrote {output} ({len(data):,} bytes): {document['header']['subject']}, "
        f"{document['content']['period']['name']}, {document['status']['label'].lower()}."
    )
