"""The admin's pages for the reference tables every domain registers in app.core.reference_admin."""
