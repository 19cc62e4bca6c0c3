"""Views of the shell, one module per area; each is thin and calls the kernel's services and selectors."""
