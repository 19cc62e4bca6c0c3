"""The front office: the company's visible face (crm, sales, marketing, support, portal)."""
