"""The service catalogue: department administrators edit their departments' request types in the
portal (guide, form, approval route), preview them as a filer sees them, and publish versions."""
