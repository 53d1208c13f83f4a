"""The audit planner (issue 18): who audits when, proposed by OR-Tools CP-SAT (``planning.solver.solve``),
with its greedy baseline (``planning.greedy.solve_greedy``) and the explanation of every audit left
unplaced (``planning.explain``). Pure: a ``schemas.scheduling.PlanRequest`` in, a ``PlanResult`` out, no
I/O, no Temporal; the rules it keeps are those ``rules.programme.check_programme`` enforces.
"""
