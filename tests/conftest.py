import os

# The suite never needs a production secret; `make test` sets these too.
os.environ.setdefault("AMTSWEG_TESTING", "1")
