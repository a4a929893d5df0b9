from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from amtsweg.accounts.views import account, auth, organisations, staff

app_name = "accounts"

password_reset_urls = [
    path(
        "passwort-vergessen/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "passwort-vergessen/gesendet/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "passwort-vergessen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "passwort-vergessen/fertig/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    # Citizens and organisations
    path("anmelden/", auth.login_page, name="login"),
    path("anmelden/<str:provider>/", auth.oidc_start, name="oidc_start"),
    path("anmelden/<str:provider>/rueckkehr/", auth.oidc_callback, name="oidc_callback"),
    path("abmelden/", auth.logout_view, name="logout"),
    path("registrieren/", auth.register, name="register"),
    path("registrieren/bestaetigen/<str:token>/", auth.verify_email, name="verify_email"),
    *password_reset_urls,
    path("konto/", account.profile, name="profile"),
    path("konto/handeln-fuer/", account.switch_acting, name="switch_acting"),
    path("konto/daten/", account.export_page, name="export"),
    path("konto/daten/export.json", account.export_json, name="export_json"),
    path("konto/loeschen/", account.delete_account, name="delete"),
    path("konto/transparenz/", account.transparency, name="transparency"),
    path("konto/organisationen/", organisations.organisations, name="organisations"),
    path("konto/organisationen/<int:pk>/", organisations.organisation_detail, name="organisation"),
    path(
        "konto/organisationen/<int:pk>/mitglieder/",
        organisations.organisation_add_member,
        name="organisation_add_member",
    ),
    path(
        "konto/organisationen/<int:pk>/mitglieder/<int:member_id>/",
        organisations.organisation_member,
        name="organisation_member",
    ),
    path("konto/vollmachten/", organisations.mandates, name="mandates"),
    path("konto/vollmachten/neu/", organisations.mandate_new, name="mandate_new"),
    path("konto/vollmachten/<int:pk>/", organisations.mandate_detail, name="mandate"),
    path("konto/vollmachten/<int:pk>/widerrufen/", organisations.mandate_revoke, name="mandate_revoke"),
    # Staff of authorities
    path("verwaltung/anmelden/", staff.staff_login, name="staff_login"),
    path("verwaltung/anmelden/code/", staff.staff_code, name="staff_code"),
    path("verwaltung/anmelden/einrichten/", staff.staff_enrol, name="staff_enrol"),
    path("verwaltung/abmelden/", staff.staff_logout, name="staff_logout"),
    path("verwaltung/", staff.staff_home, name="staff_home"),
    path("verwaltung/wiederherstellungscodes/", staff.staff_recovery_codes, name="staff_recovery_codes"),
    path("verwaltung/behoerden/<int:authority_id>/", staff.staff_authority, name="staff_authority"),
    path(
        "verwaltung/behoerden/<int:authority_id>/zugriffe/", staff.staff_access_log, name="staff_access_log"
    ),
]
