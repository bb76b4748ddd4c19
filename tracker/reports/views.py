"""Report pages: the performance summary, and composing, publishing and exporting board reports."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms import FieldList
from wtforms.fields.choices import SelectChoice

from tracker.audit import record_event
from tracker.auth.access import deny_and_record, roles, signed_in
from tracker.dashboard.cache import kept, period_data_key
from tracker.dashboard.services import chosen_period
from tracker.extensions import db
from tracker.models import Report, ReportingPeriod, ReportStatus, Role, WordTemplate
from tracker.plans.scope import enter_version, no_periods_yet, plan_scope
from tracker.reports.content import report_content
from tracker.reports.document import (
    GENERATED_BLOCKS,
    document_for_report,
    draft_document,
    draft_outline,
    export_filename,
    live_action_table,
)
from tracker.reports.exports import ExportUnavailable
from tracker.reports.exports.chart import chart_alt_text, chart_data_uri
from tracker.reports.exports.formats import FORMATS, current_word_template, export_bytes
from tracker.reports.forms import (
    MAX_APPENDICES,
    MAX_AUTHORS,
    MAX_CONTACTS,
    MAX_SECTIONS,
    WRITING_HINT,
    ActionForm,
    ConfirmPublishForm,
    NewReportForm,
    ReportForm,
    WithdrawForm,
    WordTemplateForm,
)
from tracker.reports.services import (
    NotADraft,
    NotReadyToPublish,
    SavedMeanwhile,
    can_compose,
    can_read,
    new_draft_from,
    placed_blocks,
    publish,
    publish_gaps,
    publish_problems,
    reports_for,
    save_draft,
    start_draft,
    withdraw,
)
from tracker.widgets import offer_saved_version

bp = Blueprint("reports", __name__)


@bp.record_once
def _share_report_wording(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals.update(
        GENERATED_BLOCKS=GENERATED_BLOCKS,
        rag_chart_data_uri=chart_data_uri,
        rag_chart_alt_text=chart_alt_text,
    )


@bp.route("/plans/<int:plan_id>/reports/performance-summary")
@signed_in
def performance_summary() -> str:
    """The report's generated part for a period, laid out for reading and printing."""
    if (empty := no_periods_yet("Performance summary")) is not None:
        return empty
    period = chosen_period(plan_scope().periods, request.args.get("period"))
    if period is None:
        abort(404)
    return render_template(
        "reports/performance_summary.html", content=report_content(db.session, period)
    )


@bp.route("/plans/<int:plan_id>/reports")
@signed_in
def index() -> str:
    """The plan's board reports, newest first."""
    return render_template(
        "reports/index.html",
        reports=reports_for(db.session, current_user, plan_scope().plan),
        can_compose=can_compose(current_user),
    )


@bp.route("/plans/<int:plan_id>/reports/new", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def new() -> BaseResponse | tuple[str, int]:
    scope = plan_scope()
    version, periods = scope.version, scope.periods
    form = NewReportForm()
    form.period.choices = _period_choices(periods)
    if request.method == "GET":
        chosen = chosen_period(periods, None)
        form.period.data = chosen.id if chosen else None
        form.subject.data = f"{version.plan.name}: action plan update"
    if form.validate_on_submit():
        period = db.session.get(ReportingPeriod, form.period.data)
        assert period is not None  # validate_choice keeps it to this version's periods
        report = start_draft(
            db.session, period=period, subject=form.subject.data, author=current_user
        )
        db.session.commit()
        flash("Draft started. It saves as you type.", "success")
        return redirect(url_for("reports.edit", report_id=report.id), code=303)
    return render_template("reports/new.html", form=form), 422 if form.errors else 200


@bp.route("/reports/<int:report_id>")
@signed_in
def detail(report_id: int) -> str:
    report = _readable_report(report_id)
    return render_template(
        "reports/detail.html",
        report=report,
        formats=FORMATS,
        can_compose=can_compose(current_user),
        withdraw_form=WithdrawForm(),
        button=ActionForm(),
    )


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def edit(report_id: int) -> BaseResponse | tuple[str, int]:
    """The composer. Saving without JavaScript, and the buttons that add a row (a person, a
    section, a contact or an appendix)."""
    report = _report_or_404(report_id)
    if report.report_status is not ReportStatus.DRAFT:
        flash("A published report cannot be changed. Start a new draft from it instead.")
        return redirect(url_for("reports.detail", report_id=report.id), code=303)
    form = _composer_form(report)
    conflict = None
    if form.validate_on_submit():
        try:
            _save(report, form)
            db.session.commit()
        except SavedMeanwhile as caught:
            conflict = caught.report
            offer_saved_version(form, caught.report.version)
        else:
            if form.add_author.data:
                _add_blank_entry(form.authors)
            elif form.add_section.data:
                _add_blank_entry(form.sections)
            elif form.add_contact.data:
                _add_blank_entry(form.contacts)
            elif form.add_appendix.data:
                _add_blank_entry(form.appendices)
            else:
                flash("Draft saved.", "success")
                return redirect(url_for("reports.edit", report_id=report.id), code=303)
            offer_saved_version(form, report.version)
    status = 409 if conflict else (422 if form.errors else 200)
    return _composer_page(form, report, conflict=conflict), status


@bp.route("/reports/<int:report_id>/autosave", methods=["POST"])
@roles(Role.COORDINATOR)
def autosave(report_id: int) -> Response:
    """Saves the composer as it is typed into (htmx): answers with the version to save from
    next and a status line, both swapped into the page out of band.

    After a conflict the page keeps the version it loaded, so every later autosave is refused
    too: nobody's text is overwritten until they reload or choose to save over it.
    """
    report = _report_or_404(report_id)
    form = _composer_form(report)
    problems: list[str] = []
    conflict = None
    status = 200
    if report.report_status is not ReportStatus.DRAFT:
        status, problems = 409, ["This report has been published: it can no longer change."]
    elif not form.validate():
        status = 422
        problems = [message for messages in _flat_errors(form.errors) for message in messages]
    else:
        try:
            _save(report, form)
            db.session.commit()
        except SavedMeanwhile as caught:
            status, conflict = 409, caught.report
    return make_response(
        render_template(
            "reports/_autosave.html",
            report=report,
            problems=problems,
            conflict=conflict,
            version=report.version if status == 200 else form.version.data,
        ),
        status,
    )


@bp.route("/reports/<int:report_id>/publish", methods=["POST"])
@roles(Role.COORDINATOR)
def publish_report(report_id: int) -> BaseResponse | tuple[str, int]:
    """Saves what the composer holds (kept even if publishing is refused), checks the paper
    has what a board paper needs, then asks for confirmation with what is missing listed."""
    report = _report_or_404(report_id)
    form = _composer_form(report)
    conflict = None
    if form.validate_on_submit():
        try:
            _save(report, form)
            db.session.commit()  # what was typed is kept even if publishing is refused
        except SavedMeanwhile as caught:
            conflict = caught.report
            offer_saved_version(form, caught.report.version)
        else:
            if report.report_status is not ReportStatus.DRAFT:
                flash("This report was already published.")
                return redirect(url_for("reports.detail", report_id=report.id), code=303)
            problems = publish_problems(report)
            if not problems:
                return redirect(url_for("reports.confirm_publish", report_id=report.id), code=303)
            _show_problems(form, problems)
            offer_saved_version(form, report.version)
    status = 409 if conflict else 422
    return _composer_page(form, report, conflict=conflict, publishing=True), status


@bp.route("/reports/<int:report_id>/publish/confirm", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
def confirm_publish(report_id: int) -> BaseResponse | tuple[str, int]:
    """What the paper would go with (actions without an update, priorities without context,
    indicators without a value…), and the button that freezes it."""
    report = _report_or_404(report_id)
    if report.report_status is not ReportStatus.DRAFT:
        flash("This report was already published.")
        return redirect(url_for("reports.detail", report_id=report.id), code=303)
    gaps = publish_gaps(report, draft_document(db.session, report))
    form = (
        ConfirmPublishForm(formdata=None, version=report.version)
        if request.method == "GET"
        else ConfirmPublishForm()
    )
    changed = False
    if form.validate_on_submit():
        if gaps and not form.accept_gaps.data:
            form.accept_gaps.errors = [
                "Tick to publish with the gaps listed, or go back and fill them first"
            ]
        elif form.version.data != report.version:
            changed = True  # edited since this page was loaded: check the list again
            offer_saved_version(form, report.version)
        else:
            try:
                publish(db.session, report, current_user)
                if gaps:
                    record_event(
                        db.session,
                        "report_published_with_gaps",
                        entity_type="report",
                        entity_id=report.id,
                        summary="Published with: "
                        + "; ".join(f"{gap.what} ({len(gap.items)})" for gap in gaps),
                    )
                db.session.commit()
            except (NotReadyToPublish, SavedMeanwhile):
                db.session.rollback()
                flash("The draft changed or is no longer ready: check it and publish again.")
                return redirect(url_for("reports.edit", report_id=report.id), code=303)
            flash("Report published. This copy will not change.", "success")
            return redirect(url_for("reports.detail", report_id=report.id), code=303)
    status = 409 if changed else (422 if form.errors else 200)
    return render_template(
        "reports/confirm_publish.html",
        report=report,
        gaps=gaps,
        form=form,
        changed=changed,
        placed=placed_blocks(report),
    ), status


@bp.route("/reports/<int:report_id>/withdraw", methods=["POST"])
@roles(Role.COORDINATOR)
def withdraw_report(report_id: int) -> BaseResponse | tuple[str, int]:
    report = _report_or_404(report_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            withdraw(db.session, report, form.reason.data, current_user)
        except (NotADraft, SavedMeanwhile):
            flash("Only a published report can be withdrawn, and this one no longer is.")
        else:
            db.session.commit()
            flash("Report withdrawn. It is kept, marked as withdrawn.", "success")
        return redirect(url_for("reports.detail", report_id=report.id), code=303)
    return render_template(
        "reports/detail.html",
        report=report,
        formats=FORMATS,
        can_compose=True,
        withdraw_form=form,
        button=ActionForm(),
    ), 422


@bp.route("/reports/<int:report_id>/new-draft", methods=["POST"])
@roles(Role.COORDINATOR)
def new_draft(report_id: int) -> BaseResponse:
    source = _report_or_404(report_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if source.report_status is ReportStatus.DRAFT:
        flash("A draft cannot be copied: edit it, or publish it first.")
        return redirect(url_for("reports.detail", report_id=source.id), code=303)
    draft = new_draft_from(db.session, source, current_user)
    db.session.commit()
    flash(
        "New draft started from the report. Choose its period and bring it up to date.", "success"
    )
    return redirect(url_for("reports.edit", report_id=draft.id), code=303)


@bp.route("/reports/<int:report_id>/print")
@signed_in
def print_view(report_id: int) -> str:
    report = _readable_report(report_id)
    return render_template(
        "reports/document.html",
        document=document_for_report(db.session, report),
        report=report,
        formats=FORMATS,
        for_pdf=False,
    )


@bp.route("/reports/<int:report_id>/download/<fmt>")
@signed_in
def download(report_id: int, fmt: str) -> Response:
    report = _readable_report(report_id)
    export = FORMATS.get(fmt)
    if export is None:
        abort(404)
    if fmt == "csv" and report.snapshot is None:
        document = draft_outline(report)
        data = _live_action_table_csv(report)
    else:
        document = document_for_report(db.session, report)
        try:
            data = export_bytes(db.session, document, fmt)
        except ExportUnavailable as reason:
            return make_response(
                render_template("reports/export_unavailable.html", report=report, reason=reason),
                503,
            )
    response = make_response(data)
    response.headers["Content-Type"] = export.mimetype
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export_filename(document, fmt)}"'
    )
    return response


def _live_action_table_csv(report: Report) -> bytes:
    """A live draft's action table is the roll-up's actions row by row, drawn from nothing
    but the plan's data: so it is kept like the roll-up, per plan stamp, period and day
    (tracker.dashboard.cache), and a working group downloading it before a meeting shares one
    drawing of it until somebody writes. The stamp is read here, before the rows."""
    period = report.period
    key = period_data_key(period.plan_version.plan, period.plan_version, period, "action csv")
    return kept(
        key,
        lambda: export_bytes(db.session, live_action_table(db.session, report), "csv"),
        download=True,
    )


@bp.route("/admin/word-template", methods=["GET", "POST"])
@roles(Role.ADMIN)
def word_template() -> BaseResponse | tuple[str, int]:
    from tracker.reports.exports.word import check_word_template, cleaned_word_template

    form = WordTemplateForm()
    problem = None
    if form.validate_on_submit():
        upload = request.files.get("template")
        data = upload.read() if upload else b""
        if not upload or not upload.filename or not data:
            problem = "Choose a Word document (.docx) to upload"
        else:
            problems = check_word_template(data)
            if problems:
                problem = problems[0]
            else:
                replaced = current_word_template(db.session)
                if replaced is not None:
                    db.session.delete(replaced)
                db.session.add(
                    WordTemplate(
                        filename=upload.filename,
                        content=cleaned_word_template(data),
                        uploaded_by=current_user,
                    )
                )
                db.session.commit()
                flash(
                    f"Word template {upload.filename} uploaded: Word exports now use it.", "success"
                )
                return redirect(url_for("reports.word_template"), code=303)
    return render_template(
        "reports/word_template.html",
        form=form,
        problem=problem,
        template=current_word_template(db.session),
        remove_form=ActionForm(),
    ), 422 if problem else 200


@bp.route("/admin/word-template/remove", methods=["POST"])
@roles(Role.ADMIN)
def remove_word_template() -> BaseResponse:
    if not ActionForm().validate_on_submit():
        abort(400)
    template = current_word_template(db.session)
    if template is not None:
        db.session.delete(template)
        db.session.commit()
        flash("Word template removed: Word exports use the plain default again.", "success")
    return redirect(url_for("reports.word_template"), code=303)


def _report_or_404(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        abort(404)
    enter_version(report.period.plan_version)
    return report


def _readable_report(report_id: int) -> Report:
    report = _report_or_404(report_id)
    if not can_read(current_user, report):
        deny_and_record("report", report.id, "tried to read a draft report")
    return report


def _period_choices(periods: list[ReportingPeriod]) -> list[SelectChoice]:
    newest_first = sorted(periods, key=lambda period: period.start_date, reverse=True)
    return [
        SelectChoice(period.id, f"{period.name} (open)" if period.is_open else period.name)
        for period in newest_first
    ]


def _composer_form(report: Report) -> ReportForm:
    """The composer, loaded from the draft on GET and from what was posted otherwise."""
    if request.method == "GET":
        form = ReportForm(
            data={
                "period": report.period_id,
                "authors": report.authors or [{}],
                "meeting": report.meeting,
                "meeting_date": report.meeting_date,
                "classification": report.classification,
                "subject": report.subject,
                "summary": report.summary,
                "sections": report.sections or [{}],
                "recommendations": report.recommendations,
                "attachments": report.attachments,
                "contacts": report.contact_people or [{}],
                "appendices": report.appendices or [{}],
                "version": report.version,
            }
        )
        _add_blank_entry(form.authors)  # a row ready for another name
    else:
        form = ReportForm()
    form.period.choices = _period_choices(plan_scope().periods)
    return form


def _composer_page(
    form: ReportForm, report: Report, *, conflict: Report | None = None, publishing: bool = False
) -> str:
    return render_template(
        "reports/edit.html",
        form=form,
        report=report,
        conflict=conflict,
        publishing=publishing,
        max_authors=MAX_AUTHORS,
        max_sections=MAX_SECTIONS,
        max_contacts=MAX_CONTACTS,
        max_appendices=MAX_APPENDICES,
        writing_hint=WRITING_HINT,
    )


def _add_blank_entry(entries: FieldList) -> None:
    if len(entries) < (entries.max_entries or 0):
        entries.append_entry()


def _save(report: Report, form: ReportForm) -> None:
    values = form.draft_values()
    period = db.session.get(ReportingPeriod, values.pop("period_id"))
    assert period is not None  # the select only offers this plan version's periods
    save_draft(
        db.session,
        report,
        values,
        period=period,
        loaded_version=form.version.data,
        editor=current_user,
    )


def _show_problems(form: ReportForm, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        if name == "authors-0-name":
            form.authors[0].form.name.errors = [message]
        else:
            form[name].errors = [message]


def _flat_errors(errors: Any) -> list[list[str]]:
    """WTForms errors, nested for subforms, as one list of message lists."""
    if isinstance(errors, dict):
        return [messages for value in errors.values() for messages in _flat_errors(value)]
    if errors and isinstance(errors[0], dict | list):
        return [messages for value in errors for messages in _flat_errors(value)]
    return [list(errors)] if errors else []
