#!/usr/bin/env bash
# The user's guide "SSL with certificate" demo (`./setup.sh tls-demo`): demo_scripts/ssl_ca_mqtt/,
# unchanged, against a private TLS mosquitto on this machine. The script reads the broker's CA from the
# file flashed with it, /luadb/broker.emqx.io-ca.crt, and checks the name broker.emqx.io; so this
#
#   1. makes, with openssl, a local CA and a certificate for broker.emqx.io signed by it (EC P-256,
#      valid 30 days);
#   2. copies demo_scripts/ssl_ca_mqtt/ and writes the CA into the copy as broker.emqx.io-ca.crt (the
#      repository's folder is never touched: generated keys and certificates are never committed);
#   3. starts mosquitto on free 127.0.0.1 ports: TLS 1.2 with that certificate for the device, plain
#      MQTT for a second client (mosquitto_sub -v -t '/luatos/#');
#   4. runs luatos on the copy with the name sent to the local broker
#      (--host broker.emqx.io=127.0.0.1:TLS_PORT), showing its log as it goes; once the device has
#      subscribed, publishes one downlink to /luatos/sub/<imei>;
#   5. after the run (DEMO_RUN_FOR, default 10s) shows what the second client saw; everything started
#      here is stopped by pid.
#
# Environment: LUATOS (the binary, default build/luatos), DEMO_RUN_FOR (e.g. 20s),
# DEMO_ADAPTER (lwip, the default: the module's lwIP on the simulated link; or eth0), TLS_DEMO_DIR (keep
# the CA, the server's certificate and key and the demo copy in this folder, to run luatos on it again
# yourself, e.g. TLS_DEMO_DIR=tls-demo, which .gitignore covers; default: a temporary folder, removed).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
luatos=${LUATOS:-$top/build/luatos}
run_for=${DEMO_RUN_FOR:-10s}
adapter=${DEMO_ADAPTER:-lwip}
imei=864291050111210
downlink="hello over TLS"

[ -x "$luatos" ] || { echo "run_tls_demo: $luatos is not built (./setup.sh builds it)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/luatos-tls-demo-XXXXXX")
if [ -n "${TLS_DEMO_DIR:-}" ]; then
  mkdir -p "$TLS_DEMO_DIR"
  out=$(cd "$TLS_DEMO_DIR" && pwd)
else
  out=$work
fi
# shellcheck source=demo_scripts/demo_lib.sh
. "$top/demo_scripts/demo_lib.sh"

# 1. The CA and broker.emqx.io's certificate.
pki=$out/pki
mkdir -p "$pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=LuatOS local demo CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>"$work/openssl.log"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=broker.emqx.io" \
  -keyout "$pki/server.key" -out "$work/server.csr" 2>>"$work/openssl.log"
printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:broker.emqx.io\nextendedKeyUsage=serverAuth\n' \
  > "$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
  -CAserial "$work/ca.srl" -days 30 -extfile "$work/server.ext" -out "$pki/server.crt" 2>>"$work/openssl.log"
chmod 644 "$pki/server.key"  # mosquitto may drop to another user when started as root

# 2. The demo, with the CA file "flashed" beside its main.lua.
demo=$out/ssl_ca_mqtt
rm -rf "$demo"
cp -r "$top/demo_scripts/ssl_ca_mqtt" "$demo"
cp "$pki/ca.crt" "$demo/broker.emqx.io-ca.crt"

# 3. The broker (TLS for the device, plain MQTT for the second client) and the second client.
tls_conf() {
  {
    broker_conf_head
    echo "listener $tls_port 127.0.0.1"
    echo "certfile $pki/server.crt"
    echo "keyfile $pki/server.key"
    echo "tls_version tlsv1.2"
  } > "$work/mosquitto.conf"
}
start_broker tls_conf
start_watcher

echo "== CA and broker.emqx.io certificate in $pki; the demo copy with its CA file in $demo"
echo "== mosquitto: TLS on 127.0.0.1:$tls_port (certificate for broker.emqx.io), plain MQTT on 127.0.0.1:$port"
echo "== luatos --host broker.emqx.io=127.0.0.1:$tls_port --imei $imei --adapter $adapter --run-for $run_for $demo/"
echo

# 4. The device, its log shown as it comes; one downlink once it has subscribed.
run_device "/luatos/sub/$imei" "$downlink" \
  "$luatos" --host "broker.emqx.io=127.0.0.1:$tls_port" --imei "$imei" --adapter "$adapter" \
  --run-for "$run_for" "$demo/"

# 5. What the second client saw.
show_watcher
exit "$status"
