"""The base layer: errors, column names, dates, locales, datasets, frame checks, vocabulary."""
