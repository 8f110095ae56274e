// bench_counter: the subscriber that counts what the broker delivered during a bench case.
//
// Subscribes to TOPIC at QoS Q, prints {"event":"ready"} once the SUBACK is in (the harness starts the
// publisher then), reads every message's sequence number (bench/peers/seq_payload.hpp) and stops when
// all COUNT arrived, IDLE ms after the last one, START_TIMEOUT ms if none comes, or on SIGTERM/SIGINT.
// Then prints one JSON line: what arrived (lost, duplicated, reordered) and the delivered rate between
// the first and the last arrival.
//
// It drives libmosquitto from its own poll() loop and reads until the socket is empty on each wake-up,
// so that the counter costs as little CPU as libmosquitto allows on this shared machine.
#include <mosquitto.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "bench/counter/message_tally.hpp"
#include "bench/peers/json_line.hpp"
#include "bench/peers/measure.hpp"
#include "bench/peers/options.hpp"

namespace {

struct MosquittoLibrary {
    MosquittoLibrary() { mosquitto_lib_init(); }
    ~MosquittoLibrary() { mosquitto_lib_cleanup(); }
    MosquittoLibrary(const MosquittoLibrary&) = delete;
    MosquittoLibrary& operator=(const MosquittoLibrary&) = delete;
};

struct Handle {
    mosquitto* mosq = nullptr;
    Handle() = default;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() {
        if (mosq != nullptr) mosquitto_destroy(mosq);
    }
};

struct State {
    bench::MessageTally tally;
    int connack_rc = -1;
    int suback_mid = 0;
    bool subscribed = false;
    bool connected = false;
};

int fail(const std::string& message) {
    bench::JsonLine out;
    out.add("impl", "counter").add("ok", false).add("error", message);
    out.print();
    return 1;
}

// SIGTERM/SIGINT are blocked and polled, so that no handler and no global flag are needed.
bool stop_requested() {
    sigset_t pending;
    sigemptyset(&pending);
    ::sigpending(&pending);
    return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

}  // namespace

int main(int argc, char** argv) {
    bench::Options o;
    if (std::string error; !bench::parse_options({argv + 1, static_cast<std::size_t>(argc - 1)}, o, error)) {
        std::fprintf(stderr, "bench_counter: %s\n%s", error.c_str(),
                     bench::usage_text("bench_counter").c_str());
        return 2;
    }
    if (o.help) {
        std::fputs(bench::usage_text("bench_counter").c_str(), stdout);
        return 0;
    }
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    ::sigprocmask(SIG_BLOCK, &stop_signals, nullptr);

    const MosquittoLibrary library;
    State state{bench::MessageTally(o.count, o.size)};
    Handle h;
    const std::string id = o.client_id.empty() ? "bench-counter-" + std::to_string(::getpid()) : o.client_id;
    h.mosq = mosquitto_new(id.c_str(), true, &state);
    if (h.mosq == nullptr) return fail("mosquitto_new failed");
    mosquitto_int_option(h.mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_int_option(h.mosq, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(h.mosq, [](mosquitto*, void* s, int rc) {
        static_cast<State*>(s)->connack_rc = rc;
        static_cast<State*>(s)->connected = rc == 0;
    });
    mosquitto_disconnect_callback_set(
        h.mosq, [](mosquitto*, void* s, int) { static_cast<State*>(s)->connected = false; });
    mosquitto_subscribe_callback_set(h.mosq, [](mosquitto*, void* s, int mid, int n, const int* granted) {
        auto* st = static_cast<State*>(s);
        if (mid == st->suback_mid && n > 0 && granted[0] <= 2) st->subscribed = true;
    });
    mosquitto_message_callback_set(h.mosq, [](mosquitto*, void* s, const mosquitto_message* m) {
        static_cast<State*>(s)->tally.add(
            {static_cast<const unsigned char*>(m->payload), static_cast<std::size_t>(m->payloadlen)},
            bench::mono_ns());
    });

    int rc = mosquitto_connect(h.mosq, o.host.c_str(), o.port, o.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) return fail(std::string("connect: ") + mosquitto_strerror(rc));
    const std::uint64_t setup_deadline = bench::mono_ns() + 10000000000ULL;
    while (state.connack_rc < 0 && bench::mono_ns() < setup_deadline && mosquitto_loop(h.mosq, 100, 1) == 0) {
    }
    if (state.connack_rc != 0) return fail("no CONNACK");
    rc = mosquitto_subscribe(h.mosq, &state.suback_mid, o.topic.c_str(), o.qos);
    if (rc != MOSQ_ERR_SUCCESS) return fail(std::string("subscribe: ") + mosquitto_strerror(rc));
    while (!state.subscribed && bench::mono_ns() < setup_deadline && mosquitto_loop(h.mosq, 100, 1) == 0) {
    }
    if (!state.subscribed) return fail("no SUBACK");

    bench::JsonLine ready;
    ready.add("event", "ready");
    ready.print();

    const std::uint64_t ready_ns = bench::mono_ns();
    const auto idle_ns = static_cast<std::uint64_t>(o.idle_ms) * 1000000ULL;
    const auto start_timeout_ns = static_cast<std::uint64_t>(o.start_timeout_ms) * 1000000ULL;
    const int fd = mosquitto_socket(h.mosq);
    const char* stopped = "count";
    for (;;) {
        if (state.tally.complete()) break;
        if (stop_requested()) {
            stopped = "signal";
            break;
        }
        if (!state.connected) {
            stopped = "disconnected";
            break;
        }
        const std::uint64_t now = bench::mono_ns();
        if (state.tally.received() == 0 && now - ready_ns > start_timeout_ns) {
            stopped = "start_timeout";
            break;
        }
        if (state.tally.received() > 0 && now - state.tally.last_ns() > idle_ns) {
            stopped = "idle";
            break;
        }
        pollfd pfd{fd, static_cast<short>(POLLIN | (mosquitto_want_write(h.mosq) ? POLLOUT : 0)), 0};
        if (::poll(&pfd, 1, 100) < 0 && errno != EINTR) {
            stopped = "poll_error";
            break;
        }
        if ((pfd.revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
            // Each call reads at most one packet (libmosquitto 2.0, nothing queued): go on until the
            // socket says EAGAIN.
            for (;;) {
                errno = 0;
                rc = mosquitto_loop_read(h.mosq, 1);
                if (rc != MOSQ_ERR_SUCCESS) {
                    state.connected = false;
                    break;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK || state.tally.complete()) break;
            }
        }
        if (mosquitto_want_write(h.mosq)) mosquitto_loop_write(h.mosq, 1);
        mosquitto_loop_misc(h.mosq);
    }

    bench::JsonLine out;
    out.add("impl", "counter")
        .add("ok", true)
        .add("stopped", stopped)
        .add("topic", o.topic)
        .add("qos", o.qos);
    state.tally.add_to(out);
    bench::add_process_figures(out, 0);
    out.print();
    if (state.connected) {
        mosquitto_disconnect(h.mosq);
        mosquitto_loop(h.mosq, 10, 1);
    }
    return 0;
}
