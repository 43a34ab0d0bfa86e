"""The bridge between the database and the optimizer, in both directions.

:mod:`~luckygas.bridge.adapter` reads a day from the database into a
:class:`~luckygas.optimize.problem.RoutingProblem`; :mod:`~luckygas.bridge.persist` saves
a :class:`~luckygas.optimize.result.PlanResult` as a draft plan and loads it back;
:mod:`~luckygas.bridge.planning` is the one call notebooks, widgets and the CLI share.
:mod:`luckygas.optimize` itself never imports SQLAlchemy or the models
(``tests/test_layers.py`` keeps it so).
"""
