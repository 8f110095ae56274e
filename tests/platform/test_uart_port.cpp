#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "net_test_support.hpp"
#include "platform_air780ep/uart_port.hpp"

using namespace platform_air780ep;
using namespace tests;
using sys_task::EventLoop;

namespace {

// The terminal's side, as a serial program would open it.
struct Terminal {
    int fd;
    explicit Terminal(const std::string& path) : fd(::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK)) {
        REQUIRE(fd >= 0);
        termios t{};
        ::tcgetattr(fd, &t);
        ::cfmakeraw(&t);
        ::tcsetattr(fd, TCSANOW, &t);
    }
    ~Terminal() { ::close(fd); }
    void send(const std::vector<std::uint8_t>& bytes) const {
        REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    }
    std::vector<std::uint8_t> receive(EventLoop& loop, std::size_t count) const {
        std::vector<std::uint8_t> got;
        run_until(
            loop,
            [&] {
                std::uint8_t buf[512];
                const ssize_t n = ::read(fd, buf, sizeof buf);
                if (n > 0) got.insert(got.end(), buf, buf + n);
                return got.size() >= count;
            },
            3000);
        return got;
    }
};

std::vector<std::uint8_t> all_byte_values() {
    std::vector<std::uint8_t> v(256);
    std::iota(v.begin(), v.end(), 0);  // includes \0, \r, \n, XON/XOFF, ^C, DEL...
    return v;
}

// A port that must open (the test fails with the reason otherwise).
std::unique_ptr<UartPort> open_uart(EventLoop& loop, int id, const UartOptions& options = {}) {
    std::string error;
    auto port = UartPort::create(loop, id, options, error);
    INFO(error);
    REQUIRE(port);
    return port;
}

}  // namespace

TEST_CASE("bytes typed into the terminal arrive with a notification and their count") {
    EventLoop loop;
    const auto port = open_uart(loop, 1);
    UartPort& uart = *port;
    CHECK(uart.device_path().rfind("/dev/pts/", 0) == 0);
    CHECK(uart.path() == uart.device_path());
    std::vector<std::size_t> notifications;
    uart.set_receive_handler([&](std::size_t n) { notifications.push_back(n); });

    Terminal term(uart.device_path());
    term.send({'h', 'e', 'l', 'l', 'o'});
    REQUIRE(run_until(
        loop, [&] { return !notifications.empty(); }, 3000));
    CHECK(notifications == std::vector<std::size_t>{5});
    CHECK(uart.available() == 5);
    std::uint8_t buf[3];
    CHECK(uart.read(buf) == 3);
    CHECK(std::string(buf, buf + 3) == "hel");
    std::uint8_t rest[16];
    CHECK(uart.read(rest) == 2);
    CHECK(std::string(rest, rest + 2) == "lo");
    CHECK(uart.read(rest) == 0);
}

TEST_CASE("binary bytes cross the pseudo-terminal unchanged both ways") {
    EventLoop loop;
    const auto port = open_uart(loop, 2);
    UartPort& uart = *port;
    std::size_t announced = 0;
    uart.set_receive_handler([&](std::size_t n) { announced += n; });
    Terminal term(uart.device_path());

    const auto bytes = all_byte_values();
    term.send(bytes);
    REQUIRE(run_until(
        loop, [&] { return announced >= bytes.size(); }, 3000));
    CHECK(announced == 256);
    std::vector<std::uint8_t> got(300);
    got.resize(uart.read(got));
    CHECK(got == bytes);

    CHECK(uart.write(bytes) == 256);
    CHECK(term.receive(loop, 256) == bytes);
}

TEST_CASE("a full receive buffer holds the terminal back without losing bytes") {
    EventLoop loop;
    UartOptions options;
    options.rx_capacity = 100;
    const auto port = open_uart(loop, 3, options);
    UartPort& uart = *port;
    std::size_t announced = 0;
    uart.set_receive_handler([&](std::size_t n) { announced += n; });
    Terminal term(uart.device_path());
    std::vector<std::uint8_t> bytes(1000);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<std::uint8_t>(i * 7);
    term.send(bytes);
    std::vector<std::uint8_t> got;
    REQUIRE(run_until(
        loop,
        [&] {
            std::uint8_t buf[64];  // a reader slower than the writer
            const std::size_t n = uart.read(buf);
            got.insert(got.end(), buf, buf + n);
            return got.size() >= bytes.size();
        },
        5000));
    CHECK(got == bytes);
    CHECK(announced == 1000);
}

TEST_CASE("no terminal attached, or one that comes and goes, breaks nothing") {
    EventLoop loop;
    TempDir dir;
    UartOptions options;
    options.link_path = dir.file("ttyAIR1");
    auto uart = open_uart(loop, 1, options);
    CHECK(uart->link_path() == options.link_path);
    CHECK(uart->path() == options.link_path);
    std::size_t announced = 0;
    uart->set_receive_handler([&](std::size_t n) { announced += n; });

    // Nobody on the other side: writing works, the loop sleeps instead of spinning on a hang-up.
    CHECK(uart->write(std::vector<std::uint8_t>{1, 2, 3}) == 3);
    const auto start = std::chrono::steady_clock::now();
    loop.run_once(150);
    loop.run_once(150);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(250));

    {
        Terminal term(options.link_path);  // through the symlink
        CHECK(term.receive(loop, 3) == std::vector<std::uint8_t>{1, 2, 3});
    }  // the terminal closes
    const auto idle = std::chrono::steady_clock::now();
    loop.run_once(150);
    CHECK(std::chrono::steady_clock::now() - idle >= std::chrono::milliseconds(120));
    CHECK(uart->write(std::vector<std::uint8_t>{4, 5}) == 2);

    Terminal again(uart->device_path());
    CHECK(again.receive(loop, 2) == std::vector<std::uint8_t>{4, 5});
    again.send({9});
    REQUIRE(run_until(
        loop, [&] { return announced == 1; }, 3000));

    // The symlink goes with the port.
    uart.reset();
    CHECK(::access(options.link_path.c_str(), F_OK) != 0);
}

TEST_CASE(
    "a link path taken by something else: no port, the failing step and its reason, nothing left open") {
    EventLoop loop;
    TempDir dir;
    UartOptions options;
    options.link_path = dir.file("not-a-link");
    { std::ofstream(options.link_path) << "keep me"; }
    std::string error;
    CHECK(UartPort::create(loop, 1, options, error) == nullptr);
    CHECK(error == "UART link path exists and is not a symlink: File exists");
    std::ifstream kept(options.link_path);
    std::string content;
    std::getline(kept, content);
    CHECK(content == "keep me");
}
