from django.urls import path

from . import views

app_name = "freelancers"

urlpatterns = [
    path("", views.freelancer_list, name="list"),
    path("new/", views.freelancer_create, name="create"),
    path("board/", views.pipeline_board, name="board"),
    path("bench/", views.bench_view, name="bench"),
    path("criteria/", views.criteria_edit, name="criteria"),
    path("<int:pk>/", views.freelancer_detail, name="detail"),
    path("<int:pk>/edit/", views.freelancer_edit, name="edit"),
    path("<int:pk>/move/", views.pipeline_move, name="move"),
    path("<int:pk>/do-not-hire/", views.do_not_hire, name="do_not_hire"),
    path("<int:pk>/samples/new/", views.sample_add, name="sample_add"),
    path("<int:pk>/testimonials/new/", views.testimonial_add, name="testimonial_add"),
    path("<int:pk>/references/new/", views.reference_add, name="reference_add"),
    path("<int:pk>/interviews/new/", views.interview_add, name="interview_add"),
    path("<int:pk>/scorecard/", views.scorecard, name="scorecard"),
    path("samples/<int:pk>/download/", views.sample_download, name="sample_download"),
    path("samples/<int:pk>/delete/", views.sample_delete, name="sample_delete"),
    path("testimonials/<int:pk>/delete/", views.testimonial_delete, name="testimonial_delete"),
    path("references/<int:pk>/request/", views.reference_request, name="reference_request"),
    path("references/<int:pk>/delete/", views.reference_delete, name="reference_delete"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview"),
    path("interviews/<int:pk>/reschedule/", views.interview_reschedule, name="interview_reschedule"),
    path("interviews/<int:pk>/cancel/", views.interview_cancel, name="interview_cancel"),
]

# The referee's questionnaire: public (no login), mounted at /reference/ by outsourcing/urls.py.
referee_patterns = (
    [
        path("", views.referee_questionnaire, name="questionnaire"),
        path("done/", views.referee_done, name="done"),
        path("<str:token>/", views.referee_open, name="open"),
    ],
    "referee",
)
