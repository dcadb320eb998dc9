"""Each part of the benefits keeps its own message table here (code: (English, Lao)), merged
by pakan.benefits.validation; codes must be unique across the tables."""
