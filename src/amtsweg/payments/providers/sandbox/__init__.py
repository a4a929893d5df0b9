"""SANDBOX payment provider: a stand-in for an external payment platform (ePayBL-like).

It ships with amtsweg for demos and tests and is OFF outside demo/test mode (AMTSWEG_SANDBOX_PAYMENT).
Two halves, which talk to each other only over HTTP, as with a real provider:

* the *gateway* (models.py, gateway.py, views.py, tasks.py): the provider's side, with its own hosted
  payment page and API under /sandbox/zahlung/ and its own tables (SandboxTransaction, SandboxNotification);
  it sends HMAC-signed notifications to our notification endpoint from a background task, configurably
  late, twice or out of order;
* the *plugin* (plugin.py): our side, registered as provider "sandbox", calling the gateway's API.

No money moves. Never enable it in production.
"""
