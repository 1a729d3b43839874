"""Gate `timing`: route-timing budgets under a realistic load (Locust, in a child process).

Steps: start the app when `start` is set (or check the running one answers), put the configured load
on the routes, compute exact p50/p95/p99 and error rate per route from the raw samples, judge each route
against its budget and against the baseline of past good runs, and report one Check per route.
With `ramp`, the load steps up and a capacity check reports the most users at which every budget held.
"""

from gates.lazy_gate import forward

options_from_config, run, __getattr__ = forward(__name__)

__all__ = ["options_from_config", "run"]
