#!/bin/sh
# One command per process of the Procfile, with production settings:
#
#   web SERVICE       gunicorn serving SERVICE (monolith, mailer, shop, runner, gateway) on $PORT;
#                     web monolith-ws: daphne serving the monolith's ASGI app (the pad's WebSocket)
#   worker QUEUE      the Celery worker of QUEUE (mailer, shop, account)
#   relay SERVICE     the outbox relay of SERVICE (monolith, mailer, shop)
#   beat SERVICE      the Celery beat that schedules a service's periodic work (shop, monolith, mailer): one per release
#   periodic TASK     a periodic task once (shop-sweep)
#   migrate SERVICE   apply SERVICE's migrations to its own database
#   manage SERVICE …  any manage.py command of SERVICE
#
# A variable NAME_FILE names a file holding NAME's value (secrets mounted as files).
# POLYCODE_ENV selects the settings flavour (production unless told otherwise);
# the process replaces this shell (exec) so it receives the orchestrator's signals.
set -eu

POLYCODE_ENV="${POLYCODE_ENV:-production}"
PYTHON="${PYTHON:-python}"
GUNICORN="${GUNICORN:-gunicorn}"
CELERY="${CELERY:-celery}"
export POLYCODE_ENV

# NAME_FILE=/path sets NAME to the file's content (mounted secrets), unless NAME is set;
# only for PolyCode's own secret settings (other *_FILE variables name files on purpose).
for variable in $(env | sed -n 's/^\([A-Z][A-Z0-9_]*\)_FILE=.*/\1/p'); do
    case "$variable" in
        SECRET_KEY | OIDC_RP_CLIENT_SECRET | OIDC_RSA_PRIVATE_KEY | GATEWAY_ASSERTION_* | SERVICE_ASSERTION_* | \
            *DATABASE_URL | BROKER_URL | REDIS_URL | EMAIL_HOST_PASSWORD | CONSUL_HTTP_TOKEN) ;;
        *) continue ;;
    esac
    if [ -z "$(printenv "$variable" || true)" ]; then
        value="$(cat "$(printenv "${variable}_FILE")")"
        export "$variable=$value"
    fi
done

usage() {
    echo "usage: entrypoint.sh web|worker|relay|beat|periodic|migrate|manage NAME [ARGS...]" >&2
    exit 64
}

settings_package() {
    case "$1" in
        monolith) echo monolith.settings ;;
        mailer) echo extracted.mailer.settings ;;
        shop) echo extracted.shop.settings ;;
        runner) echo extracted.runner.settings ;;
        gateway) echo gateway_proxy.settings ;;
        *) echo "unknown service: $1 (monolith, mailer, shop, runner, gateway)" >&2; exit 64 ;;
    esac
}

use_service() {
    POLYCODE_SERVICE="$1"
    DJANGO_SETTINGS_MODULE="$(settings_package "$1").${POLYCODE_ENV}"
    export POLYCODE_SERVICE DJANGO_SETTINGS_MODULE
}

[ $# -ge 2 ] || usage
command="$1"
name="$2"
shift 2

case "$command" in
    web)
        if [ "$name" = monolith-ws ]; then
            # The live interview pad's WebSocket: the monolith's ASGI application under daphne.
            use_service monolith
            exec "$PYTHON" -m daphne --bind "${BIND_ADDRESS:-0.0.0.0}" --port "${PORT:-8000}" \
                monolith.asgi:application "$@"
        fi
        use_service "$name"
        case "$name" in
            # Slow clients hold a greenlet, not a thread (gevent workers, as make run starts it).
            gateway)
                exec "$GUNICORN" gateway_proxy.wsgi:application --bind "${BIND_ADDRESS:-0.0.0.0}:${PORT:-8000}" \
                    --worker-class gevent --workers "${WEB_WORKERS:-2}" --worker-connections 1000 \
                    --worker-tmp-dir "${GUNICORN_TMP_DIR:-/tmp}" --access-logfile - --error-logfile - \
                    --graceful-timeout 25 "$@"
                ;;
            # The run pool and the idempotency cache live in one process per runner pod.
            runner) app=extracted.runner.wsgi:application; workers=1; threads="${WEB_THREADS:-16}" ;;
            monolith) app=monolith.wsgi:application; workers="${WEB_WORKERS:-2}"; threads="${WEB_THREADS:-4}" ;;
            *) app="extracted.${name}.wsgi:application"; workers="${WEB_WORKERS:-2}"; threads="${WEB_THREADS:-4}" ;;
        esac
        exec "$GUNICORN" "$app" --bind "${BIND_ADDRESS:-0.0.0.0}:${PORT:-8000}" \
            --worker-class gthread --workers "$workers" --threads "$threads" \
            --worker-tmp-dir "${GUNICORN_TMP_DIR:-/tmp}" --access-logfile - --error-logfile - \
            --graceful-timeout 25 "$@"
        ;;
    worker)
        case "$name" in
            mailer) use_service mailer; app=extracted.mailer.worker ;;
            shop) use_service shop; app=extracted.shop.worker ;;
            account) use_service monolith; app=monolith.worker ;;
            *) echo "unknown queue: $name (mailer, shop, account)" >&2; exit 64 ;;
        esac
        exec "$CELERY" -A "$app" worker -Q "$name" --pool=threads \
            --concurrency "${WORKER_CONCURRENCY:-4}" -l "${LOG_LEVEL:-INFO}" "$@"
        ;;
    relay)
        case "$name" in
            monolith | mailer | shop) use_service "$name" ;;
            *) echo "no outbox relay for: $name (monolith, mailer, shop)" >&2; exit 64 ;;
        esac
        exec "$PYTHON" manage.py outbox_relay "$@"
        ;;
    beat)
        case "$name" in
            shop) use_service shop; app=extracted.shop.worker ;;
            monolith) use_service monolith; app=monolith.worker ;;
            mailer) use_service mailer; app=extracted.mailer.worker ;;
            *) echo "no periodic work scheduled for: $name (shop, monolith, mailer)" >&2; exit 64 ;;
        esac
        exec "$CELERY" -A "$app" beat -l "${LOG_LEVEL:-WARNING}" "$@"
        ;;
    periodic)
        case "$name" in
            shop-sweep) use_service shop; exec "$PYTHON" manage.py shop_sweep "$@" ;;
            *) echo "unknown periodic task: $name (shop-sweep)" >&2; exit 64 ;;
        esac
        ;;
    migrate)
        use_service "$name"
        exec "$PYTHON" manage.py migrate --noinput "$@"
        ;;
    manage)
        use_service "$name"
        exec "$PYTHON" manage.py "$@"
        ;;
    *) usage ;;
esac
