"""Purchasing screens, one module per area; each is thin and calls the purchasing services and selectors."""
