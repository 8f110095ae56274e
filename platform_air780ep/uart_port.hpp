// A UART of the simulated module: one pseudo-terminal per port, so a serial terminal (or a test)
// talks to the script's `uart` as to the module's pins. The module's side is the pty master, in
// raw mode (binary safe: no echo, no line editing, no CR/LF translation); the other side is the
// slave device (/dev/pts/N), optionally reachable through a fixed symlink given by an option.
//
// Received bytes are buffered (up to the port's buffer size; when it is full the pty holds the
// writer back, nothing is lost) and announced as a native message on the event loop carrying the
// count of bytes that arrived since the last announcement (one message per burst: the `receive`
// event). `read` takes buffered bytes; `write` sends at once what the pty takes and buffers the rest.
//
// With no terminal attached a pty master reports hang-up/EIO; the port keeps its own handle on
// the slave side open, so a terminal may come and go and the event loop never spins on a hang-up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "luat_mqtt/byte_queue.hpp"
#include "sys_task/event_loop.hpp"

namespace platform_air780ep {

struct UartOptions {
    std::string link_path;            // if set: a symlink to the slave device (replaces an old symlink)
    std::uint32_t baud = 115200;      // shown to terminals (the pty does not pace)
    std::size_t rx_capacity = 4096;   // bytes buffered for read()
    std::size_t tx_capacity = 65536;  // bytes buffered while the terminal does not read
};

class UartPort {
  public:
    using ReceiveHandler = std::function<void(std::size_t count)>;

    // Opens the pseudo-terminal. nullptr, with the failing call and its reason in `error` (e.g.
    // "posix_openpt: No such device"), if the system has none to give or the link path is taken.
    static std::unique_ptr<UartPort> create(sys_task::EventLoop& loop, int id, const UartOptions& options,
                                            std::string& error);
    ~UartPort();
    UartPort(const UartPort&) = delete;
    UartPort& operator=(const UartPort&) = delete;

    [[nodiscard]] int id() const { return id_; }
    [[nodiscard]] const std::string& device_path() const { return device_path_; }  // /dev/pts/N
    [[nodiscard]] const std::string& link_path() const { return link_path_; }      // "" if none
    // Where a terminal should connect: the symlink if there is one, else the device.
    [[nodiscard]] const std::string& path() const { return link_path_.empty() ? device_path_ : link_path_; }

    // Called from a native message with the count of bytes that arrived since the last call.
    void set_receive_handler(ReceiveHandler handler) { on_receive_ = std::move(handler); }

    std::size_t read(std::span<std::uint8_t> out);
    [[nodiscard]] std::size_t available() const { return rx_.size(); }
    // Returns how many bytes were accepted (all, unless tx_capacity bytes are already waiting).
    std::size_t write(std::span<const std::uint8_t> data);
    [[nodiscard]] std::size_t pending_output() const { return tx_.size(); }

  private:
    UartPort(sys_task::EventLoop& loop, int id, const UartOptions& options);
    bool open_terminal(std::string& error);
    void on_master(short revents);
    void receive();
    void send();
    void update_watch();

    sys_task::EventLoop& loop_;
    int id_;
    UartOptions options_;
    int master_ = -1;
    int slave_keeper_ = -1;
    std::string device_path_;
    std::string link_path_;
    sys_task::EventLoop::WatchId watch_ = 0;
    short watched_events_ = 0;
    luat_mqtt::ByteQueue rx_;
    luat_mqtt::ByteQueue tx_;
    ReceiveHandler on_receive_;
    std::size_t unannounced_ = 0;  // arrived since the last receive message
    bool announce_posted_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace platform_air780ep
