#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>

#include "net_test_support.hpp"
#include "platform_air780ep/control_server.hpp"
#include "platform_air780ep/link_commands.hpp"
#include "platform_air780ep/slirp_link.hpp"

using namespace platform_air780ep;
using namespace tests;
using sys_task::EventLoop;
using sys_task::Logger;

namespace {

// A control client in the test: sends lines, collects answer lines while the loop runs.
class Client {
  public:
    explicit Client(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~Client() { ::close(fd_); }
    std::string ask(EventLoop& loop, const std::string& line) {
        send(line);
        return answer(loop);
    }
    // Lines sent in one write are read in one go: the server answers them with no loop turn between.
    void send(const std::string& lines) {
        const std::string out = lines + "\n";
        REQUIRE(::send(fd_, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size()));
    }
    std::string answer(EventLoop& loop) {
        std::string answer;
        REQUIRE(run_until(
            loop,
            [&] {
                char buf[4096];
                const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
                if (n > 0) pending_.append(buf, static_cast<std::size_t>(n));
                const auto nl = pending_.find('\n');
                if (nl == std::string::npos) return false;
                answer = pending_.substr(0, nl);
                pending_.erase(0, nl + 1);
                return true;
            },
            3000));
        return answer;
    }

  private:
    int fd_;
    std::string pending_;
};

struct LinkDownUp : LinkStateListener {
    std::vector<std::string> events;
    void on_link_down() override { events.push_back("down"); }
    void on_link_up() override { events.push_back("up"); }
};

}  // namespace

TEST_CASE("control socket commands change the link and status reports it") {
    EventLoop loop;
    Logger log(loop.start_time());
    log.set_stdout(false);
    HostMap hosts;
    std::string link_error;
    const auto owned_link = SlirpLink::create(loop, log, hosts, {}, link_error);
    REQUIRE(owned_link);
    SlirpLink& link = *owned_link;
    LinkDownUp listener;
    link.add_listener(&listener);
    TempDir dir;
    std::string error;
    const auto listening = ControlServer::create(loop, log, dir.file("device.ctl"), error);
    REQUIRE(listening);
    ControlServer& server = *listening;
    add_link_commands(server, link);
    CHECK(server.execute("  ") == "error empty command (try help)");

    Client client(dir.file("device.ctl"));
    CHECK(
        client.ask(loop, "link loss=0.1 delay=300") ==
        "ok profile=ideal+ delay=300/300ms jitter=0/0ms loss=0.1/0.1 rate=off/offkbit/s queue=262144/262144 "
        "seed=1");
    CHECK(link.settings().up.loss == 0.1);
    CHECK(link.settings().down.delay_ms == 300);
    CHECK(client.ask(loop, "link profile=poor4g") ==
          "ok profile=poor4g delay=200/200ms jitter=80/80ms loss=0.03/0.03 rate=200/500kbit/s "
          "queue=65536/65536 "
          "seed=1");
    CHECK(client.ask(loop, "link loss=2") == "error bad value for link setting loss: '2'");
    CHECK(link.settings().profile == "poor4g");  // unchanged by the bad command

    CHECK(client.ask(loop, "status").rfind("ok link up profile=poor4g delay=200/200ms", 0) == 0);
    CHECK(client.ask(loop, "down") == "ok link down");
    CHECK_FALSE(link.is_up());
    CHECK(client.ask(loop, "status").rfind("ok link down profile=poor4g", 0) == 0);
    CHECK(client.ask(loop, "up") == "ok link up");
    CHECK(link.is_up());
    client.send("outage 0.2\nstatus");  // the status before the 0.2 s can have passed, however slow this is
    CHECK(client.answer(loop) == "ok link down for 0.2 s");
    CHECK(client.answer(loop).find("ok link down (outage, ") == 0);
    REQUIRE(run_until(
        loop, [&] { return link.is_up(); }, 3000));
    run_for(loop, 20);
    CHECK(listener.events == std::vector<std::string>{"down", "up", "down", "up"});

    CHECK(client.ask(loop, "outage soon") ==
          "error outage needs a duration in seconds (0 < s <= 86400), got 'soon'");
    CHECK(client.ask(loop, "reboot") == "error unknown command 'reboot' (try help)");
    CHECK(client.ask(loop, "help").rfind("ok | down: ", 0) == 0);

    // A second client at the same time; the first one still works.
    Client other(dir.file("device.ctl"));
    CHECK(other.ask(loop, "link delay=5").rfind("ok profile=poor4g+ delay=5/5ms", 0) == 0);
    CHECK(client.ask(loop, "link").rfind("ok profile=poor4g+ delay=5/5ms", 0) == 0);
    link.remove_listener(&listener);
}

TEST_CASE("the control socket refuses a path that is not a socket") {
    EventLoop loop;
    Logger log(loop.start_time());
    log.set_stdout(false);
    TempDir dir;
    const std::string file = dir.file("plain");
    {
        std::FILE* f = std::fopen(file.c_str(), "w");
        std::fclose(f);
    }
    std::string error;
    CHECK(ControlServer::create(loop, log, file, error) == nullptr);
    CHECK(error == "control socket path '" + file + "' exists and is not a socket");
    CHECK(std::filesystem::exists(file));  // left alone
}
