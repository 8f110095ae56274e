#!/usr/bin/env bash
# The README's main command (`./setup.sh demo`): the user's guide single-link MQTT demo, unchanged,
# against a private mosquitto on a free loopback port.
#
#   1. starts mosquitto (127.0.0.1, a free port) and a second client, `mosquitto_sub -v -t '/luatos/#'`;
#   2. runs build/luatos on demo_scripts/single_mqtt/ with the guide's broker name sent
#      to the private broker (--host lbsmqtt.airm2m.com=127.0.0.1:PORT) and a fixed IMEI, showing
#      its Luatools-style log as it goes;
#   3. once the device has subscribed, publishes one downlink to /luatos/sub/<imei>;
#   4. after the run (DEMO_RUN_FOR, default 20s) shows what the second client saw: the device's
#      uplinks (QoS 1, every 3 s) and the downlink; everything started here is stopped by pid.
#
# Environment: LUATOS (the binary, default build/luatos), DEMO_RUN_FOR (e.g. 10s),
# DEMO_ADAPTER (lwip, the default: the module's lwIP on the simulated cellular link; or eth0).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
luatos=${LUATOS:-$top/build/luatos}
run_for=${DEMO_RUN_FOR:-20s}
adapter=${DEMO_ADAPTER:-lwip}
imei=864291050111210
downlink="hello from mosquitto_pub"

[ -x "$luatos" ] || { echo "run_demo: $luatos is not built (./setup.sh builds it)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/luatos-demo-XXXXXX")
# shellcheck source=demo_scripts/demo_lib.sh
. "$top/demo_scripts/demo_lib.sh"

# 1. The broker and the second client.
plain_conf() {
  tls_port=$port  # no TLS listener here
  broker_conf_head > "$work/mosquitto.conf"
}
start_broker plain_conf
start_watcher

echo "== mosquitto on 127.0.0.1:$port; second client: mosquitto_sub -v -t '/luatos/#'"
echo "== luatos --host lbsmqtt.airm2m.com=127.0.0.1:$port --imei $imei --adapter $adapter --run-for $run_for demo_scripts/single_mqtt/"
echo

# 2-3. The device, its log shown as it comes; one downlink once it has subscribed to /luatos/sub/<imei>.
run_device "/luatos/sub/$imei" "$downlink" \
  "$luatos" --host "lbsmqtt.airm2m.com=127.0.0.1:$port" --imei "$imei" --adapter "$adapter" \
  --run-for "$run_for" "$top/demo_scripts/single_mqtt/"

# 4. What the second client saw.
show_watcher
exit "$status"
