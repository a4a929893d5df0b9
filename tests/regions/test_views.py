import pytest

pytestmark = pytest.mark.django_db


def test_postal_code_endpoint(client, regions):
    response = client.get("/regionen/plz/09573.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["postal_code"] == "09573"
    assert body["district"]["ags"] == "14522"
    assert body["district"]["full_name"] == "Landkreis Mittelsachsen"
    assert [d["ags"] for d in body["other_districts"]] == ["14521"]
    assert body["other_states"] == []
    assert [(p["name"], p["district"]) for p in body["places"]] == [
        ("Augustusburg", "14522"),
        ("Gornau", "14521"),
        ("Leubsdorf", "14522"),
    ]


@pytest.mark.parametrize("code", ["0945", "abcde", "094566", "%00%00%00%00%00", "x" * 5000])
def test_postal_code_endpoint_rejects_malformed_codes(client, regions, code):
    response = client.get(f"/regionen/plz/{code}.json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "malformed_postal_code"
    assert "fünf Ziffern" in body["message"]


def test_postal_code_endpoint_outside_saxony(client, regions):
    response = client.get("/regionen/plz/10115.json")
    assert response.status_code == 404
    assert response.json() == {
        "error": "postal_code_not_in_saxony",
        "message": "Die Postleitzahl 10115 liegt nach unseren Daten nicht in Sachsen.",
    }


def test_postal_code_endpoint_is_get_only(client, regions):
    assert client.post("/regionen/plz/09456.json").status_code == 405
