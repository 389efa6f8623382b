"""Money: amounts, parsing, formatting, rates, conversion, units."""
