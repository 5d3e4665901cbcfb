"""Reliable messaging between PolyCode services: outbox, relay, inbox, Celery setup.

Infrastructure only, no domain code. Install ``common.messaging`` in a
service's ``INSTALLED_APPS`` (app label ``messaging``) to get the outbox and
inbox tables, ``manage.py outbox_relay`` and the admin pages; build the
service's Celery app with :func:`common.messaging.broker.make_celery_app`.
See ``README.md`` next to this file for the guarantees and why they hold.
"""
