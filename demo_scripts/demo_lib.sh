# Shared by run_demo.sh and run_tls_demo.sh (sourced, not run): a private mosquitto on free loopback
# ports, a second client watching /luatos/#, the device run with its log shown as it comes and one
# downlink sent once it has subscribed; everything started is stopped by pid when the script exits.
#
# The caller sets `work` (a temporary folder, removed at exit) before sourcing.

demo_pids=()
demo_cleanup() {
  for pid in "${demo_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${demo_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap demo_cleanup EXIT

demo_mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
accepts() {  # accepts PORT: something listens on 127.0.0.1:PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_broker WRITE_CONF: picks free ports into `port` and `tls_port`, calls `WRITE_CONF` (which writes
# $work/mosquitto.conf using them), starts mosquitto and waits until it listens on both ports; retried on
# other ports if one was taken meanwhile. A configuration without a TLS listener sets tls_port=$port.
start_broker() {
  local write_conf=$1 attempt broker
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    tls_port=$(free_port)
    "$write_conf"
    "$demo_mosquitto" -c "$work/mosquitto.conf" > "$work/mosquitto.out" 2>&1 &
    broker=$!
    for _ in $(seq 500); do
      accepts "$port" && accepts "$tls_port" && break
      kill -0 "$broker" 2>/dev/null || break
      sleep 0.01
    done
    if accepts "$port" && accepts "$tls_port"; then
      demo_pids+=("$broker")
      return 0
    fi
    kill "$broker" 2>/dev/null || true
    wait "$broker" 2>/dev/null || true
  done
  echo "$(basename "$0"): mosquitto did not start" >&2
  cat "$work/mosquitto.out" "$work/mosquitto.log" >&2 2>/dev/null || true
  exit 1
}

# The common head of a mosquitto configuration for the demos.
broker_conf_head() {
  echo "per_listener_settings false"
  echo "allow_anonymous true"
  echo "persistence false"
  echo "log_dest file $work/mosquitto.log"
  [ "$(id -u)" = 0 ] && echo "user root"
  echo "listener $port 127.0.0.1"
}

# start_watcher: the second client, mosquitto_sub -v -t '/luatos/#', into $work/watcher.txt.
start_watcher() {
  stdbuf -oL mosquitto_sub -h 127.0.0.1 -p "$port" -v -t '/luatos/#' > "$work/watcher.txt" 2>&1 &
  demo_pids+=("$!")
}

# run_device DOWNLINK_TOPIC DOWNLINK LUATOS_ARGS...: runs the device with its log shown as it comes,
# publishes the downlink once the device has subscribed, waits for the run to end; sets `status`.
run_device() {
  local topic=$1 message=$2 device tailer
  shift 2
  : > "$work/device.log"  # there before tail looks for it (the device's redirection may come later)
  "$@" > "$work/device.log" 2>&1 &
  device=$!
  demo_pids+=("$device")
  tail -n +1 -f "$work/device.log" --pid="$device" &
  tailer=$!
  for _ in $(seq 2000); do
    grep -q "event suback" "$work/device.log" && break
    kill -0 "$device" 2>/dev/null || break
    sleep 0.01
  done
  if grep -q "event suback" "$work/device.log"; then
    mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t "$topic" -m "$message"
  fi
  status=0
  wait "$device" || status=$?
  wait "$tailer" 2>/dev/null || true
}

# show_watcher: what the second client saw, and the device's exit status.
show_watcher() {
  echo
  echo "== what the second client (mosquitto_sub -v -t '/luatos/#') saw:"
  cat "$work/watcher.txt"
  echo "== device exit status $status"
}
