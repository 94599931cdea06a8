#!/usr/bin/env bash
# Installs the system packages the tests use and starts PostgreSQL and Redis when they do not
# answer. Debian/Ubuntu, as root. Safe to run again: it only does what is missing.
set -euo pipefail

packages=()
command -v dig >/dev/null || packages+=(dnsutils)
command -v kdig >/dev/null || packages+=(knot-dnsutils)
# named-checkzone and kzonecheck check the zone files the export writes.
command -v named-checkzone >/dev/null || packages+=(bind9-utils)
command -v kzonecheck >/dev/null || packages+=(knot-dnssecutils)
# knotd: the authoritative server the probes' CNAME tests resolve through (on a port of their own).
command -v knotd >/dev/null || packages+=(knot)
# openssl makes the self-signed certificates of the TLS tests (probes, webhooks, SMTP).
command -v openssl >/dev/null || packages+=(openssl)
command -v chromium >/dev/null || packages+=(chromium)
# dnsperf: the load of the DNS benchmarks (bench/dns), beside knotd.
command -v dnsperf >/dev/null || packages+=(dnsperf)
command -v unbound >/dev/null || packages+=(unbound)
command -v ip >/dev/null || packages+=(iproute2)
command -v pg_isready >/dev/null || packages+=(postgresql)
command -v redis-server >/dev/null || packages+=(redis-server)
# node-gyp builds the DNS server's batched UDP addon (workers/native) at npm install.
command -v make >/dev/null && command -v cc >/dev/null || packages+=(build-essential)
command -v python3 >/dev/null || packages+=(python3)

if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "missing packages: ${packages[*]} (install them with your package manager, as root)" >&2
    exit 1
  fi
  echo "installing: ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  # The knot package's own service (port 53) is not wanted: the tests start knotd themselves.
  if [[ " ${packages[*]} " == *" knot "* ]]; then
    systemctl disable --now knot >/dev/null 2>&1 || service knot stop >/dev/null 2>&1 || true
  fi
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

pg_isready -h 127.0.0.1 -p 5432
redis-cli -h 127.0.0.1 -p 6379 ping
