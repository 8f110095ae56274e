#include "platform_air780ep/control_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace platform_air780ep {

namespace {

constexpr std::size_t kMaxLine = 4096;  // a longer line is an error, not a memory sink

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

struct ControlServer::Client {
    int fd = -1;
    sys_task::EventLoop::WatchId watch = 0;
    std::string in;
    std::string out;
    bool closing = false;
};

std::unique_ptr<ControlServer> ControlServer::create(sys_task::EventLoop& loop, sys_task::Logger& log,
                                                     const std::string& path, std::string& error) {
    std::unique_ptr<ControlServer> server(new ControlServer(loop, log));
    if (!server->listen(path, error)) return nullptr;
    return server;
}

ControlServer::ControlServer(sys_task::EventLoop& loop, sys_task::Logger& log) : loop_(loop), log_(log) {
    add_command("help", "list the commands", [this](std::string_view) {
        std::string s = "ok";
        for (const auto& [verb, cmd] : commands_)
            s += " | " + verb + ": " + cmd.help;
        return s;
    });
}

ControlServer::~ControlServer() {
    while (!clients_.empty())
        drop_client(*clients_.front());
    if (listen_watch_ != 0) loop_.unwatch_fd(listen_watch_);
    if (listen_fd_ >= 0) {
        ::close(listen_fd_);
        ::unlink(path_.c_str());
    }
}

bool ControlServer::listen(const std::string& path, std::string& error) {
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof addr.sun_path) {
        error = "control socket path '" + path + "' is empty or too long";
        return false;
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            error = "control socket path '" + path + "' exists and is not a socket";
            return false;
        }
        ::unlink(path.c_str());  // stale, from an earlier run
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("control socket: ") + std::strerror(errno);
        return false;
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 8) != 0) {
        error = "control socket " + path + ": " + std::strerror(errno);
        ::close(fd);
        return false;
    }
    listen_fd_ = fd;
    path_ = path;
    listen_watch_ = loop_.watch_fd(listen_fd_, POLLIN, [this](short) { accept_clients(); });
    log_.info("control", "listening on " + path_);
    return true;
}

void ControlServer::add_command(std::string verb, std::string help, Handler handler) {
    commands_[std::move(verb)] = Command{std::move(help), std::move(handler)};
}

ControlServer::Handler ControlServer::handler(const std::string& verb) const {
    const auto it = commands_.find(verb);
    return it == commands_.end() ? Handler{} : it->second.handler;
}

std::string ControlServer::execute(std::string_view line) {
    line = trim(line);
    if (line.empty()) return "error empty command (try help)";
    const auto space = line.find_first_of(" \t");
    const std::string verb(line.substr(0, space));
    const std::string_view args =
        space == std::string_view::npos ? std::string_view{} : trim(line.substr(space));
    const auto it = commands_.find(verb);
    if (it == commands_.end()) return "error unknown command '" + verb + "' (try help)";
    std::string answer = it->second.handler(args);
    std::replace(answer.begin(), answer.end(), '\n', ' ');  // one line per answer
    return answer;
}

void ControlServer::accept_clients() {
    while (true) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  // EAGAIN: no more; anything else: try again on the next wake-up
        auto client = std::make_unique<Client>();
        client->fd = fd;
        Client* c = client.get();
        client->watch = loop_.watch_fd(fd, POLLIN, [this, c](short revents) { on_client(*c, revents); });
        clients_.push_back(std::move(client));
    }
}

void ControlServer::on_client(Client& client, short revents) {
    if ((revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !client.closing) {
        char buf[1024];
        while (true) {
            const ssize_t n = ::recv(client.fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                client.in.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) client.closing = true;
            break;
        }
        std::size_t nl;
        while ((nl = client.in.find('\n')) != std::string::npos) {
            const std::string line = client.in.substr(0, nl);
            client.in.erase(0, nl + 1);
            const std::string answer = execute(line);
            log_.debug("control", line + " -> " + answer);
            client.out += answer + "\n";
        }
        if (client.in.size() > kMaxLine) {
            client.out += "error line too long\n";
            client.in.clear();
            client.closing = true;
        }
    }
    while (!client.out.empty()) {
        const ssize_t n =
            ::send(client.fd, client.out.data(), client.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            client.out.erase(0, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        client.out.clear();  // the client went away
        client.closing = true;
    }
    if (client.closing && client.out.empty()) {
        drop_client(client);
        return;
    }
    loop_.set_fd_events(
        client.watch, static_cast<short>((client.closing ? 0 : POLLIN) | (client.out.empty() ? 0 : POLLOUT)));
}

void ControlServer::drop_client(Client& client) {
    loop_.unwatch_fd(client.watch);
    ::close(client.fd);
    std::erase_if(clients_, [&client](const std::unique_ptr<Client>& c) { return c.get() == &client; });
}

}  // namespace platform_air780ep
