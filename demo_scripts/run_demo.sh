#!/usr/bin/env bash
# The README's main command (`./setup.sh demo`): the user's guide single-link MQTT demo, unchanged,
# against a private mosquitto on a free loopback port.
#
#   1. starts mosquitto (127.0.0.1, a free port) and a second client, `mosquitto_sub -v -t '/luatos/#'`;
#   2. runs build/lua_bindings/luatos on demo_scripts/single_mqtt/ with the guide's broker name sent
#      to the private broker (--host lbsmqtt.airm2m.com=127.0.0.1:PORT) and a fixed IMEI, showing
#      its Luatools-style log as it goes;
#   3. once the device has subscribed, publishes one downlink to /luatos/sub/<imei>;
#   4. after the run (DEMO_RUN_FOR, default 20s) shows what the second client saw: the device's
#      uplinks (QoS 1, every 3 s) and the downlink; everything started here is stopped by pid.
#
# Environment: LUATOS (the binary, default build/lua_bindings/luatos), DEMO_RUN_FOR (e.g. 10s),
# DEMO_ADAPTER (lwip, the default: the module's lwIP on the simulated cellular link; or eth0).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
luatos=${LUATOS:-$top/build/lua_bindings/luatos}
run_for=${DEMO_RUN_FOR:-20s}
adapter=${DEMO_ADAPTER:-lwip}
imei=864291050111210
downlink="hello from mosquitto_pub"

[ -x "$luatos" ] || { echo "run_demo: $luatos is not built (./setup.sh builds it)" >&2; exit 1; }
mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)

work=$(mktemp -d "${TMPDIR:-/tmp}/luatos-demo-XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
accepts() {  # accepts PORT: something listens on 127.0.0.1:PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# 1. The broker (retried on another port if this one was taken meanwhile) and the second client.
for attempt in 1 2 3 4 5; do
  port=$(free_port)
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest file %s\n' \
    "$port" "$work/mosquitto.log" > "$work/mosquitto.conf"
  [ "$(id -u)" = 0 ] && echo "user root" >> "$work/mosquitto.conf"
  "$mosquitto" -c "$work/mosquitto.conf" > "$work/mosquitto.out" 2>&1 &
  broker=$!
  for _ in $(seq 500); do accepts "$port" && break; kill -0 "$broker" 2>/dev/null || break; sleep 0.01; done
  if accepts "$port"; then pids+=("$broker"); break; fi
  kill "$broker" 2>/dev/null || true
  wait "$broker" 2>/dev/null || true
  [ "$attempt" = 5 ] && { echo "run_demo: mosquitto did not start" >&2; cat "$work/mosquitto.out" >&2; exit 1; }
done
stdbuf -oL mosquitto_sub -h 127.0.0.1 -p "$port" -v -t '/luatos/#' > "$work/watcher.txt" 2>&1 &
pids+=("$!")

echo "== mosquitto on 127.0.0.1:$port; second client: mosquitto_sub -v -t '/luatos/#'"
echo "== luatos --host lbsmqtt.airm2m.com=127.0.0.1:$port --imei $imei --adapter $adapter --run-for $run_for demo_scripts/single_mqtt/"
echo

# 2. The device, its log shown as it comes.
: > "$work/device.log"  # there before tail looks for it (the device's redirection may come later)
"$luatos" --host "lbsmqtt.airm2m.com=127.0.0.1:$port" --imei "$imei" --adapter "$adapter" \
  --run-for "$run_for" "$top/demo_scripts/single_mqtt/" > "$work/device.log" 2>&1 &
device=$!
pids+=("$device")
tail -n +1 -f "$work/device.log" --pid="$device" &
tailer=$!

# 3. One downlink once the device has subscribed to /luatos/sub/<imei>.
for _ in $(seq 2000); do
  grep -q "event suback" "$work/device.log" && break
  kill -0 "$device" 2>/dev/null || break
  sleep 0.01
done
if grep -q "event suback" "$work/device.log"; then
  mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t "/luatos/sub/$imei" -m "$downlink"
fi

status=0
wait "$device" || status=$?
wait "$tailer" 2>/dev/null || true

# 4. What the second client saw.
echo
echo "== what the second client (mosquitto_sub -v -t '/luatos/#') saw:"
cat "$work/watcher.txt"
echo "== device exit status $status"
exit "$status"
