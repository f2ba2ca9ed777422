#!/bin/bash
# Docker's HEALTHCHECK: GET /health on the operator port (HEALTH_PORT, default 8080), with bash's
# /dev/tcp, since the runtime image has no curl. Healthy on 200; 503 while starting, draining or
# cut off from the cluster.
set -euo pipefail
port="${HEALTH_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r -t 5 _ status _ <&3
[[ "$status" == 200 ]]
