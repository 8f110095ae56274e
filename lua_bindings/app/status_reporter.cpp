#include "lua_bindings/app/status_reporter.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>

#include "lua_bindings/device/device_network.hpp"

namespace lua_bindings {

namespace {

constexpr std::uint64_t kCoalesceMs = 200;  // at most five lines a second per device
constexpr int kFinishWaitMs = 2000;         // the last line waits this long for a full pipe

}  // namespace

std::optional<int> take_status_fd(std::vector<std::string>& args, bool& ok, std::string& error) {
    ok = true;
    std::optional<int> fd;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string value;
        std::size_t count = 0;
        if (args[i] == "--") break;
        if (args[i] == "--status-fd" && i + 1 < args.size()) {
            value = args[i + 1];
            count = 2;
        } else if (args[i].starts_with("--status-fd=")) {
            value = args[i].substr(12);
            count = 1;
        } else if (args[i] == "--status-fd") {
            ok = false;
            error = "--status-fd needs a value (N)";
            return std::nullopt;
        } else {
            continue;
        }
        int n = -1;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc{} || end != value.data() + value.size() || n < 3 || ::fcntl(n, F_GETFD) < 0) {
            ok = false;
            error = "--status-fd needs an open file descriptor above 2, not '" + value + "'";
            return std::nullopt;
        }
        fd = n;
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
                   args.begin() + static_cast<std::ptrdiff_t>(i + count));
        --i;
    }
    return fd;
}

StatusReporter::StatusReporter(Device& device, int fd) : device_(device), fd_(fd) {
    // Our own descriptor: never block the device on a slow reader, never leak it to a child.
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
    listener_ = device_.adapters().add_listener([this](const platform_air780ep::AdapterInfo&) {
        // The default adapter (LWIP_GP unless --adapter eth0): ETH0, host sockets, never loses its link.
        const bool up = device_.adapters().is_ready(device_.adapters().default_id());
        if (up != attached_) {
            attached_ = up;
            changed();
        }
    });
    if (DeviceNetwork* net = device_.network()) {
        net->mqtt_hub().set_observer([this](std::uint64_t serial, const luat_mqtt::Event* event) {
            if (event == nullptr) {
                if (connected_.erase(serial) > 0) changed();
                return;
            }
            switch (event->type) {
                case luat_mqtt::EventType::kConack:
                    connected_.insert(serial);
                    ++connacks_;
                    if (first_connack_ms_ < 0)
                        first_connack_ms_ = static_cast<std::int64_t>(device_.loop().now_ms());
                    break;
                case luat_mqtt::EventType::kSent:
                    ++uplinks_;
                    break;
                case luat_mqtt::EventType::kRecv:
                    ++downlinks_;
                    break;
                case luat_mqtt::EventType::kDisconnect:
                case luat_mqtt::EventType::kClose:
                case luat_mqtt::EventType::kError:
                    connected_.erase(serial);
                    break;
                default:
                    return;
            }
            changed();
        });
    }
    reader_watch_ = device_.loop().watch_fd(fd_, 0, [this](short revents) {
        if ((revents & (POLLERR | POLLHUP)) == 0) return;
        device_.loop().unwatch_fd(reader_watch_);
        reader_watch_ = 0;
        device_.logger().warn("main", "stopped: the fleet supervisor is gone");
        device_.vm_exit().request(sys_task::VmExit::Kind::kExit, 143);
    });
    write_line("s a=0 m=0 up=0 dn=0 cn=0 ct=-1 boot=0\n", false);
}

StatusReporter::~StatusReporter() {
    if (flush_timer_ != 0) device_.loop().cancel_timer(flush_timer_);
    if (reader_watch_ != 0) device_.loop().unwatch_fd(reader_watch_);
    device_.adapters().remove_listener(listener_);
    if (DeviceNetwork* net = device_.network()) net->mqtt_hub().set_observer({});
    ::close(fd_);
}

void StatusReporter::changed() {
    if (flush_timer_ != 0) return;
    flush_timer_ = device_.loop().add_timer(kCoalesceMs, [this] {
        flush_timer_ = 0;
        flush();
    });
}

void StatusReporter::flush() {
    char line[160];
    const int n =
        std::snprintf(line, sizeof line, "s a=%d m=%zu up=%llu dn=%llu cn=%llu ct=%lld boot=%d\n",
                      attached_ ? 1 : 0, connected_.size(), static_cast<unsigned long long>(uplinks_),
                      static_cast<unsigned long long>(downlinks_), static_cast<unsigned long long>(connacks_),
                      static_cast<long long>(first_connack_ms_), device_.boot_count());
    write_line(std::string(line, static_cast<std::size_t>(n)), false);
}

void StatusReporter::finish(int exit_code) {
    if (flush_timer_ != 0) {
        device_.loop().cancel_timer(flush_timer_);
        flush_timer_ = 0;
    }
    connected_.clear();
    attached_ = false;
    flush();
    write_line("x code=" + std::to_string(exit_code) + "\n", true);
}

void StatusReporter::write_line(const std::string& line, bool wait) {
    // Lines are shorter than PIPE_BUF: each write is whole or fails whole (EAGAIN on a full pipe).
    for (;;) {
        const ssize_t n = ::write(fd_, line.data(), line.size());
        if (n >= 0 || !wait || (errno != EAGAIN && errno != EINTR)) return;
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, kFinishWaitMs) <= 0) return;
    }
}

}  // namespace lua_bindings
