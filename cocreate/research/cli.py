"""``flask export …``: research exports written to a file.

The same code path as the download buttons (:mod:`cocreate.research.exports.service`),
audited the same way (an ``Export`` row without a person, and an audit entry).
Bad input — an unknown or ambiguous name, a format that does not fit, a missing
folder — exits with status 1 (2 for a malformed command) and writes nothing.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from cocreate.research.exports.service import FORMATS

export_cli = AppGroup("export", help="Write research exports to a file (pseudonymous, audited).")

_OUTPUT = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
                       help="The file to write (replaced when it exists).")


def _run(target_type: str, reference: str, fmt: str, output: str) -> None:
    from cocreate.core.errors import DomainError
    from cocreate.extensions import db
    from cocreate.research.exports.service import export_to_path

    try:
        export = export_to_path(target_type, reference, fmt, output)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    click.echo(f"{output}: {export.row_count} rows, sha256 {export.sha256}")


@export_cli.command("responses")
@click.option("--survey", "reference", required=True, metavar="SLUG_OR_ID",
              help="Survey id, short name, or MUNICIPALITY/LAB/SLUG.")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS["survey"]))
@_OUTPUT
@with_appcontext
def export_responses(reference: str, fmt: str, output: str) -> None:
    """One survey's responses (wide or long), or its codebook."""
    _run("survey", reference, fmt, output)


@export_cli.command("pooled")
@click.option("--template", "reference", required=True, metavar="SLUG_OR_ID",
              help="Survey template id or short name.")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS["template"]))
@_OUTPUT
@with_appcontext
def export_pooled(reference: str, fmt: str, output: str) -> None:
    """All surveys made from one template, in every town, with a municipality column."""
    _run("template", reference, fmt, output)


@export_cli.command("comments")
@click.option("--plan", "reference", required=True, metavar="SLUG_OR_ID",
              help="Plan id, short name, or MUNICIPALITY/LAB/SLUG.")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS["plan"]))
@_OUTPUT
@with_appcontext
def export_comments(reference: str, fmt: str, output: str) -> None:
    """A plan's comments by people who agreed to research use."""
    _run("plan", reference, fmt, output)


@export_cli.command("qdpx")
@click.option("--lab", "reference", required=True, metavar="SLUG_OR_ID",
              help="Lab id, short name, or MUNICIPALITY/LAB.")
@click.option("--format", "fmt", default="qdpx", show_default=True, type=click.Choice(FORMATS["lab"]))
@_OUTPUT
@with_appcontext
def export_qdpx(reference: str, fmt: str, output: str) -> None:
    """A lab's texts and codings as a REFI-QDA project, or its coded segments as CSV."""
    _run("lab", reference, fmt, output)
