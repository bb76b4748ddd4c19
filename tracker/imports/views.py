"""Importing an action plan in the browser: upload, preview with every problem, confirm."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from sqlalchemy import delete
from werkzeug.wrappers import Response
from wtforms import SubmitField

from tracker.auth.access import roles
from tracker.extensions import db
from tracker.imports.reader import MAX_ROWS
from tracker.imports.services import apply_import, preview_import
from tracker.imports.template import GUIDANCE, template_csv, template_workbook
from tracker.models import PendingImport, PlanVersion, Role, utcnow
from tracker.plans.scope import enter_version, plan_scope

bp = Blueprint("imports", __name__)

IMPORTERS = (Role.ADMIN, Role.COORDINATOR)
# An upload not confirmed within a day is dropped when the next one arrives.
PENDING_LIFETIME = timedelta(days=1)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(FlaskForm):
    # The file is read from request.files and checked by the importer itself.
    submit = SubmitField("Upload and preview", widget=GovSubmitInput())


class ConfirmImportForm(FlaskForm):
    submit = SubmitField("Import", widget=GovSubmitInput())


@bp.route("/plans/<int:plan_id>/import", methods=["GET", "POST"])
@roles(*IMPORTERS)
def upload() -> Response:
    """Choose a file; after uploading, the preview of exactly what it would create."""
    version = plan_scope().version
    form = UploadForm()
    problem = None
    if form.validate_on_submit():
        upload = request.files.get("spreadsheet")
        content = upload.read() if upload else b""
        if not upload or not upload.filename or not content:
            problem = "Choose a spreadsheet (.xlsx or .csv) to upload"
        else:
            preview = preview_import(
                db.session, version, upload.filename, content, author=current_user
            )
            pending = None
            if preview.can_import:
                db.session.execute(
                    delete(PendingImport).where(
                        PendingImport.uploaded_at < utcnow() - PENDING_LIFETIME
                    )
                )
                pending = PendingImport(
                    plan_version_id=version.id,
                    uploaded_by_id=current_user.id,
                    filename=upload.filename[:255],
                    content=content,
                )
                db.session.add(pending)
                db.session.commit()
            return make_response(
                render_template(
                    "imports/preview.html",
                    preview=preview,
                    pending=pending,
                    confirm_form=ConfirmImportForm(),
                ),
                200 if preview.can_import or not preview.problems else 422,
            )
    return make_response(
        render_template(
            "imports/upload.html",
            form=form,
            problem=problem,
            guidance=GUIDANCE,
            max_rows=MAX_ROWS,
        ),
        422 if problem else 200,
    )


def _pending(pending_id: int) -> PendingImport:
    """An upload of this person's, for a plan version they are now looking at."""
    pending = db.session.get(PendingImport, pending_id)
    if pending is None or pending.uploaded_by_id != current_user.id:
        abort(404)
    version = db.session.get(PlanVersion, pending.plan_version_id)
    assert version is not None
    enter_version(version)
    return pending


@bp.route("/imports/<int:pending_id>/confirm", methods=["POST"])
@roles(*IMPORTERS)
def confirm(pending_id: int) -> Response:
    """Create everything the preview listed, in one transaction."""
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    pending = _pending(pending_id)
    version = plan_scope().version
    # Read again: the plan may have changed since the preview (someone added an action).
    preview = preview_import(
        db.session, version, pending.filename, pending.content, author=current_user
    )
    if not preview.can_import:
        return make_response(
            render_template(
                "imports/preview.html", preview=preview, pending=None, confirm_form=None
            ),
            422 if preview.problems else 200,
        )
    result = apply_import(db.session, version, preview, author=current_user)
    db.session.delete(pending)
    db.session.commit()
    matched = (
        f" {result.matched} rows matched actions already in the plan." if result.matched else ""
    )
    flash(
        f"Imported {result.actions} actions ({result.updates} with progress), "
        f"{result.priorities} new priorities, {result.themes} new themes and "
        f"{result.organisations} new organisations.{matched}",
        "success",
    )
    return redirect(url_for("plans.overview"), code=303)


@bp.route("/imports/<int:pending_id>/cancel", methods=["POST"])
@roles(*IMPORTERS)
def cancel(pending_id: int) -> Response:
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    pending = _pending(pending_id)
    db.session.delete(pending)
    db.session.commit()
    flash("Import cancelled: nothing was added.", "info")
    return redirect(url_for("imports.upload"), code=303)


@bp.route("/plans/<int:plan_id>/import/template/<fmt>")
@roles(*IMPORTERS)
def template(fmt: str) -> Response:
    """The template to fill in, as a workbook (xlsx) or a CSV header row (csv)."""
    if fmt not in {"xlsx", "csv"}:
        abort(404)
    body, mimetype = (
        (template_workbook(), XLSX_TYPE) if fmt == "xlsx" else (template_csv(), "text/csv")
    )
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="action-plan-template.{fmt}"'
    return response
