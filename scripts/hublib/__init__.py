"""Python glue of the Manufacturing & Financial Analytics Hub (loading, CLI, exports)."""
