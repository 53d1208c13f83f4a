"""Benchmarks (issue 17): ``certflow bench`` runs them; each prints one JSON line with its figures and its
ratio to a baseline measured in the same run. Results, machine and commands are kept in bench/RESULTS.md.

Timing goals live here, never in a test: on a shared machine a time means little, a ratio against a
baseline run alongside means more.
"""
