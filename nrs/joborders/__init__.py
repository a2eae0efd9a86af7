"""Job orders: a company's vacancies, from open to filled or unfilled, with referrals from every centre.

What other domains use:

- ``models``: ``JobOrder`` (``job_orders``; ``state``, ``received_on``, ``closed_on``, ``lead_centre_id``,
  ``agreement_id``, ``version``), ``JobOrderEvent`` (``on_date`` is the business date figures read),
  ``Hire`` (``event_id`` = the event that recorded it), ``PositionOutcome`` (one per position: hired,
  outside NRS, withdrawn, unfilled; live until a reopening undoes it), ``Referral``, ``HelpRequest``.
- ``states.JobOrderState`` (``label``, ``css_class``, ``is_closed``), ``TRANSITIONS``, ``ensure_transition``,
  ``state_from_positions`` (the state follows from the positions), ``filled_text`` ("besat 2 af 3").
- ``services``: the only writers (``log_job_order``, ``update_job_order``, ``transition``/``fill``/
  ``close_unfilled``/``pause``/``resume``/``reopen``, ``resolve_positions``, ``position_counts``, ``add_referral``, ``update_referral_outcome``,
  ``request_help``); a POST's session is already a writer (``nrs.db.db_session``).
- ``queries.for_company(session, company_id)``, ``queries.help_wanted(session, centre_id)``,
  ``queries.order_list(session, OrderFilter(...))``.
- ``jobs.request_help_for_idle_orders(session, *, now, settings)`` for the scheduler (idempotent).
- ``queries.hired_counts(session, order_ids)``: live hires per order, for "besat 2 af 3" in a list.
- ``star``: STAR's formidlingsgrad and besættelsesgrad; ``occupations``: DISCO-08 major groups.
- Figures: ``nrs.reports.queries.status_figures(session, *, as_of)``, ``fill_statistics``, ``states_as_of``.
"""
