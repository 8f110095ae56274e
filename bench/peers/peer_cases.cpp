#include "bench/peers/peer_cases.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "bench/peers/json_line.hpp"
#include "bench/peers/measure.hpp"
#include "bench/peers/seq_payload.hpp"

namespace bench {

namespace {

constexpr int kConnectTimeoutMs = 10000;
constexpr std::uint64_t kStallTimeoutNs = 30ULL * 1000000000ULL;  // no progress this long: the case failed

struct CaseFailed {
    std::string message;
};

class CaseRun {
  public:
    CaseRun(std::string_view impl, const Options& o, const ClientFactory& make, std::uint64_t started_ns)
        : o_(o), make_(make), started_ns_(started_ns) {
        out_.add("impl", impl).add("case", case_name(o.bench_case));
    }

    int run() {
        try {
            switch (o_.bench_case) {
                case Case::kQos0:
                    qos0();
                    break;
                case Case::kPipelined:
                    pipelined();
                    break;
                case Case::kRtt:
                    rtt();
                    break;
                case Case::kStartup:
                    startup();
                    break;
                case Case::kIdle:
                    idle();
                    break;
                case Case::kDemo:
                    demo();
                    break;
            }
        } catch (const CaseFailed& f) {
            out_.add("ok", false).add("error", f.message);
            add_process_figures(out_, 0);
            out_.print();
            return 1;
        }
        out_.add("ok", true);
        out_.print();
        return 0;
    }

  private:
    [[noreturn]] static void fail(const std::string& message) { throw CaseFailed{message}; }

    ConnectParams params(const std::string& client_id) const {
        ConnectParams p;
        p.host = o_.host;
        p.port = o_.port;
        p.client_id = client_id;
        p.keepalive_s = o_.keepalive_s;
        p.send_window = o_.window;
        p.tls_ca = o_.tls_ca;
        return p;
    }

    std::unique_ptr<PeerClient> connected_client(const std::string& client_id) {
        auto c = make_();
        std::string error;
        if (!c->connect(params(client_id), kConnectTimeoutMs, error)) fail("connect: " + error);
        return c;
    }

    // Publish, pumping while the library says its window is full.
    static void publish(PeerClient& c, const std::string& topic, std::span<const char> payload, int qos) {
        const std::uint64_t since = mono_ns();
        for (;;) {
            const PublishStatus st = c.publish(topic, payload, qos);
            if (st == PublishStatus::kOk) return;
            if (st == PublishStatus::kError) fail("publish: the connection is gone");
            if (mono_ns() - since > kStallTimeoutNs) fail("publish: the library's window stayed full");
            c.pump(100);
        }
    }

    // Pump until `done()`, failing after kStallTimeoutNs without it.
    template <class Done>
    static void pump_until(PeerClient& c, Done done, const char* what) {
        const std::uint64_t since = mono_ns();
        while (!done()) {
            if (!c.connected()) fail(std::string(what) + ": the connection is gone");
            if (mono_ns() - since > kStallTimeoutNs) fail(std::string(what) + ": timed out");
            c.pump(100);
        }
    }

    void add_params(int qos) {
        out_.add("topic", o_.topic)
            .add("size", static_cast<std::uint64_t>(o_.size))
            .add("count", o_.count)
            .add("qos", qos)
            .add("window", o_.window);
    }

    void add_rate(std::uint64_t messages, std::uint64_t t0, std::uint64_t t1) {
        const double elapsed = seconds_between(t0, t1);
        out_.add("published", messages)
            .add("elapsed_s", elapsed)
            .add("rate", static_cast<double>(messages) / elapsed);
    }

    // A tight loop of QoS 0 publishes, then one QoS 1 publish on TOPIC/fence: when its PUBACK is back,
    // the broker has taken every message before it (one TCP stream, handled in order).
    void qos0() {
        add_params(0);
        auto c = connected_client(o_.client_id);
        SeqPayload payload(o_.size);
        const std::uint64_t t0 = mono_ns();
        for (std::uint64_t seq = 1; seq <= o_.count; ++seq) {
            payload.set(seq);
            publish(*c, o_.topic, payload.bytes(), 0);
            if (c->backlogged()) {
                // The socket is full: wait until the library has written what it holds, so that its
                // memory stays bounded (one message), as the runtime under test must.
                pump_until(
                    *c, [&] { return !c->backlogged(); }, "writing");
            } else if ((seq & 1023) == 0) {
                c->pump(0);  // read what came in (PINGRESP) now and then
            }
        }
        const std::uint64_t before = c->completed();
        publish(*c, o_.topic + "/fence", payload.bytes(), 1);
        pump_until(
            *c, [&] { return c->completed() > before; }, "fence PUBACK");
        const std::uint64_t t1 = mono_ns();
        add_rate(o_.count, t0, t1);
        c->disconnect();
        add_process_figures(out_, o_.count);
    }

    // QoS 1/2 with at most `window` publishes waiting for their PUBACK / PUBCOMP; the time is taken at
    // the last completion (the Lua script's last "sent" event).
    void pipelined() {
        add_params(o_.qos);
        auto c = connected_client(o_.client_id);
        SeqPayload payload(o_.size);
        const auto window = static_cast<std::uint64_t>(o_.window);
        std::uint64_t published = 0;
        std::uint64_t max_in_flight = 0;
        const std::uint64_t t0 = mono_ns();
        std::uint64_t last_progress = t0;
        std::uint64_t last_completed = 0;
        while (c->completed() < o_.count) {
            while (published < o_.count && published - c->completed() < window) {
                payload.set(published + 1);
                const PublishStatus st = c->publish(o_.topic, payload.bytes(), o_.qos);
                if (st == PublishStatus::kFull) break;
                if (st == PublishStatus::kError) fail("publish: the connection is gone");
                ++published;
                max_in_flight = std::max(max_in_flight, published - c->completed());
            }
            c->pump(100);
            const std::uint64_t now = mono_ns();
            if (c->completed() != last_completed) {
                last_completed = c->completed();
                last_progress = now;
            } else if (now - last_progress > kStallTimeoutNs) {
                fail("no PUBACK/PUBCOMP for 30 s after " + std::to_string(last_completed));
            }
            if (!c->connected()) fail("the connection is gone after " + std::to_string(c->completed()));
        }
        const std::uint64_t t1 = mono_ns();
        add_rate(o_.count, t0, t1);
        out_.add("completed", c->completed()).add("max_in_flight", max_in_flight);
        c->disconnect();
        add_process_figures(out_, o_.count);
    }

    // QoS 1 to its own subscription, one at a time: publish, wait for the message to come back.
    void rtt() {
        add_params(1);
        auto c = connected_client(o_.client_id);
        std::string error;
        if (!c->subscribe(o_.topic, 1, kConnectTimeoutMs, error)) fail("subscribe: " + error);
        SeqPayload payload(o_.size);
        std::vector<double> samples_us;
        samples_us.reserve(o_.count);
        const std::uint64_t t0 = mono_ns();
        for (std::uint64_t seq = 1; seq <= o_.count; ++seq) {
            payload.set(seq);
            const std::uint64_t sent = mono_ns();
            publish(*c, o_.topic, payload.bytes(), 1);
            pump_until(
                *c, [&] { return c->last_received_seq() == seq; }, "round trip");
            samples_us.push_back(static_cast<double>(mono_ns() - sent) / 1000.0);
        }
        const std::uint64_t t1 = mono_ns();
        add_rate(o_.count, t0, t1);
        out_.add("rtt_us", to_json(percentiles(samples_us)));
        c->disconnect();
        add_process_figures(out_, o_.count);
    }

    void startup() {
        auto c = connected_client(o_.client_id);
        const double conack_ms = seconds_between(started_ns_, mono_ns()) * 1000.0;
        JsonLine conack;
        conack.add("event", "conack").add("since_start_ms", conack_ms);
        conack.print();
        out_.add("conack_ms", conack_ms);
        c->disconnect();
        add_process_figures(out_, 0);
    }

    // Idle connected clients: the resident set grown per client. A first client is connected before the
    // "before" figure so that what a library sets up once per process (threads, TLS library) is not
    // counted per client; then `clients` more. Each is pumped for a second so that every library has
    // settled (read its CONNACK, sized its buffers).
    void idle() {
        out_.add("clients", o_.clients).add("tls", !o_.tls_ca.empty());
        std::vector<std::unique_ptr<PeerClient>> clients;
        clients.reserve(static_cast<std::size_t>(o_.clients) + 1);
        const auto settle = [&] {
            const std::uint64_t until = mono_ns() + 1000000000ULL;
            while (mono_ns() < until) {
                for (auto& c : clients)
                    c->pump(0);
                ::usleep(10000);
            }
        };
        clients.push_back(connected_client(o_.client_id + "-0"));
        settle();
        const long rss0 = current_rss_kb();
        for (int i = 1; i <= o_.clients; ++i)
            clients.push_back(connected_client(o_.client_id + "-" + std::to_string(i)));
        settle();
        std::size_t alive = 0;  // of the measured clients (not the first)
        for (std::size_t i = 1; i < clients.size(); ++i)
            alive += clients[i]->connected() ? 1 : 0;
        const long rss1 = current_rss_kb();
        out_.add("connected", static_cast<std::uint64_t>(alive))
            .add("rss_before_kb", static_cast<std::int64_t>(rss0))
            .add("rss_after_kb", static_cast<std::int64_t>(rss1))
            .add("rss_per_client_b",
                 static_cast<double>(rss1 - rss0) * 1024.0 / static_cast<double>(o_.clients));
        if (alive + 1 != clients.size())
            fail(std::to_string(clients.size() - 1 - alive) + " clients lost their connection");
        for (auto& c : clients)
            c->disconnect();
        add_process_figures(out_, 0);
    }

    // The single-link demo's traffic: subscribe to SUB_TOPIC, publish "123,<date>" at QoS 1 every
    // `interval`, for `duration`.
    void demo() {
        out_.add("topic", o_.topic).add("duration_s", o_.duration_s).add("interval_ms", o_.interval_ms);
        auto c = connected_client(o_.client_id);
        std::string error;
        if (!c->subscribe(o_.sub_topic, 0, kConnectTimeoutMs, error)) fail("subscribe: " + error);
        const std::uint64_t t0 = mono_ns();
        const auto duration_ns = static_cast<std::uint64_t>(o_.duration_s * 1e9);
        const auto interval_ns = static_cast<std::uint64_t>(o_.interval_ms) * 1000000ULL;
        std::uint64_t next = t0 + interval_ns;
        std::uint64_t published = 0;
        for (std::uint64_t now = t0; now - t0 < duration_ns; now = mono_ns()) {
            if (now >= next) {
                char date[64];
                const time_t t = ::time(nullptr);
                tm local{};
                ::localtime_r(&t, &local);
                const std::size_t n = std::strftime(date, sizeof date, "123,%a %b %d %H:%M:%S %Y", &local);
                publish(*c, o_.topic, std::span<const char>(date, n), 1);
                ++published;
                next += interval_ns;
            }
            if (!c->connected()) fail("the connection is gone");
            c->pump(100);
        }
        out_.add("published", published).add("completed", c->completed()).add("received", c->received());
        c->disconnect();
        add_process_figures(out_, 0);
    }

    const Options& o_;
    const ClientFactory& make_;
    std::uint64_t started_ns_;
    JsonLine out_;
};

}  // namespace

void announce_start(const Options& options, std::uint64_t started_ns) {
    if (options.bench_case != Case::kStartup) return;
    JsonLine start;
    start.add("event", "start").add("since_start_ms", seconds_between(started_ns, mono_ns()) * 1000.0);
    start.print();
}

int run_case(std::string_view impl, const Options& options, const ClientFactory& make_client,
             std::uint64_t started_ns) {
    return CaseRun(impl, options, make_client, started_ns).run();
}

}  // namespace bench
