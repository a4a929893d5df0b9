"""Example procedures for the documentation and the test suite. Not registered automatically."""
