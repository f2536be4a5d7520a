#!/bin/sh
# Entry point of the image: runs the app named by the first argument, or the CLI.
set -e
case "$1" in
  loyalty-api | pos-ingest | coupon-engine) exec node "dist/apps/$1/src/main.js" ;;
  cli)
    shift
    exec node dist/apps/loyalty-api/src/cli.js "$@"
    ;;
  *)
    echo "usage: loyalty-api | pos-ingest | coupon-engine | cli <terminal-key|token> [options]" >&2
    exit 64
    ;;
esac
