from django.urls import path

from .views import csv_io, interviews, pool, portfolio, referee, references, scorecard

app_name = "freelancers"

urlpatterns = [
    path("", pool.freelancer_list, name="list"),
    path("new/", pool.freelancer_create, name="create"),
    path("board/", pool.pipeline_board, name="board"),
    path("bench/", pool.bench_view, name="bench"),
    path("criteria/", interviews.criteria_edit, name="criteria"),
    path("export.csv", csv_io.freelancer_export, name="export"),
    path("import/", csv_io.import_upload, name="import_upload"),
    path("import/<int:pk>/", csv_io.import_detail, name="import"),
    path("import/<int:pk>/progress/", csv_io.import_progress, name="import_progress"),
    path("import/<int:pk>/confirm/", csv_io.import_confirm, name="import_confirm"),
    path("<int:pk>/", pool.freelancer_detail, name="detail"),
    path("<int:pk>/edit/", pool.freelancer_edit, name="edit"),
    path("<int:pk>/move/", pool.pipeline_move, name="move"),
    path("<int:pk>/do-not-hire/", pool.do_not_hire, name="do_not_hire"),
    path("<int:pk>/samples/new/", portfolio.sample_add, name="sample_add"),
    path("<int:pk>/testimonials/new/", portfolio.testimonial_add, name="testimonial_add"),
    path("<int:pk>/references/new/", references.reference_add, name="reference_add"),
    path("<int:pk>/interviews/new/", interviews.interview_add, name="interview_add"),
    path("<int:pk>/scorecard/", scorecard.scorecard, name="scorecard"),
    path("samples/<int:pk>/download/", portfolio.sample_download, name="sample_download"),
    path("samples/<int:pk>/delete/", portfolio.sample_delete, name="sample_delete"),
    path("testimonials/<int:pk>/delete/", portfolio.testimonial_delete, name="testimonial_delete"),
    path("references/<int:pk>/request/", references.reference_request, name="reference_request"),
    path("references/<int:pk>/delete/", references.reference_delete, name="reference_delete"),
    path("interviews/<int:pk>/", interviews.interview_detail, name="interview"),
    path("interviews/<int:pk>/reschedule/", interviews.interview_reschedule, name="interview_reschedule"),
    path("interviews/<int:pk>/cancel/", interviews.interview_cancel, name="interview_cancel"),
]

# The referee's questionnaire: public (no login), mounted at /reference/ by outsourcing/urls.py.
referee_patterns = (
    [
        path("", referee.referee_questionnaire, name="questionnaire"),
        path("done/", referee.referee_done, name="done"),
        path("<str:token>/", referee.referee_open, name="open"),
    ],
    "referee",
)
