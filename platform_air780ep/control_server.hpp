// The runtime's control interface: a Unix-domain stream socket (path given by an option) served
// on the event loop. Clients send one text command per line and get one answer line per command,
// starting with "ok" or "error". Commands are registered by verb (the link registers `link`,
// `outage`, `up`, `down`, `status`; the board `gpio`, `adc`, `sms`, `wlan` and extends `status`;
// `help` lists them), so a test or a user can change a running
// device: `printf 'outage 30\n' | socat - UNIX-CONNECT:/tmp/dev.ctl`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sys_task/event_loop.hpp"
#include "sys_task/logger.hpp"

namespace platform_air780ep {

class ControlServer {
  public:
    // Gets the text after the verb (trimmed); returns the answer line (without newline).
    using Handler = std::function<std::string(std::string_view args)>;

    // A server listening at `path` (a stale socket file there is replaced), with the `help` command.
    // nullptr, with the reason in `error`, if it cannot listen there.
    static std::unique_ptr<ControlServer> create(sys_task::EventLoop& loop, sys_task::Logger& log,
                                                 const std::string& path, std::string& error);
    ~ControlServer();  // closes clients, removes the socket file
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    [[nodiscard]] const std::string& path() const { return path_; }

    // Register (or replace) the command `verb`.
    void add_command(std::string verb, std::string help, Handler handler);
    // The handler registered for `verb` (empty if none): lets a command extend an earlier one.
    [[nodiscard]] Handler handler(const std::string& verb) const;
    // Run one command line as a client would (also usable without a socket).
    std::string execute(std::string_view line);

  private:
    ControlServer(sys_task::EventLoop& loop, sys_task::Logger& log);
    bool listen(const std::string& path, std::string& error);

    struct Client;
    struct Command {
        std::string help;
        Handler handler;
    };

    void accept_clients();
    void on_client(Client& client, short revents);
    void drop_client(Client& client);

    sys_task::EventLoop& loop_;
    sys_task::Logger& log_;
    std::string path_;
    int listen_fd_ = -1;
    sys_task::EventLoop::WatchId listen_watch_ = 0;
    std::map<std::string, Command> commands_;
    std::vector<std::unique_ptr<Client>> clients_;
};

}  // namespace platform_air780ep
