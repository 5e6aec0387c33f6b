"""Nothing of this app is in the Django admin: agreements, commitments and 一企一策 records are
business data written only through the services (audit, versions, four eyes)."""
