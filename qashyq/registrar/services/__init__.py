"""Every write of the registrar, one module per subject: ``iup``, ``admission``, ``orders``,
``summer``, ``graduation``. Each function takes keyword arguments, checks the actor's permission
through ``registrar.policies`` and runs under one transaction."""
