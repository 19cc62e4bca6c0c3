"""The inventory screens, one module per subject: products, stock and moves, transfers, warehouses and counts."""
