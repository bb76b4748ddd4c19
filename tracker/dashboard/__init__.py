"""The working group's roll-up of RAG status by priority and theme."""
