#!/usr/bin/env bash
# Prints a stream URL with a signed, expiring token (auth.tokens in conf/node.yaml).
#
#   scripts/sign-url.sh [-a play|publish] [-k KEY_ID] [-t SECONDS] SECRET URL
#
#   SECRET   the key's secret (auth.tokens.keys[].secret, or --play-token-secret)
#   URL      rtmp://host[:port]/<app>/<name> (rtmps:// too); for a publish, <name> is the stream key
#   -a       the action the token allows (default: play)
#   -k       the key id (default: default, the id --play-token-secret gives its secret)
#   -t       how long the URL is good for, in seconds (default: 3600)
#
# The token is the lowercase hex HMAC-SHA256 of "<action>:<app>/<name>:<expires>"; a backend
# makes the same with any HMAC library. Needs openssl.
set -euo pipefail

action=play
kid=default
ttl=3600
while getopts "a:k:t:h" opt; do
  case $opt in
    a) action=$OPTARG ;;
    k) kid=$OPTARG ;;
    t) ttl=$OPTARG ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -ne 2 ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
secret=$1
url=$2
case $action in play|publish) ;; *) echo "sign-url.sh: -a takes play or publish, not '$action'" >&2; exit 2 ;; esac
case $ttl in ''|*[!0-9]*) echo "sign-url.sh: -t takes whole seconds, not '$ttl'" >&2; exit 2 ;; esac

# rtmp://host:port/app/name -> app and name (an app may not contain '/', a name may)
rest=${url#*://}
path=${rest#*/}
if [ "$path" = "$rest" ] || [ "${path%%/*}" = "$path" ]; then
  echo "sign-url.sh: the URL needs an app and a name: rtmp://host/<app>/<name>" >&2
  exit 2
fi
path=${path%%\?*}
app=${path%%/*}
name=${path#*/}

expires=$(( $(date +%s) + ttl ))
token=$(printf '%s' "$action:$app/$name:$expires" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.*= //')
echo "${url%%\?*}?expires=$expires&kid=$kid&token=$token"
