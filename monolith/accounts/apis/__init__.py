"""HTTP API of the accounts app: thin views over services and selectors."""
