"""Bank transfer (Überweisung) with an ISO 11649 creditor reference, settled by camt.053 import."""
