"""CRM: leads, pipelines and opportunities, activities, sales teams and assignment rules."""
