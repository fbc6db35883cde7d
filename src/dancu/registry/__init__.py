"""The register itself: people, households and residence."""
