"""Reading results: statistics (intervals, effect sizes, tests), member tables, aggregation
of stored series, sensitivity indices, the historical patterns and calibration."""
