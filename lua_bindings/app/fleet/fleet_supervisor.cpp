#include "lua_bindings/app/fleet/fleet_supervisor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

extern char** environ;

namespace lua_bindings {

namespace {

namespace fs = std::filesystem;

enum Kind : std::uint64_t { kSignal = 1, kControlListen = 2, kControlClient = 3, kDevice = 4, kForward = 5 };
constexpr int kKindShift = 56;
constexpr std::uint64_t tag(Kind kind, std::uint64_t id) {
    return (static_cast<std::uint64_t>(kind) << kKindShift) | id;
}

constexpr auto kForwardTimeout = std::chrono::seconds(5);  // a device that does not answer its control socket
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;

void set_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// The last error line ("E/...") of a device's log, to say why it died.
std::string last_error_line(const std::string& log_path) {
    std::ifstream in(log_path, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(in.tellg());
    const std::streamoff from = std::max<std::streamoff>(0, size - 8192);
    in.seekg(from);
    std::string tail(static_cast<std::size_t>(size - from), '\0');
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    std::string found;
    std::size_t pos = 0;
    while (pos < tail.size()) {
        const auto nl = tail.find('\n', pos);
        const std::string line = tail.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        // The error itself, not the "Lua VM exit!!" line that follows it.
        if (line.find("] E/") != std::string::npos && line.find("Lua VM exit") == std::string::npos)
            found = line;
        if (nl == std::string::npos) break;
        pos = nl + 1;
    }
    return found;
}

}  // namespace

struct FleetSupervisor::ControlClient {
    int fd = -1;
    std::string in;
    std::uint64_t busy_job = 0;  // a forwarded command in progress: the next lines wait
};

struct FleetSupervisor::Forward {
    int fd = -1;
    std::uint64_t job = 0;
    std::size_t device = 0;  // global index
    std::string in;
};

struct FleetSupervisor::ForwardJob {
    std::uint64_t client = 0;
    std::string command;
    bool show_answers = false;  // `status devices=...`: every device's own answer
    std::size_t remaining = 0;
    std::map<std::size_t, std::string> answers;  // by global index
    std::chrono::steady_clock::time_point deadline;
};

std::unique_ptr<FleetSupervisor> FleetSupervisor::create(FleetConfig config, std::string executable,
                                                         std::string& error) {
    std::unique_ptr<FleetSupervisor> s(new FleetSupervisor(std::move(config), std::move(executable)));
    if (!s->setup(error)) return nullptr;
    return s;
}

FleetSupervisor::FleetSupervisor(FleetConfig config, std::string executable)
    : config_(std::move(config)), executable_(std::move(executable)) {}

FleetSupervisor::~FleetSupervisor() {
    for (auto& [id, c] : clients_)
        ::close(c->fd);
    for (auto& [id, f] : forwards_)
        ::close(f->fd);
    for (FleetDevice& d : devices_) {
        if (d.running()) ::kill(d.pid, SIGKILL);
        if (d.status_fd >= 0) ::close(d.status_fd);
    }
    if (control_fd_ >= 0) {
        ::close(control_fd_);
        ::unlink(config_.control.c_str());
    }
    if (signal_fd_ >= 0) ::close(signal_fd_);
    if (epoll_ >= 0) ::close(epoll_);
}

bool FleetSupervisor::setup(std::string& error) {
    // The folder and the plan.
    if (config_.dir.empty()) {
        std::string pattern = (fs::temp_directory_path() / "luatos-fleet-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            error = "cannot make a fleet folder in " + fs::temp_directory_path().string() + ": " +
                    std::strerror(errno);
            return false;
        }
        config_.dir = pattern;
    }
    std::error_code ec;
    fs::create_directories(config_.dir, ec);
    if (ec) {
        error = "cannot make the fleet folder " + config_.dir + ": " + ec.message();
        return false;
    }
    config_.dir = fs::absolute(config_.dir).lexically_normal().string();
    while (config_.dir.size() > 1 && config_.dir.ends_with('/'))
        config_.dir.pop_back();
    const IndexRange range = shard_range(config_.devices, config_.shard);
    std::ofstream csv(config_.dir + "/devices.csv", std::ios::trunc);
    csv << "index,imei,unique_id,link,dir\n";
    for (std::size_t k = range.first; k < range.last; ++k) {
        auto id = device_identity(config_.imei_base, k);
        if (!id) {
            error = "--imei-base + " + std::to_string(k) + " does not fit in 14 digits";
            return false;
        }
        FleetDevice d;
        d.index = k;
        d.imei = id->imei;
        d.unique_id_hex = id->unique_id_hex;
        if (!config_.link_mix.empty()) d.link_profile = pick_profile(config_.link_mix, config_.seed, k);
        d.dir = config_.dir + "/" + std::to_string(k);
        if (d.dir.size() + 4 > kMaxSocketPath) {
            error = "the fleet folder's path is too long for the devices' control sockets (at most " +
                    std::to_string(kMaxSocketPath) + " characters); give a shorter --dir";
            return false;
        }
        fs::create_directories(d.dir + "/data", ec);
        if (ec) {
            error = "cannot make " + d.dir + "/data: " + ec.message();
            return false;
        }
        csv << k << ',' << d.imei << ',' << d.unique_id_hex << ',' << d.link_profile << ',' << d.dir << '\n';
        devices_.push_back(std::move(d));
    }
    csv.close();
    if (!csv) {
        error = "cannot write " + config_.dir + "/devices.csv";
        return false;
    }

    // A status pipe per device, a control socket each and our own: raise the descriptor limit.
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }

    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) {
        error = std::string("epoll: ") + std::strerror(errno);
        return false;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    signal_fd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signal_fd_ < 0) {
        error = std::string("signalfd: ") + std::strerror(errno);
        return false;
    }
    watch(signal_fd_, tag(kSignal, 0));
    if (!config_.control.empty() && !listen_control(error)) return false;
    tty_ = ::isatty(STDOUT_FILENO) == 1;
    return true;
}

bool FleetSupervisor::listen_control(std::string& error) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (config_.control.size() > kMaxSocketPath) {
        error = "--control path too long: " + config_.control;
        return false;
    }
    std::memcpy(addr.sun_path, config_.control.data(), config_.control.size());
    ::unlink(config_.control.c_str());
    control_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (control_fd_ < 0 || ::bind(control_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(control_fd_, 16) != 0) {
        error = "cannot listen at " + config_.control + ": " + std::strerror(errno);
        return false;
    }
    watch(control_fd_, tag(kControlListen, 0));
    return true;
}

void FleetSupervisor::watch(int fd, std::uint64_t t) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = t;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
}

double FleetSupervisor::elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void FleetSupervisor::spawn(FleetDevice& d) {
    d.started = true;
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        d.ended = true;
        d.spawn_error = std::string("no status pipe: ") + std::strerror(errno);
        return;
    }
    std::vector<std::string> args = {
        executable_,           "--status-fd",   "3",           "--imei",        d.imei,
        "--unique-id",         d.unique_id_hex, "--data-dir",  d.dir + "/data", "--log-file",
        d.dir + "/luatos.log", "--control",     d.dir + "/ctl"};
    if (!d.link_profile.empty()) {
        args.emplace_back("--link");
        args.push_back("profile=" + d.link_profile +
                       ",seed=" + std::to_string(device_link_seed(config_.seed, d.index)));
    }
    args.insert(args.end(), config_.device_args.begin(), config_.device_args.end());
    args.insert(args.end(), config_.scripts.begin(), config_.scripts.end());
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 3);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    const std::string err_path = d.dir + "/stderr.txt";
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGCHLD);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    // Its own process group: a Ctrl-C on the terminal reaches the supervisor only, which stops the
    // devices itself; a device whose supervisor is gone stops by itself (status_reporter.hpp).
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, executable_.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(pipe_fds[1]);
    if (rc != 0) {
        ::close(pipe_fds[0]);
        d.ended = true;
        d.spawn_error = std::string("cannot start ") + executable_ + ": " + std::strerror(rc);
        report_death(d);
        return;
    }
    d.pid = pid;
    d.status_fd = pipe_fds[0];
    set_nonblocking(d.status_fd);
    by_pid_[pid] = static_cast<std::size_t>(&d - devices_.data());
    watch(d.status_fd, tag(kDevice, static_cast<std::uint64_t>(&d - devices_.data())));
    ++live_;
}

void FleetSupervisor::read_status(FleetDevice& d) {
    char buf[4096];
    while (d.status_fd >= 0) {
        const ssize_t n = ::read(d.status_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {
            close_status(d);
            return;
        }
        d.pending.append(buf, static_cast<std::size_t>(n));
        std::size_t pos = 0;
        for (auto nl = d.pending.find('\n'); nl != std::string::npos; nl = d.pending.find('\n', pos)) {
            d.apply_status(std::string_view(d.pending).substr(pos, nl - pos));
            pos = nl + 1;
        }
        d.pending.erase(0, pos);
    }
}

void FleetSupervisor::close_status(FleetDevice& d) {
    if (d.status_fd < 0) return;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, d.status_fd, nullptr);
    ::close(d.status_fd);
    d.status_fd = -1;
}

void FleetSupervisor::reap() {
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) return;
        const auto it = by_pid_.find(pid);
        if (it == by_pid_.end()) continue;
        FleetDevice& d = devices_[it->second];
        by_pid_.erase(it);
        read_status(d);  // what it wrote before it ended is all in the pipe
        close_status(d);
        d.ended = true;
        d.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        --live_;
        if (d.crashed()) report_death(d);
    }
}

void FleetSupervisor::report_death(const FleetDevice& d) {
    std::string line = "device " + std::to_string(d.index) + " (IMEI " + d.imei + ") ";
    line += d.spawn_error.empty() ? "died: exit status " + std::to_string(d.exit_code) : d.spawn_error;
    line += ", log " + d.dir + "/luatos.log";
    const std::string why = last_error_line(d.dir + "/luatos.log");
    if (!why.empty()) line += "\n  " + why;
    std::fprintf(stdout, "%s%s\n", tty_ ? "\r\033[K" : "", line.c_str());
    std::fflush(stdout);
}

void FleetSupervisor::on_signal() {
    signalfd_siginfo info{};
    bool child = false;
    while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGCHLD) {
            child = true;
            continue;
        }
        if (stop_signals_++ == 0) stop_signal_ = static_cast<int>(info.ssi_signo);
        stopping_ = true;
        stop_all(stop_signals_ > 1 ? SIGKILL : SIGTERM);
    }
    if (child) reap();
}

void FleetSupervisor::stop_all(int sig) {
    for (FleetDevice& d : devices_) {
        if (!d.running()) continue;
        d.stopped = true;
        ::kill(d.pid, sig);
    }
}

void FleetSupervisor::print_status(bool final_line) {
    const auto now = std::chrono::steady_clock::now();
    const double interval = std::chrono::duration<double>(now - last_status_).count();
    const FleetTotals totals = fleet_totals(devices_);
    const std::string line = status_line(elapsed_s(), totals, last_totals_, interval);
    if (tty_) {
        std::fprintf(stdout, "\r\033[K%s%s", line.c_str(), final_line ? "\n" : "");
    } else {
        std::fprintf(stdout, "%s\n", line.c_str());
    }
    std::fflush(stdout);
    last_totals_ = totals;
    last_status_ = now;
}

// The fleet's control socket: one command per line, one answer line each (as a device's own).

void FleetSupervisor::accept_control() {
    for (;;) {
        const int fd = ::accept4(control_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;
        auto c = std::make_unique<ControlClient>();
        c->fd = fd;
        const std::uint64_t id = next_id_++;
        watch(fd, tag(kControlClient, id));
        clients_[id] = std::move(c);
    }
}

void FleetSupervisor::drop_control(std::uint64_t id) {
    const auto it = clients_.find(id);
    if (it == clients_.end()) return;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->second->fd, nullptr);
    ::close(it->second->fd);
    clients_.erase(it);
}

void FleetSupervisor::on_control(std::uint64_t id) {
    const auto it = clients_.find(id);
    if (it == clients_.end()) return;
    ControlClient& c = *it->second;
    char buf[4096];
    const ssize_t n = ::read(c.fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        // A client that sent its commands and shut its side still gets the answers of those in progress.
        if (c.busy_job == 0 && c.in.empty()) {
            drop_control(id);
        } else {
            ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
            c.in += c.in.empty() || c.in.ends_with('\n') ? "" : "\n";
            c.in += '\x04';  // end of input, once the queued commands are answered
            if (c.busy_job == 0) run_command(c);
        }
        return;
    }
    c.in.append(buf, static_cast<std::size_t>(n));
    if (c.busy_job == 0) run_command(c);
}

void FleetSupervisor::run_command(ControlClient& client) {
    const auto reply = [&](const std::string& text) {
        const std::string out = text + "\n";
        // Answers are short; a client that does not read them loses them.
        [[maybe_unused]] const ssize_t n = ::send(client.fd, out.data(), out.size(), MSG_NOSIGNAL);
    };
    std::uint64_t client_id = 0;
    for (auto& [id, c] : clients_)
        if (c.get() == &client) client_id = id;
    while (client.busy_job == 0) {
        if (client.in.starts_with('\x04')) {
            drop_control(client_id);
            return;
        }
        const auto nl = client.in.find('\n');
        if (nl == std::string::npos) return;
        std::string line = client.in.substr(0, nl);
        client.in.erase(0, nl + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (line.empty()) continue;

        // The devices= argument, anywhere on the line; the rest is the device's command.
        std::string command;
        std::optional<DeviceSelection> selection;
        std::string error;
        bool bad = false;
        std::size_t pos = 0;
        while (pos < line.size()) {
            auto end = line.find(' ', pos);
            if (end == std::string::npos) end = line.size();
            const std::string word = line.substr(pos, end - pos);
            pos = end + 1;
            if (word.empty()) continue;
            if (word.starts_with("devices=")) {
                selection = parse_selection(std::string_view(word).substr(8), error);
                bad = bad || !selection;
                continue;
            }
            command += (command.empty() ? "" : " ") + word;
        }
        if (bad) {
            reply("error " + error);
            continue;
        }
        const std::string verb = command.substr(0, command.find(' '));
        if (verb == "help") {
            reply(
                "ok fleet commands: status (the fleet's line); COMMAND [devices=0-999|25%|0.25]: a device "
                "command (outage 30, link loss=0.1, down, up, status, gpio ...) for the devices chosen (all "
                "by "
                "default)");
            continue;
        }
        if (verb == "status" && !selection) {
            reply("ok " + status_line(elapsed_s(), fleet_totals(devices_), last_totals_, 0) + " ended " +
                  std::to_string(fleet_totals(devices_).ended));
            continue;
        }
        std::vector<std::size_t> running;
        for (const FleetDevice& d : devices_)
            if (d.running()) running.push_back(d.index);
        const std::vector<std::size_t> targets = selection ? select_devices(*selection, running) : running;
        if (targets.empty()) {
            reply("error no running device is chosen");
            continue;
        }
        // Forward the command to each target's control socket, all at once; the answer comes when the
        // last device has answered (or the timeout).
        auto job = std::make_unique<ForwardJob>();
        job->client = client_id;
        job->command = command;
        job->show_answers = verb == "status";
        job->deadline = std::chrono::steady_clock::now() + kForwardTimeout;
        const std::uint64_t job_id = next_id_++;
        const std::size_t first_index = devices_.front().index;
        for (std::size_t index : targets) {
            const FleetDevice& d = devices_[index - first_index];
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            const std::string path = d.dir + "/ctl";
            std::memcpy(addr.sun_path, path.data(), path.size());
            const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            const std::string out = command + "\n";
            if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
                ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
                job->answers[index] = std::string("error control socket: ") + std::strerror(errno);
                if (fd >= 0) ::close(fd);
                continue;
            }
            auto f = std::make_unique<Forward>();
            f->fd = fd;
            f->job = job_id;
            f->device = index;
            const std::uint64_t fid = next_id_++;
            watch(fd, tag(kForward, fid));
            forwards_[fid] = std::move(f);
            ++job->remaining;
        }
        client.busy_job = job_id;
        jobs_[job_id] = std::move(job);
        if (jobs_[job_id]->remaining == 0) complete_job(job_id);
    }
}

void FleetSupervisor::on_forward(std::uint64_t id) {
    const auto it = forwards_.find(id);
    if (it == forwards_.end()) return;
    Forward& f = *it->second;
    char buf[1024];
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n > 0) {
        f.in.append(buf, static_cast<std::size_t>(n));
        const auto nl = f.in.find('\n');
        if (nl == std::string::npos) return;
        finish_forward(id, f.in.substr(0, nl));
        return;
    }
    finish_forward(id, "error the device closed its control socket");
}

void FleetSupervisor::finish_forward(std::uint64_t id, std::string answer) {
    const auto it = forwards_.find(id);
    if (it == forwards_.end()) return;
    const std::uint64_t job_id = it->second->job;
    const std::size_t device = it->second->device;
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, it->second->fd, nullptr);
    ::close(it->second->fd);
    forwards_.erase(it);
    const auto jt = jobs_.find(job_id);
    if (jt == jobs_.end()) return;
    jt->second->answers[device] = std::move(answer);
    if (--jt->second->remaining == 0) complete_job(job_id);
}

void FleetSupervisor::complete_job(std::uint64_t job_id) {
    const auto jt = jobs_.find(job_id);
    if (jt == jobs_.end()) return;
    const ForwardJob& job = *jt->second;
    std::size_t ok = 0;
    std::string first_error;
    std::string all;
    for (const auto& [index, answer] : job.answers) {
        if (answer.starts_with("ok")) {
            ++ok;
        } else if (first_error.empty()) {
            first_error = "device " + std::to_string(index) + ": " + answer;
        }
        if (job.show_answers) all += (all.empty() ? "" : "; ") + std::to_string(index) + ": " + answer;
    }
    const std::size_t total = job.answers.size();
    std::string text;
    if (job.show_answers) {
        text = "ok " + all;
    } else if (ok == total) {
        text = "ok " + job.command + ": " + std::to_string(total) + " devices";
    } else {
        text = "error " + job.command + ": " + std::to_string(total - ok) + " of " + std::to_string(total) +
               " devices failed (" + first_error + ")";
    }
    const std::uint64_t client_id = job.client;
    jobs_.erase(jt);
    const auto ct = clients_.find(client_id);
    if (ct == clients_.end()) return;
    const std::string out = text + "\n";
    [[maybe_unused]] const ssize_t n = ::send(ct->second->fd, out.data(), out.size(), MSG_NOSIGNAL);
    ct->second->busy_job = 0;
    run_command(*ct->second);
}

void FleetSupervisor::expire_jobs() {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::uint64_t> late;
    for (const auto& [id, f] : forwards_) {
        const auto jt = jobs_.find(f->job);
        if (jt != jobs_.end() && jt->second->deadline <= now) late.push_back(id);
    }
    for (std::uint64_t id : late)
        finish_forward(id, "error no answer within 5 s");
}

int FleetSupervisor::run() {
    start_ = last_status_ = std::chrono::steady_clock::now();
    last_totals_ = fleet_totals(devices_);
    std::fprintf(stdout, "fleet: %zu devices (%zu..%zu of %zu), folder %s\n", devices_.size(),
                 devices_.empty() ? 0 : devices_.front().index, devices_.empty() ? 0 : devices_.back().index,
                 config_.devices, config_.dir.c_str());
    std::fflush(stdout);
    auto next_status = start_ + std::chrono::seconds(1);
    std::vector<epoll_event> events(256);
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        // The ramp: device i starts i / rate seconds after the first.
        while (!stopping_ && next_spawn_ < devices_.size() &&
               std::chrono::duration<double>(now - start_).count() * config_.ramp_per_s >=
                   static_cast<double>(next_spawn_)) {
            spawn(devices_[next_spawn_++]);
        }
        if (now >= next_status) {
            print_status(false);
            next_status += std::chrono::seconds(1);
            if (next_status < now) next_status = now + std::chrono::seconds(1);
        }
        expire_jobs();
        const bool all_started = stopping_ || next_spawn_ == devices_.size();
        if (all_started && live_ == 0) break;

        auto wake = next_status;
        if (!stopping_ && next_spawn_ < devices_.size()) {
            wake = std::min(wake, start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                               std::chrono::duration<double>(
                                                   static_cast<double>(next_spawn_) / config_.ramp_per_s)));
        }
        const auto wait_ms =
            std::chrono::ceil<std::chrono::milliseconds>(wake - std::chrono::steady_clock::now()).count();
        const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                                   static_cast<int>(std::clamp<long long>(wait_ms, 0, 1000)));
        for (int i = 0; i < n; ++i) {
            const std::uint64_t t = events[static_cast<std::size_t>(i)].data.u64;
            const std::uint64_t id = t & ((1ULL << kKindShift) - 1);
            switch (static_cast<Kind>(t >> kKindShift)) {
                case kSignal:
                    on_signal();
                    break;
                case kControlListen:
                    accept_control();
                    break;
                case kControlClient:
                    on_control(id);
                    break;
                case kDevice:
                    read_status(devices_[id]);
                    break;
                case kForward:
                    on_forward(id);
                    break;
            }
        }
    }
    print_status(true);
    // Answer whatever is still waiting: the devices it asked are gone.
    while (!forwards_.empty())
        finish_forward(forwards_.begin()->first, "error the device ended");

    const FleetTotals totals = fleet_totals(devices_);
    std::fputs(summary_text(totals, devices_, elapsed_s()).c_str(), stdout);
    std::fflush(stdout);
    if (!config_.summary.empty()) {
        std::ofstream out(config_.summary, std::ios::trunc);
        out << summary_json(totals, devices_, elapsed_s(), config_.shard, config_.dir);
        if (!out) std::fprintf(stderr, "luatos fleet: cannot write %s\n", config_.summary.c_str());
    }
    // As one device: stopped by a signal is 128 + it, unless a device's script had died before.
    if (stop_signals_ > 0 && totals.crashed == 0) return 128 + stop_signal_;
    return totals.crashed > 0 ? 1 : 0;
}

}  // namespace lua_bindings
