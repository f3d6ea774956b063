"""Exports: findings tables (CSV, XLSX), reports (HTML, Markdown) and REFI-QDA projects."""
