"""The only side effects: Docker, docker-compose, the heroku/convox CLIs, hadolint, HTTP, files."""
