"""The domain: the plan, its indicator catalog and the rules that judge it, in pure Python."""
