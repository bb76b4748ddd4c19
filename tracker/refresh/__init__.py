"""The annual refresh: next year's plan version from this year's, history carried forward."""
