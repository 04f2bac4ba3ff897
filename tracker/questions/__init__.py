"""Questions asked of the records: what is overdue, chasing, slippage, changes, statistics, timelines."""
