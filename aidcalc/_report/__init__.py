"""The report and the command line, above plot and io."""
