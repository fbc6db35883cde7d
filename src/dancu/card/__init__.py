"""Identity cards: application, approval, production, chip personalisation, issuance, status."""
