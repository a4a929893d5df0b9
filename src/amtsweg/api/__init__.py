"""Public JSON API (/api/v1/), built with Django Ninja.

Framework chosen by measurement (2026-11-28, this 2-core machine, Python 3.13, Django 6.1.3, SQLite):
2,000 GET requests of the services search endpoint through Django's test client (full middleware stack),
same view code, same response shape, best of 5 rounds, machine shared with other work:

    handler doing the real search (tantivy):  Django Ninja 1.7.1  0.97 ms/request (1,033 req/s)
                                              DRF 3.18.3          1.33 ms/request (  752 req/s)
    handler returning fixed hits (framework): Django Ninja 1.7.1  0.50 ms/request (1,985 req/s)
                                              DRF 3.18.3          0.94 ms/request (1,068 req/s)

Ninja costs about half of DRF per request here, generates the OpenAPI document from the type hints
(DRF needs drf-spectacular on top), and its pydantic schemas validate the responses we document.
"""
