"""The fund's pages, one module per area. Thin, like the registry's: they read through the
selectors (which apply scope), change through the services (which check permission, scope and
the input, and audit), and show the services' bilingual errors beside the inputs.

Anything outside the reader's scope answers 404, exactly as if it did not exist; a read-only
account that sends a change answers 403.
"""
