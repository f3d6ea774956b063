"""REFI-QDA interchange: xml helpers and GUIDs, codebooks (.qdc), project import and export (.qdpx)."""
