"""Plan structure: priorities, themes, indicators and organisations, kept right by hand."""
