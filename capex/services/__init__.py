"""
Writes to announced investments: `investments` (create, change, cite), `workflow` (submit,
publish, return to draft) and `slices` (the stored slices of totals). Views, serializers, admin
actions, commands and tasks call these; none of them holds a business rule of its own.

The package imports nothing itself, so importing one service (capex.conversions imports
`slices`) never imports the others: the modules of capex import one another in one direction.
"""
