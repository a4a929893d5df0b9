import pytest
from django.test import Client


@pytest.mark.django_db
def test_post_without_csrf_token_gets_the_german_403_page():
    response = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert "Zugriff nicht erlaubt" in response.content.decode()


@pytest.mark.django_db
def test_every_page_denies_framing_and_sniffing(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
