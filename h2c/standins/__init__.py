"""Offline stand-ins for the official base images (development and CI tooling)."""
