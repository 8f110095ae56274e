#include "platform_air780ep/uart_port.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

namespace platform_air780ep {

namespace {

speed_t to_speed(std::uint32_t baud) {
    switch (baud) {
        case 1200:
            return B1200;
        case 2400:
            return B2400;
        case 4800:
            return B4800;
        case 9600:
            return B9600;
        case 19200:
            return B19200;
        case 38400:
            return B38400;
        case 57600:
            return B57600;
        case 230400:
            return B230400;
        case 460800:
            return B460800;
        case 921600:
            return B921600;
        default:
            return B115200;
    }
}

}  // namespace

std::unique_ptr<UartPort> UartPort::create(sys_task::EventLoop& loop, int id, const UartOptions& options,
                                           std::string& error) {
    std::unique_ptr<UartPort> port(new UartPort(loop, id, options));
    if (!port->open_terminal(error)) return nullptr;  // the destructor closes what was opened
    port->update_watch();
    return port;
}

UartPort::UartPort(sys_task::EventLoop& loop, int id, const UartOptions& options)
    : loop_(loop), id_(id), options_(options) {}

bool UartPort::open_terminal(std::string& error) {
    auto fail = [&error](const char* what) {
        error = std::string(what) + ": " + std::strerror(errno);
        return false;
    };
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master_ < 0) return fail("posix_openpt");
    if (::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return fail("grantpt/unlockpt");
    std::array<char, PATH_MAX> name{};
    if (::ptsname_r(master_, name.data(), name.size()) != 0) return fail("ptsname_r");
    device_path_ = name.data();
    if (::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK) != 0) return fail("fcntl");
    // Raw mode on the line (termios set through the master applies to the terminal's side).
    termios t{};
    if (::tcgetattr(master_, &t) != 0) return fail("tcgetattr");
    ::cfmakeraw(&t);
    ::cfsetspeed(&t, to_speed(options_.baud));
    if (::tcsetattr(master_, TCSANOW, &t) != 0) return fail("tcsetattr");
    // Our own handle on the terminal's side: without one, the master reports hang-up (and
    // EIO on read) whenever no terminal is attached. We never read from it.
    slave_keeper_ = ::open(device_path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (slave_keeper_ < 0) return fail("open pty slave");
    if (!options_.link_path.empty()) {
        struct stat st {};
        if (::lstat(options_.link_path.c_str(), &st) == 0) {
            if (!S_ISLNK(st.st_mode)) {
                errno = EEXIST;
                return fail("UART link path exists and is not a symlink");
            }
            ::unlink(options_.link_path.c_str());
        }
        if (::symlink(device_path_.c_str(), options_.link_path.c_str()) != 0)
            return fail("symlink UART link path");
        link_path_ = options_.link_path;
    }
    return true;
}

UartPort::~UartPort() {
    *alive_ = false;
    if (watch_ != 0) loop_.unwatch_fd(watch_);
    if (!link_path_.empty()) {
        // Remove the symlink only if it still points at our terminal.
        std::array<char, PATH_MAX> target{};
        const ssize_t n = ::readlink(link_path_.c_str(), target.data(), target.size() - 1);
        if (n > 0 && std::string(target.data(), static_cast<std::size_t>(n)) == device_path_) {
            ::unlink(link_path_.c_str());
        }
    }
    if (slave_keeper_ >= 0) ::close(slave_keeper_);
    if (master_ >= 0) ::close(master_);
}

void UartPort::update_watch() {
    short events = 0;
    if (rx_.size() < options_.rx_capacity) events |= POLLIN;
    if (!tx_.empty()) events |= POLLOUT;
    if (events == watched_events_ && (watch_ != 0) == (events != 0)) return;
    if (events == 0) {
        if (watch_ != 0) loop_.unwatch_fd(watch_);
        watch_ = 0;
    } else if (watch_ == 0) {
        watch_ = loop_.watch_fd(master_, events, [this](short revents) { on_master(revents); });
    } else {
        loop_.set_fd_events(watch_, events);
    }
    watched_events_ = events;
}

void UartPort::on_master(short revents) {
    if ((revents & POLLOUT) != 0) send();
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0) receive();
    update_watch();
}

void UartPort::receive() {
    std::array<std::uint8_t, 4096> buf;
    std::size_t arrived = 0;
    while (rx_.size() < options_.rx_capacity) {
        const std::size_t room = std::min(buf.size(), options_.rx_capacity - rx_.size());
        const ssize_t n = ::read(master_, buf.data(), room);
        if (n > 0) {
            rx_.append(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
            arrived += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        break;  // EAGAIN: drained; EIO: no terminal (cannot last: we hold the slave open)
    }
    if (arrived == 0) return;
    unannounced_ += arrived;
    if (announce_posted_) return;  // one message per burst
    announce_posted_ = true;
    loop_.post([this, alive = alive_] {
        if (!*alive) return;
        announce_posted_ = false;
        const std::size_t count = std::exchange(unannounced_, 0);
        if (on_receive_ && count > 0) on_receive_(count);
    });
}

std::size_t UartPort::read(std::span<std::uint8_t> out) {
    const std::size_t n = rx_.take(out);
    if (rx_.empty()) rx_.release();
    update_watch();
    return n;
}

std::size_t UartPort::write(std::span<const std::uint8_t> data) {
    std::size_t done = 0;
    if (tx_.empty()) {
        while (done < data.size()) {
            const ssize_t n = ::write(master_, data.data() + done, data.size() - done);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            break;  // EAGAIN: the terminal's input queue is full
        }
    }
    const std::size_t room = options_.tx_capacity - std::min(tx_.size(), options_.tx_capacity);
    const std::size_t queued = std::min(room, data.size() - done);
    tx_.append(data.subspan(done, queued));
    update_watch();
    return done + queued;
}

void UartPort::send() {
    while (!tx_.empty()) {
        const auto pending = tx_.data();
        const ssize_t n = ::write(master_, pending.data(), pending.size());
        if (n > 0) {
            tx_.consume(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        break;
    }
    if (tx_.empty()) tx_.release();
}

}  // namespace platform_air780ep
