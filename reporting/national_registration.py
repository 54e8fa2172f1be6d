"""The national platform export registers its long job here."""
