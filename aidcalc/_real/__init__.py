"""Real values: constant prices, shares of GDP and per capita, macro data, donors."""
