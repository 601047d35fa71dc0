"""Graph rewrites: a small pattern engine and the named rewrite sets.

`pattern.py` matches and applies rewrites; `simplify.py` holds the exact
rewrites (bit for bit NumPy), `stabilize.py` the value-improving ones,
`pipeline.py` the order they run in. `sites.py` remembers the user's source
line of each traced node so reports can point at it. The package imports
nothing on its own: `tracenp.lax` imports `sites` while the IR is still loading.
"""
