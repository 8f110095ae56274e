#!/usr/bin/env bash
# Set-up for a fresh Debian 12 machine: install the dependencies from Debian packages, fetch the
# Debian *source* packages of Lua, lwIP and libslirp into third_party/ (ignored by git), then configure
# and build.
# Idempotent: every step is skipped when its result is already there.
#
#   ./setup.sh            install + fetch + build (build/)
#   ./setup.sh demo       ... then run the MQTT demo against a private local broker
#   ./setup.sh tls-demo   ... then run the guide's "SSL with certificate" demo against a local TLS broker
#   ./setup.sh test       ... then run every test (ctest)
#   ./setup.sh asan       ... then build with ASan+UBSan (build-asan/) and run every test there
set -euo pipefail
cd "$(dirname "$0")"
top=$PWD

packages=(build-essential cmake ninja-build pkg-config dpkg-dev clang
          libmbedtls-dev libslirp-dev libglib2.0-dev libpcre2-dev catch2
          mosquitto mosquitto-clients libmosquitto-dev libpaho-mqtt-dev openssl python3
          zlib1g-dev libgcrypt20-dev libgpg-error-dev libhttp-parser-dev libpcap-dev tshark
          python3-pyftpdlib)

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  # tshark's package asks whether non-root users may capture; the tests only read files: no.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo_cmd[@]}" debconf-set-selections
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Third-party sources from Debian's *source* packages, through a private apt configuration whose
# URIs line is read from this system's own apt sources (no registry host is written in this repo):
#   Lua 5.4.4 (built as C++ with LuatOS's configuration, sys_task/lua/CMakeLists.txt),
#   lwIP 2.1.3 (built with the module's own lwipopts.h) and libslirp 4.7.0, the same version as the
#   libslirp0 package, built here as a static library so that `luatos` can be one static executable
#   (bench/README.md, "Memory and start-up"; without these sources the build uses libslirp.so).
fetch_debian_source() {  # fetch_debian_source <package=version> <unpacked folder> <destination>
  local spec=$1 unpacked=$2 dest=$3
  local work=$top/third_party/.apt
  rm -rf "$work" && mkdir -p "$work/parts" "$work/lists/partial" "$work/src"
  local uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/ {print $2; exit}' "$f")
    grep -q '^Suites:.*bookworm' "$f" && [ -n "$uri" ] && break
  done
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 ~ /bookworm/ {for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { echo "setup: no Debian source found in /etc/apt to fetch ${spec%%=*} from" >&2; exit 1; }
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uri" > "$work/parts/src.sources"
  local apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/parts"
                  -o "Dir::State::Lists=$work/lists" -o Debug::NoLocking=1)
  apt-get "${apt_opts[@]}" update -qq
  (cd "$work/src" && apt-get "${apt_opts[@]}" source -qq "$spec" 2>&1 | grep -v 'unsandboxed' || true)
  rm -rf "$dest"
  mv "$work/src/$unpacked" "$dest"
  rm -rf "$work"
  echo "setup: ${spec} unpacked in ${dest#$top/}"
}

lua_dir=$top/third_party/lua
if [ ! -f "$lua_dir/src/lapi.c" ]; then
  fetch_debian_source "lua5.4=5.4.4-3+deb12u1" "lua5.4-5.4.4" "$lua_dir"
fi
lwip_dir=$top/third_party/lwip
if [ ! -f "$lwip_dir/src/core/tcp.c" ]; then
  fetch_debian_source "lwip=2.1.3+dfsg1-2" "lwip-2.1.3+dfsg1" "$lwip_dir"
fi
slirp_dir=$top/third_party/libslirp
if [ ! -f "$slirp_dir/src/slirp.c" ]; then
  fetch_debian_source "libslirp=4.7.0-1" "libslirp-4.7.0" "$slirp_dir"
fi

build() {  # build <dir> [cmake args...]
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$top" -B "$dir" -G Ninja "$@" >/dev/null
  fi
  cmake --build "$dir" -j "$(nproc)"
}

run_tests() {  # run_tests <build dir>
  ctest --test-dir "$1" --no-tests=error --output-on-failure -j "$(nproc)"
}

case "${1:-}" in
  "" | build) build "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo ;;
  demo)
    build "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    exec "$top/demo_scripts/run_demo.sh" ;;
  tls-demo)
    build "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    exec "$top/demo_scripts/run_tls_demo.sh" ;;
  test)
    build "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    run_tests "$top/build" ;;
  asan)
    build "$top/build-asan" -DCMAKE_BUILD_TYPE=Debug -DLUATOS_SANITIZE=ON
    run_tests "$top/build-asan" ;;
  *) echo "usage: $0 [build|demo|tls-demo|test|asan]" >&2; exit 2 ;;
esac
