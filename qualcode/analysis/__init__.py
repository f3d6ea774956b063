"""Analysis: one explicit read of the project (a snapshot), mechanisms, topics, agreement."""
