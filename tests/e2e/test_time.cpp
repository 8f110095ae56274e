// Time on the module (docs/modules/sntp.md, rtc.md, docs/network.md "Time"): socket.sntp on both
// adapters against the simulated network's NTP, the clock that os.time and rtc.get read, the
// network's time at attach (mobile.syncTime), `--control clock`, LuatOS's timeout sequence when
// no server answers, and the official ntp and rtc demos unchanged.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <thread>

#include "lua_bindings/device/device_network.hpp"
#include "platform_air780ep/module_clock.hpp"
#include "platform_air780ep/ntp_packet.hpp"
#include "tests/e2e/e2e.hpp"
#include "tests/support/control_client.hpp"

using namespace tests;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kTenYears = 3650LL * 86400;

// A UDP port on 127.0.0.1 that receives and never answers (a dead NTP server), kept for the test.
class SilentUdpPort {
  public:
    SilentUdpPort() : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("cannot bind a UDP port on 127.0.0.1");
        port_ = ntohs(a.sin_port);
    }
    ~SilentUdpPort() { ::close(fd_); }
    [[nodiscard]] int fd() const { return fd_; }
    SilentUdpPort(const SilentUdpPort&) = delete;
    SilentUdpPort& operator=(const SilentUdpPort&) = delete;
    [[nodiscard]] std::uint16_t port() const { return port_; }

  private:
    int fd_;
    std::uint16_t port_ = 0;
};

std::string adapter_expr(NetPath path) {
    return path == NetPath::kEth0 ? "socket.ETH0" : "socket.LWIP_GP";
}

// The lines of the script and of libsntp.
Lines script_and_sntp(const Lines& lines) {
    Lines out;
    for (const auto& l : lines) {
        if (l.starts_with("I/user.") || l.starts_with("D/sntp") || l.starts_with("I/sntp") ||
            l.starts_with("W/sntp") || l.starts_with("E/sntp") || l.starts_with("E/main"))
            out.push_back(l);
    }
    return out;
}

// The words of the line that starts with `prefix` (nullopt if none).
std::optional<std::vector<std::string>> words_of(const Lines& lines, const std::string& prefix) {
    for (const auto& l : lines) {
        if (!l.starts_with(prefix)) continue;
        std::istringstream in(l.substr(prefix.size()));
        std::vector<std::string> words;
        for (std::string w; in >> w;)
            words.push_back(w);
        return words;
    }
    return std::nullopt;
}

std::string utc_fields(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return std::to_string(tm.tm_year + 1900) + " " + std::to_string(tm.tm_mon + 1) + " " +
           std::to_string(tm.tm_mday) + " " + std::to_string(tm.tm_hour) + " " + std::to_string(tm.tm_min) +
           " " + std::to_string(tm.tm_sec);
}

void sntp_sets_the_clock(NetPath path) {
    DeviceOptions options;
    options.network = network_to(path, 1);
    // The simulated network runs ten years behind the host: only a sync can give the clock that.
    options.setup = [](lua_bindings::Device& d) { d.network()->network_time().set_skew_seconds(-kTenYears); };
    const std::string script = R"LUA(
        mobile.syncTime(false)
        log.info("t", "set", rtc.set(1000000000), os.time())
        sys.subscribe("NTP_UPDATE", function(how) log.info("t", "NTP_UPDATE", how) end)
        sys.taskInit(function()
            while not socket.adapter(ADAPTER) do sys.waitUntil("IP_READY", 1000) end
            log.info("t", "before", socket.ntptm().vaild)
            socket.sntp(nil, ADAPTER)
            local ok = sys.waitUntil("NTP_UPDATE", 10000)
            local now, t = os.time(), rtc.get()
            log.info("t", "after", ok, socket.ntptm().vaild, now)
            log.info("t", "rtc", t.year, t.mon, t.day, t.hour, t.min, t.sec)
            os.exit(0)
        end)
        sys.run()
    )LUA";
    const std::string main = "local ADAPTER = " + adapter_expr(path) + "\n" + script;
    const std::int64_t before = platform_air780ep::host_unix_ms() / 1000 - kTenYears;
    const DeviceResult r = run_device(main, options);
    const std::int64_t after = platform_air780ep::host_unix_ms() / 1000 - kTenYears;
    CHECK(r.exit_code == 0);
    const Lines lines = script_and_sntp(r.lines);
    REQUIRE(lines.size() == 7);
    CHECK_LINES(Lines(lines.begin(), lines.begin() + 5),
                {"I/user.t set true 1000000000", "I/user.t before nil", "D/sntp query ntp.aliyun.com",
                 lines[3], "I/user.t NTP_UPDATE 0"});
    CHECK(lines[3].starts_with("D/sntp Unix timestamp: "));
    const auto words = words_of(lines, "I/user.t after ");
    REQUIRE(words);
    REQUIRE(words->size() == 3);
    CHECK((*words)[0] == "true");
    CHECK((*words)[1] == "true");
    const std::int64_t now = std::stoll((*words)[2]);
    CHECK(now >= before - 1);  // LuatOS keeps whole seconds of the answer
    CHECK(now <= after + 1);
    CHECK(lines[6] == "I/user.t rtc " + utc_fields(now));
    CHECK(lines[5] == "I/user.t after true true " + std::to_string(now));
}

void dead_servers_give_ntp_error(NetPath path) {
    SilentUdpPort dead;
    DeviceOptions options;
    options.network = network_to(path, 1);
    for (const char* name : {"ntp.aliyun.com", "ntp.ntsc.ac.cn", "time1.cloud.tencent.com"})
        options.network.hosts.add(name, platform_air780ep::HostTarget{"127.0.0.1", dead.port()});
    const std::string main = "local ADAPTER = " + adapter_expr(path) + "\n" + R"LUA(
        sys.subscribe("NTP_ERROR", function(...) log.info("t", "NTP_ERROR", select("#", ...)) end)
        sys.taskInit(function()
            while not socket.adapter(ADAPTER) do sys.waitUntil("IP_READY", 1000) end
            socket.sntp(nil, ADAPTER)
            socket.sntp(nil, ADAPTER)
            log.info("t", "wait", sys.waitUntil("NTP_ERROR", 20000))
            log.info("t", "vaild", socket.ntptm().vaild)
            os.exit(0)
        end)
        sys.run()
    )LUA";
    const DeviceResult r = run_device(main, options);
    CHECK(r.exit_code == 0);
    CHECK_LINES(script_and_sntp(r.lines),
                {"D/sntp query ntp.aliyun.com", "I/sntp sntp is running", "W/sntp timeout send ntp_error",
                 "D/sntp 前一个ntp服务器未响应,尝试下一个", "D/sntp query ntp.ntsc.ac.cn",
                 "W/sntp timeout send ntp_error", "D/sntp 前一个ntp服务器未响应,尝试下一个",
                 "D/sntp query time1.cloud.tencent.com", "W/sntp timeout send ntp_error",
                 "I/user.t NTP_ERROR 0", "I/user.t wait true", "I/user.t vaild nil"});
}

// An NTP server of the test's own on 127.0.0.1, answering every request with a fixed time.
class FixedNtpPeer {
  public:
    explicit FixedNtpPeer(std::int64_t unix_ms) : socket_(), unix_ms_(unix_ms) {
        thread_ = std::thread([this] { serve(); });
    }
    ~FixedNtpPeer() {
        stop_ = true;
        thread_.join();
    }
    FixedNtpPeer(const FixedNtpPeer&) = delete;
    FixedNtpPeer& operator=(const FixedNtpPeer&) = delete;
    [[nodiscard]] std::uint16_t port() const { return socket_.port(); }

  private:
    void serve() {
        while (!stop_) {
            pollfd p{socket_.fd(), POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            std::uint8_t buf[512];
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const ssize_t n =
                ::recvfrom(socket_.fd(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0) continue;
            const auto reply = platform_air780ep::make_ntp_reply(
                std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)), unix_ms_);
            if (reply)
                ::sendto(socket_.fd(), reply->data(), reply->size(), 0,
                         reinterpret_cast<const sockaddr*>(&from), len);
        }
    }

    SilentUdpPort socket_;
    std::int64_t unix_ms_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

void mapped_server(NetPath path) {
    FixedNtpPeer peer(1500000000250LL);
    DeviceOptions options;
    options.network = network_to(path, 1);
    options.network.hosts.add("ntp.peer.test", platform_air780ep::HostTarget{"127.0.0.1", peer.port()});
    const std::string main = "local ADAPTER = " + adapter_expr(path) + "\n" + R"LUA(
        mobile.syncTime(false)
        sys.taskInit(function()
            while not socket.adapter(ADAPTER) do sys.waitUntil("IP_READY", 1000) end
            socket.sntp({"ntp.peer.test", "far.peer.test"}, ADAPTER)
            log.info("t", "update", sys.waitUntil("NTP_UPDATE", 10000), os.time(), os.date("!%Y-%m-%d %H:%M:%S"))
            os.exit(0)
        end)
        sys.run()
    )LUA";
    const DeviceResult r = run_device(main, options);
    CHECK(r.exit_code == 0);
    CHECK_LINES(script_and_sntp(r.lines), {"D/sntp query ntp.peer.test", "D/sntp Unix timestamp: 1500000000",
                                           "I/user.t update true 1500000000 2017-07-14 02:40:00"});
}

}  // namespace

E2E_ON_BOTH_PATHS("time: socket.sntp gets NTP_UPDATE and os.time/rtc.get follow the simulated network",
                  sntp_sets_the_clock)
E2E_ON_BOTH_PATHS("time: a server the host map sends to this host is asked there, not the simulated one",
                  mapped_server)
E2E_ON_BOTH_PATHS("time: NTP servers that never answer give NTP_ERROR after LuatOS's three timeouts",
                  dead_servers_give_ntp_error)

TEST_CASE(
    "time: at attach the module takes the network's time (NTP_UPDATE 1) unless mobile.syncTime(false)") {
    for (const bool sync : {true, false}) {
        DeviceOptions options;
        options.network = network_to(NetPath::kLwip, 1);
        options.setup = [](lua_bindings::Device& d) {
            d.network()->network_time().set_skew_seconds(-kTenYears);
        };
        const std::string main = std::string("log.info('t', 'switch', mobile.syncTime(") +
                                 (sync ? "" : "false") +
                                 R"LUA())
            sys.subscribe("NTP_UPDATE", function(how) log.info("t", "NTP_UPDATE", how) end)
            sys.subscribe("IP_READY", function() log.info("t", "IP_READY", os.time() < 1500000000) os.exit(0) end)
            sys.run()
        )LUA";
        const DeviceResult r = run_device(main, options);
        CHECK(r.exit_code == 0);
        if (sync) {
            CHECK_LINES(script_and_sntp(r.lines),
                        {"I/user.t switch true", "I/user.t NTP_UPDATE 1", "I/user.t IP_READY true"});
        } else {
            CHECK_LINES(script_and_sntp(r.lines), {"I/user.t switch false", "I/user.t IP_READY false"});
        }
    }
}

TEST_CASE("time: `--control clock +3600` shows in socket.ntptm after the next sync") {
    TempDir dir("e2e-time");
    const std::string control = (dir.path() / "device.ctl").string();
    write_file(dir.path() / "main.lua", R"LUA(
        mobile.syncTime(false)
        sys.taskInit(function()
            sys.waitUntil("IP_READY")
            socket.sntp()
            sys.waitUntil("NTP_UPDATE", 10000)
            local first = socket.ntptm().tsec
            log.info("t", "synced")
            while true do
                socket.sntp()
                sys.waitUntil("NTP_UPDATE", 10000)
                local d = socket.ntptm().tsec - first
                if d > 1800 then
                    log.info("t", "skewed", d > 3595 and d < 3605, os.time() - first > 3595)
                    os.exit(0)
                end
                sys.wait(100)
            end
        end)
        sys.run()
    )LUA");
    LuatosProcess process({"--control", control, "--attach-delay", "50", "--run-for", "60s",
                           (dir.path() / "main.lua").string()});
    REQUIRE(process.wait_for_line("I/user.t synced", 20s));
    CHECK(control_command(control, "clock").starts_with("ok clock +0 s (network time "));
    CHECK(control_command(control, "clock 3600").starts_with("error clock needs +SECONDS or -SECONDS"));
    CHECK(control_command(control, "clock +3600").starts_with("ok clock +3600 s (network time "));
    REQUIRE(process.wait_for_line("I/user.t skewed", 20s));
    const Lines lines = process.lines();
    CHECK(std::find(lines.begin(), lines.end(), "I/user.t skewed true true") != lines.end());
}

namespace {

std::size_t count_prefix(const Lines& lines, const std::string& prefix) {
    return static_cast<std::size_t>(std::count_if(
        lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); }));
}

void ntp_demo(NetPath path) {
    const auto demo = official_demo("ntp");
    if (!demo) {
        WARN("skipped: the official LuatOS demo 'ntp' is not in ../shared/luatos/demo/");
        return;
    }
    DeviceOptions options;
    options.files = read_folder(*demo);
    for (auto& [name, text] : read_folder(*demo / "netdrv"))
        options.files[name] = text;
    options.network = network_to(path, 1);
    options.run_for = 4s;
    const DeviceResult r = run_device(options);
    const Lines errors = vm_errors(r.lines);
    if (path == NetPath::kLwip && !errors.empty() && errors[1].find("field 'setDNS'") != std::string::npos) {
        // netdrv_4g.lua calls socket.setDNS on LWIP_GP's IP_READY: the socket module's (issue 12.6).
        WARN("skipped on LWIP_GP until socket.setDNS exists: " << errors[1]);
        return;
    }
    CHECK_LINES(errors, {});
    Lines sntp;
    for (const auto& l : r.lines) {
        if (l.starts_with("I/user.sntp") || l.starts_with("I/user.tm数据") ||
            l.starts_with("W/user.sntp 时间"))
            // The tag and the first word (the tm line: its tag), without the changing figures.
            sntp.push_back(
                l.substr(0, l.starts_with("I/user.tm数据") ? l.find(' ') : l.find(' ', l.find(' ') + 1)));
    }
    CHECK_LINES(sntp, {"I/user.sntp recv", "I/user.sntp 开始同步：", "I/user.sntp 时间同步成功",
                       "I/user.sntp 本地时间字符串", "I/user.sntp UTC时间字符串",
                       "I/user.sntp 格式化本地时间字符串", "I/user.sntp 格式化UTC时间字符串",
                       "I/user.sntp RTC时钟(UTC)", "I/user.sntp 本地时间戳", "I/user.sntp 本地时间结构",
                       "I/user.sntp 结构时间转时间戳", "I/user.tm数据", "I/user.sntp 高精度时间戳"});
    CHECK(count_prefix(r.lines, "I/user.tm数据 {") == 1);
    CHECK(count_prefix(r.lines, "D/sntp Unix timestamp: ") == 1);
}

}  // namespace

E2E_ON_BOTH_PATHS("time: the official ntp demo runs unchanged and syncs", ntp_demo)

TEST_CASE("time: the official rtc demo runs unchanged: its set time, then the network's after attach") {
    const auto demo = official_demo("rtc");
    if (!demo) {
        WARN("skipped: the official LuatOS demo 'rtc' is not in ../shared/luatos/demo/");
        return;
    }
    DeviceOptions options;
    options.files = read_folder(*demo);
    options.network = network_to(NetPath::kLwip, 1);
    options.attach_delay_ms = 500;
    options.run_for = 2500ms;
    const DeviceResult r = run_device(options);
    CHECK_LINES(vm_errors(r.lines), {});
    Lines user;
    for (const auto& l : r.lines) {
        if (l.starts_with("I/user.")) user.push_back(l);
    }
    REQUIRE(user.size() >= 8);
    const std::string set = R"({"day":28,"hour":8,"min":10,"mon":10,"sec":53,"year":2025})";
    CHECK_LINES(Lines(user.begin(), user.begin() + 6),
                {"I/user.main rtc_demo 001.999.000", "I/user.rtc.timezone() 32", "I/user.rtc初始时间 " + set,
                 "I/user.rtc设置后的本地时间 Tue Oct 28 16:10:53 2025",
                 "I/user.os.date() Tue Oct 28 16:10:53 2025", "I/user.循环rtc时间 " + set});
    // After attach (0.5 s) the clock has the network's time: the last loop no longer shows 2025.
    CHECK(user.back().starts_with("I/user.循环rtc时间 {"));
    CHECK(user.back().find("\"year\":2025") == std::string::npos);
}
