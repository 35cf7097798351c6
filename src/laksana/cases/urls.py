"""URLs of the case screens, under /kasus/."""

from __future__ import annotations

from django.urls import path

from laksana.cases import assign_views, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("kotak-masuk/", views.inbox_view, name="inbox"),
    path("baru/", views.open_view, name="open"),
    path("notifikasi/", views.notifications, name="notifications"),
    path("notifikasi/<int:pk>/", views.notification_open, name="notification"),
    path("lencana/", views.badge, name="badge"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/langkah/<int:step_id>/ambil/", views.claim, name="claim"),
    path("<str:reference>/langkah/<int:step_id>/selesaikan/", views.complete, name="complete"),
    path("<str:reference>/langkah/<int:step_id>/konfirmasi/", views.confirm, name="confirm"),
    path("<str:reference>/langkah/<int:step_id>/tunda/", views.hold, name="hold"),
    path("<str:reference>/langkah/<int:step_id>/lanjutkan/", views.resume, name="resume"),
    path("<str:reference>/langkah/<int:step_id>/lepas/", views.release, name="release"),
    path("<str:reference>/langkah/<int:step_id>/ambil-alih/", views.take_over, name="take_over"),
    path(
        "<str:reference>/langkah/<int:step_id>/alihkan/",
        assign_views.reassign_view,
        name="reassign",
    ),
    path("<str:reference>/disposisi/", views.dispose, name="dispose"),
    path("<str:reference>/disposisi/<int:pk>/tarik/", views.withdraw, name="withdraw"),
    path("<str:reference>/komentar/", views.comment, name="comment"),
    path("<str:reference>/berkas/", views.upload, name="upload"),
    path("<str:reference>/berkas/<int:pk>/", views.file, name="file"),
    path("<str:reference>/berkas/<int:pk>/thumb", views.thumbnail, name="thumbnail"),
]
