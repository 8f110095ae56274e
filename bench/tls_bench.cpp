// TLS bench: handshake time, heap per TLS client, and throughput over TLS against plain TCP in the
// same run, all against a private mosquitto on 127.0.0.1 (TLS 1.2, certificates made by openssl).
//
// The streams are the tests' loopback TCP Transport (tests/tls/support), to be swapped for the
// platform's HostTcpStream when it lands; TLS and plain TCP go through the same one, so the
// difference between them is TLS's. Heap figures come from glibc's mallinfo2() (all live heap, ours
// and mbedTLS's); they mean nothing in a sanitizer build.
#include <malloc.h>
#include <mbedtls/version.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "platform_air780ep/tls/tls_config.hpp"
#include "platform_air780ep/tls/tls_stream.hpp"
#include "tests/tls/support/tls_world.hpp"

namespace {

using luat_mqtt::Transport;
using platform_air780ep::TlsConfig;
using platform_air780ep::TlsOptions;
using platform_air780ep::TlsStream;
using tests::Bytes;
using tests::KeyKind;
using tests::LoopbackTcpStream;
using tests::StreamProbe;
using tests::TlsWorld;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU time of this process only (the client side; the broker is another process), in µs.
double cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct Rate {
    double per_second = 0;    // messages or MiB per second
    double cpu_per_unit = 0;  // client CPU µs per message, or ms per MiB
};

Rate best_of(const Rate& a, const Rate& b) {
    return a.per_second >= b.per_second ? a : b;
}

std::size_t heap_in_use() {
    const struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

// An MQTT session over TLS (config given) or plain TCP (no config).
class Session {
  public:
    Session(sys_task::EventLoop& loop, std::shared_ptr<const TlsConfig> config) : loop_(loop) {
        auto tcp = std::make_unique<LoopbackTcpStream>(loop);
        if (config) {
            stream_ = std::make_unique<TlsStream>(loop, std::move(config), std::move(tcp));
        } else {
            stream_ = std::move(tcp);
        }
        probe_ = std::make_unique<StreamProbe>(*stream_);
    }

    bool open(std::uint16_t port) {
        const std::size_t before = probe_->events.size();
        probe_->open("localhost", port);
        tests::run_until(
            loop_, [&] { return probe_->events.size() > before; }, 10000);
        return probe_->connected();
    }
    void close() { probe_->close(); }
    bool mqtt_connect(const std::string& id) { return exchange(tests::mqtt_connect(id)) == "20 02 00 00"; }
    std::string exchange(const Bytes& request) {
        probe_->send(request);
        std::optional<Bytes> reply;
        tests::run_until(loop_, [&] { return (reply = tests::take_packet(probe_->received)).has_value(); });
        return reply ? tests::hex(*reply) : "none";
    }
    StreamProbe& probe() { return *probe_; }

  private:
    sys_task::EventLoop& loop_;
    std::unique_ptr<Transport> stream_;
    std::unique_ptr<StreamProbe> probe_;
};

struct Stats {
    double min, median, max;
};

Stats stats_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return {v.front(), v[v.size() / 2], v.back()};
}

// open() to connected (TCP connect + TLS handshake), reconnecting one stream `runs` times.
Stats connect_times(TlsWorld& w, std::shared_ptr<const TlsConfig> config, int runs) {
    const std::uint16_t port = config ? w.broker.port("tls") : w.broker.port("plain");
    Session s(w.loop, std::move(config));
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        if (!s.open(port)) {
            std::fprintf(stderr, "connect failed: %s\n", s.probe().close_detail.c_str());
            std::exit(1);
        }
        times.push_back(ms_since(t0));
        s.close();
    }
    return stats_of(times);
}

// QoS 1 PUBLISHes with up to `window` unacknowledged (mosquitto's default inflight limit is 20).
Rate qos1_rate(TlsWorld& w, std::shared_ptr<const TlsConfig> config, int count, std::size_t payload_size) {
    const bool tls = config != nullptr;
    Session s(w.loop, std::move(config));
    if (!s.open(tls ? w.broker.port("tls") : w.broker.port("plain")) || !s.mqtt_connect("bench-qos1"))
        std::exit(1);
    constexpr int kWindow = 20;
    const Bytes payload(payload_size, 'x');
    int sent = 0;
    int acked = 0;
    const auto t0 = Clock::now();
    const double cpu0 = cpu_us();
    tests::run_until(
        w.loop,
        [&] {
            while (auto p = tests::take_packet(s.probe().received)) {
                if ((*p)[0] == 0x40) ++acked;
            }
            Bytes batch;
            while (sent < count && sent - acked < kWindow) {
                const Bytes pub = tests::mqtt_publish(
                    "bench/qos1", static_cast<std::uint16_t>(sent % 65535 + 1), 1, payload);
                batch.insert(batch.end(), pub.begin(), pub.end());
                ++sent;
            }
            if (!batch.empty()) s.probe().send(batch);
            return acked == count;
        },
        60000);
    const double seconds = ms_since(t0) / 1000.0;
    const double cpu = cpu_us() - cpu0;
    s.close();
    if (acked != count) return {};
    return {count / seconds, cpu / count};
}

// QoS 0 PUBLISHes of 16 KiB (nobody subscribes), then PINGREQ: MiB/s until the PINGRESP.
Rate bulk_rate(TlsWorld& w, std::shared_ptr<const TlsConfig> config, std::size_t total_mib) {
    const bool tls = config != nullptr;
    Session s(w.loop, std::move(config));
    if (!s.open(tls ? w.broker.port("tls") : w.broker.port("plain")) || !s.mqtt_connect("bench-bulk"))
        std::exit(1);
    const Bytes payload(16 * 1024 - 32, 'y');
    const Bytes pub = tests::mqtt_publish("bench/bulk", 0, 0, payload);
    const std::size_t count = total_mib * 1024 * 1024 / pub.size();
    const auto t0 = Clock::now();
    const double cpu0 = cpu_us();
    std::size_t queued = 0;
    bool pinged = false;
    bool ponged = false;
    tests::run_until(
        w.loop,
        [&] {
            // Keep about 1 MiB queued in the probe: the stream takes what it can.
            while (queued < count && s.probe().outbox_empty()) {
                Bytes batch;
                for (int i = 0; i < 64 && queued < count; ++i, ++queued)
                    batch.insert(batch.end(), pub.begin(), pub.end());
                s.probe().send(batch);
            }
            if (queued == count && s.probe().outbox_empty() && !pinged) {
                s.probe().send(Bytes{0xC0, 0x00});
                pinged = true;
            }
            while (auto p = tests::take_packet(s.probe().received))
                ponged = ponged || (*p)[0] == 0xD0;
            return ponged;
        },
        120000);
    const double seconds = ms_since(t0) / 1000.0;
    const double cpu = cpu_us() - cpu0;
    s.close();
    if (!ponged) return {};
    const double mib = static_cast<double>(count * pub.size()) / (1024.0 * 1024.0);
    return {mib / seconds, cpu / 1000.0 / mib};
}

std::shared_ptr<const TlsConfig> verified(const TlsWorld& w) {
    const std::string ca = w.pki.read("ca.pem");
    TlsOptions o;
    o.server_cert = ca;
    return tests::must_build(o);
}

void print_connect_row(const char* what, const Stats& s) {
    std::printf("  %-44s %8.2f %8.2f %8.2f\n", what, s.min, s.median, s.max);
}

}  // namespace

int main() {
    constexpr int kRuns = 21;
    std::printf("TLS bench (mbedTLS %s, TLS 1.2, mosquitto on 127.0.0.1, loopback test stream)\n\n",
                MBEDTLS_VERSION_STRING);

    std::printf("Connect time, open() to connected, ms (%d reconnects of one stream)\n", kRuns);
    std::printf("  %-44s %8s %8s %8s\n", "", "min", "median", "max");
    for (const KeyKind kind : {KeyKind::kEcP256, KeyKind::kRsa2048}) {
        TlsWorld w(kind, false);
        const char* keys = kind == KeyKind::kEcP256 ? "EC P-256" : "RSA 2048";
        if (kind == KeyKind::kEcP256) print_connect_row("plain TCP", connect_times(w, nullptr, kRuns));
        print_connect_row((std::string("TLS, ") + keys + " certs, verify 2").c_str(),
                          connect_times(w, verified(w), kRuns));
        print_connect_row((std::string("TLS, ") + keys + " certs, verify 0 (ssl = true)").c_str(),
                          connect_times(w, tests::must_insecure(), kRuns));
    }

    // Heap sampled each time the loop is about to wait for the network, while `sampling`. Declared
    // before the world: the loop keeps the hook to its end.
    struct HeapPeak {
        bool sampling = false;
        std::size_t base = 0;
        std::size_t peak = 0;
    } heap_peak;
    TlsWorld w(KeyKind::kEcP256, false);
    w.loop.add_before_block([&heap_peak] {
        if (!heap_peak.sampling) return;
        const std::size_t now = heap_in_use();
        if (now > heap_peak.base) heap_peak.peak = std::max(heap_peak.peak, now - heap_peak.base);
    });
    std::printf("\nHeap in use (glibc mallinfo2), EC P-256 certificates, verify 2\n");
    {
        const std::size_t before_config = heap_in_use();
        auto config = verified(w);
        const std::size_t config_heap = heap_in_use() - before_config;

        constexpr int kClients = 20;
        const std::size_t before = heap_in_use();
        std::vector<std::unique_ptr<Session>> clients;
        for (int i = 0; i < kClients; ++i)
            clients.push_back(std::make_unique<Session>(w.loop, config));
        const std::size_t idle = heap_in_use() - before;
        for (auto& c : clients) {
            if (!c->open(w.broker.port("tls"))) return 1;
        }
        const std::size_t connected = heap_in_use() - before;
        clients.clear();

        // One handshake, from before the stream is made to connected.
        heap_peak.base = heap_in_use();
        {
            heap_peak.sampling = true;
            Session one(w.loop, config);
            if (!one.open(w.broker.port("tls"))) return 1;
            heap_peak.sampling = false;
        }
        std::printf("  %-44s %8zu bytes\n", "config (CA chain, DRBG), shared", config_heap);
        std::printf("  %-44s %8zu bytes\n", "per client, created, not connected", idle / kClients);
        std::printf("  %-44s %8zu bytes\n", "per client, connected (mean of 20)", connected / kClients);
        std::printf("  %-44s %8zu bytes\n", "one client, peak seen during the handshake", heap_peak.peak);
    }

    std::printf(
        "\nThroughput, same broker, same run, plain TCP vs TLS (EC P-256, verify 2); best of 2 runs each.\n");
    std::printf("The rate is mostly the broker's; the client CPU column is this process alone.\n");
    std::printf("  %-40s %10s %10s %9s   %s\n", "", "plain", "TLS", "TLS/plain", "client CPU plain / TLS");
    const auto config = verified(w);
    for (const std::size_t size : {std::size_t{64}, std::size_t{1024}}) {
        constexpr int kCount = 20000;
        const Rate plain = best_of(qos1_rate(w, nullptr, kCount, size), qos1_rate(w, nullptr, kCount, size));
        const Rate tls = best_of(qos1_rate(w, config, kCount, size), qos1_rate(w, config, kCount, size));
        std::printf(
            "  QoS 1, %4zu B payload, window 20, msg/s   %10.0f %10.0f %9.2f   %.1f / %.1f us per message\n",
            size, plain.per_second, tls.per_second, tls.per_second / plain.per_second, plain.cpu_per_unit,
            tls.cpu_per_unit);
    }
    {
        constexpr std::size_t kMib = 64;
        const Rate plain = best_of(bulk_rate(w, nullptr, kMib), bulk_rate(w, nullptr, kMib));
        const Rate tls = best_of(bulk_rate(w, config, kMib), bulk_rate(w, config, kMib));
        std::printf(
            "  QoS 0, 16 KiB messages, %zu MiB up, MiB/s  %10.1f %10.1f %9.2f   %.2f / %.2f ms per MiB\n",
            kMib, plain.per_second, tls.per_second, tls.per_second / plain.per_second, plain.cpu_per_unit,
            tls.cpu_per_unit);
    }
    return 0;
}
