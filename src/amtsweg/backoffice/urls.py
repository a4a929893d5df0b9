from django.urls import path

from amtsweg.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("zuweisen/", views.bulk_assign, name="bulk_assign"),
    path("aktiv/", views.keep_alive, name="keep_alive"),
    path("freigaben/", views.approvals, name="approvals"),
    path("freigaben/<uuid:draft_id>/", views.approval, name="approval"),
    path("freigaben/<uuid:draft_id>/vorschau.pdf", views.approval_preview, name="approval_preview"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/antrag/", views.open_application, name="open_application"),
    path("<uuid:public_id>/anlage/<uuid:attachment_id>/", views.attachment, name="attachment"),
    path("<uuid:public_id>/notiz/", views.add_note, name="note"),
    path("<uuid:public_id>/rueckfrage/", views.ask, name="ask"),
    path("<uuid:public_id>/zuweisen/", views.reassign, name="reassign"),
    path("<uuid:public_id>/schritt/", views.step, name="step"),
    path("<uuid:public_id>/bescheid/", views.decision, name="decision"),
    path("<uuid:public_id>/bescheid/vorschau.pdf", views.decision_preview, name="decision_preview"),
]
