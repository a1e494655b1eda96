"""Users, roles, the audit log, approvals and quarter locks (no Dash, no Flask).

Import the module you need; nothing is re-exported here:

- :mod:`accounts.errors`: ``AccountError`` (a refused operation) and ``PermissionDenied``;
- :mod:`accounts.roles`: the roles and their rules (``can_upload``, ``can_approve``,
  ``can_lock``, ``allowed_services``) and ``Actor``, who acts (an account or the operator);
- :mod:`accounts.users`: accounts, passwords, login and throttling, the demo accounts;
- :mod:`accounts.audit`: the audit log (``record``, ``audit_frame``);
- :mod:`accounts.approvals`: a director's approvals, locking and reopening quarters.

The lock *state* and the rule "a locked quarter takes no new data" live in storage
(:mod:`indicators.storage.locks`); this package decides who may change it.
"""
