"""h2c: move a Heroku app to Convox, and prove the move worked."""

__version__ = "0.1.0"
