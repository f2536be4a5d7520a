#!/usr/bin/env bash
# Installs or starts what the tests and the demo need on a fresh machine of ours (Debian, root):
# node_modules, a local PostgreSQL 15, and kcat (its librdkafka mock cluster is the dev/test broker).
# Does nothing for what is already there; skips PostgreSQL when DATABASE_URL points elsewhere and
# kcat when KAFKA_BROKERS is set.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi

if [ -z "${DATABASE_URL:-}" ] && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "Starting PostgreSQL..."
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi

if [ -z "${KAFKA_BROKERS:-}" ] && ! command -v kcat >/dev/null; then
  echo "Installing kcat (local Kafka-protocol broker for development and tests)..."
  apt-get update -qq
  apt-get install -y -qq kcat
fi
