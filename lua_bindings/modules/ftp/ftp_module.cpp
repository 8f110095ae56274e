// ftp: LuatOS's ftp module (docs/modules/ftp.md), read from components/network/libftp/
// luat_lib_ftp.c and luat_ftp_client.c.
//
// Glue only: the arguments and the synchronous checks as LuatOS makes them (its log lines and
// negative codes), one session per run as LuatOS's g_s_ftp, its control connection and each
// transfer's passive data connection, each an AdapterStream on its own socket channel, the local
// file of a pull or push, the reply timer, and the results handed to the `.wait()` object of the
// last call (LuatOS's single ftp_idp). What the replies mean is the FtpClient's (ftp_client.hpp).
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "lua_bindings/modules/cwait.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/ftp/ftp_client.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/network_modules.hpp"
#include "platform_air780ep/adapter_stream.hpp"

namespace lua_bindings {

namespace {

constexpr std::uint64_t kSocketTimeoutMs = 30000;  // FTP_SOCKET_TIMEOUT
constexpr std::uint64_t kTxPollMs = 10;            // how often an upload's acknowledgement is looked at
constexpr std::size_t kPushBuffer = 64 * 1024;     // PUSH_BUFF_SIZE with PSRAM (the EC718P has it)
constexpr std::size_t kMaxField = 64;              // addr, username, password: 63 bytes and the NUL
constexpr const char* kTag = "ftp";

class FtpModule;

// The login's session: LuatOS's g_s_ftp.network, from ftp.login until it is released.
class FtpSession final : private luat_mqtt::TransportListener {
  public:
    FtpSession(FtpModule& module, int adapter, platform_air780ep::Channel channel,
               std::unique_ptr<platform_air780ep::AdapterStream> control, std::string host,
               std::uint16_t port, std::string username, std::string password);
    ~FtpSession();
    FtpSession(const FtpSession&) = delete;
    FtpSession& operator=(const FtpSession&) = delete;

    void start();
    // Close both connections, give the channels back, stop the timers (the run ends, or a release).
    void shutdown();
    void set_debug(bool on) {
        if (control_) control_->set_debug(on);
    }
    [[nodiscard]] bool busy() const { return client_.busy(); }

    void command(std::string cmd) {
        client_.start_command(std::move(cmd));
        process();
    }
    void pull(std::string remote, std::FILE* fd);
    void push(std::string remote, std::FILE* fd, std::size_t size);
    void close() {
        client_.start_close();
        process();
    }

  private:
    // The data connection's listener.
    class DataListener final : public luat_mqtt::TransportListener {
      public:
        explicit DataListener(FtpSession& s) : s_(s) {}
        void on_transport_connected() override { s_.on_data_connected(); }
        void on_transport_readable() override { s_.on_data_readable(); }
        void on_transport_writable() override { s_.pump_upload(); }
        void on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) override {
            s_.on_data_closed(error, detail);
        }

      private:
        FtpSession& s_;
    };

    void on_transport_connected() override;
    void on_transport_readable() override;
    void on_transport_writable() override;
    void on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) override;
    void on_data_connected();
    void on_data_readable();
    void on_data_closed(luat_mqtt::TransportError error, std::string_view detail);

    void process();
    void run_action(FtpClient::Action& action);
    void open_data(const std::string& host, std::uint16_t port);
    void close_data();
    void flush_control();
    void pump_upload();
    void watch_upload_ack();
    void close_file();
    void rearm_timer();
    void cancel_timers();
    sys_task::Logger& log();
    sys_task::EventLoop& loop();

    FtpModule& module_;
    int adapter_;
    platform_air780ep::Channel control_channel_;
    std::unique_ptr<platform_air780ep::AdapterStream> control_;
    platform_air780ep::Channel data_channel_;
    std::unique_ptr<platform_air780ep::AdapterStream> data_;
    DataListener data_listener_{*this};
    std::string host_;
    std::uint16_t port_;
    FtpClient client_;
    std::string control_out_;  // what the control stream has not taken yet
    bool control_up_ = false;
    bool data_up_ = false;
    std::FILE* fd_ = nullptr;
    std::size_t local_size_ = 0;
    bool uploading_ = false;
    std::vector<std::uint8_t> upload_chunk_;
    std::size_t upload_offset_ = 0;
    std::size_t uploaded_ = 0;
    bool upload_read_all_ = false;
    sys_task::EventLoop::TimerId timer_ = 0;
    sys_task::EventLoop::TimerId ack_timer_ = 0;
    bool released_ = false;
    // Closed data streams: one may be the stream whose callback is running when it is closed, so
    // they are destroyed at the next data connection or with the session.
    std::vector<std::unique_ptr<platform_air780ep::AdapterStream>> closed_streams_;
    std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

class FtpModule {
  public:
    FtpModule(RunContext& r, DeviceNetwork& n) : run(r), network(n) {}
    ~FtpModule() {
        if (session) session->shutdown();
    }
    // The Lua calls start here: no session callback is running.
    void bury() { ended.clear(); }
    FtpModule(const FtpModule&) = delete;
    FtpModule& operator=(const FtpModule&) = delete;

    RunContext& run;
    DeviceNetwork& network;
    std::shared_ptr<FtpSession> session;  // g_s_ftp.network
    // Released sessions: one may be the session whose callback released it, so they are destroyed
    // at the next Lua call or with the module.
    std::vector<std::shared_ptr<FtpSession>> ended;
    std::uint64_t wait_id = 0;  // ftp_idp: the last call's wait object
    bool debug = false;         // g_s_ftp.debug_onoff

    sys_task::Logger& log() { return run.device().logger(); }
    void debug_line(const std::string& text) {
        if (debug) log().debug(kTag, text);
    }

    // luat_ftp_release: the session's connections and channels go now, the object once the loop
    // is out of its callbacks.
    void release() {
        if (!session) return;
        session->shutdown();
        ended.push_back(std::move(session));
    }

    // l_ftp_callback, as a message: the result goes to the wait object of the last call.
    void deliver(FtpClient::ResultKind kind, std::string text) {
        run.post([this, kind, text = std::move(text)](lua_State* L) {
            if (wait_id == 0) return;
            switch (kind) {
                case FtpClient::ResultKind::kFalse:
                    lua_pushboolean(L, 0);
                    break;
                case FtpClient::ResultKind::kTrue:
                    lua_pushboolean(L, 1);
                    break;
                case FtpClient::ResultKind::kText:
                    lua_pushlstring(L, text.data(), text.size());
                    break;
            }
            const std::uint64_t id = wait_id;
            wait_id = 0;
            cbcwait(L, id, 1);
        });
    }
};

FtpSession::FtpSession(FtpModule& module, int adapter, platform_air780ep::Channel channel,
                       std::unique_ptr<platform_air780ep::AdapterStream> control, std::string host,
                       std::uint16_t port, std::string username, std::string password)
    : module_(module),
      adapter_(adapter),
      control_channel_(std::move(channel)),
      control_(std::move(control)),
      host_(host),
      port_(port),
      client_(std::move(host), std::move(username), std::move(password)) {
    control_->set_listener(this);
}

FtpSession::~FtpSession() {
    shutdown();
}

sys_task::Logger& FtpSession::log() {
    return module_.log();
}

sys_task::EventLoop& FtpSession::loop() {
    return module_.run.device().loop();
}

void FtpSession::start() {
    std::weak_ptr<int> alive = alive_;
    // LuatOS's ftp task starts after the caller's turn.
    loop().post([this, alive] {
        if (alive.expired() || released_) return;
        if (!control_->open(host_, port_)) client_.control_failed(-1);
        process();
    });
    rearm_timer();
}

void FtpSession::shutdown() {
    if (released_) return;
    released_ = true;
    cancel_timers();
    close_data();
    if (control_) control_->close();
    control_channel_.release();
    close_file();
}

void FtpSession::pull(std::string remote, std::FILE* fd) {
    if (client_.busy()) {
        std::fclose(fd);  // the operation in flight keeps its own file
    } else {
        close_file();
        fd_ = fd;
    }
    client_.start_pull(std::move(remote));
    process();
}

void FtpSession::push(std::string remote, std::FILE* fd, std::size_t size) {
    if (client_.busy()) {
        std::fclose(fd);
    } else {
        close_file();
        fd_ = fd;
        local_size_ = size;
    }
    client_.start_push(std::move(remote), size);
    process();
}

void FtpSession::process() {
    if (released_) return;
    for (;;) {
        std::deque<FtpClient::Action> actions = client_.take_actions();
        if (actions.empty()) break;
        for (FtpClient::Action& a : actions) {
            run_action(a);
            if (released_) return;
        }
    }
    rearm_timer();
}

void FtpSession::run_action(FtpClient::Action& a) {
    using Kind = FtpClient::Action::Kind;
    switch (a.kind) {
        case Kind::kSend:
            module_.debug_line("send cmd:" + a.text);
            control_out_ += a.text;
            flush_control();
            return;
        case Kind::kOpenData:
            open_data(a.text, a.port);
            return;
        case Kind::kCloseData:
            close_data();
            return;
        case Kind::kStartUpload:
            uploading_ = true;
            uploaded_ = 0;
            upload_offset_ = 0;
            upload_chunk_.clear();
            upload_read_all_ = false;
            pump_upload();
            return;
        case Kind::kLog:
            if (a.level == 'E') {
                log().error(kTag, a.text);
            } else if (a.level == 'W') {
                log().warn(kTag, a.text);
            } else {
                module_.debug_line(a.text);
            }
            return;
        case Kind::kDone:
            // The operation's file is closed before its result is posted (luat_fs_fclose, then l_ftp_cb).
            close_file();
            uploading_ = false;
            module_.deliver(a.result, std::move(a.text));
            return;
        case Kind::kRelease:
            module_.release();  // sets released_ through shutdown()
            return;
    }
}

void FtpSession::open_data(const std::string& host, std::uint16_t port) {
    close_data();
    closed_streams_.clear();
    std::string error;
    std::optional<platform_air780ep::Channel> channel = module_.network.channels().acquire("ftp", error);
    std::unique_ptr<luat_mqtt::Transport> transport;
    if (channel) transport = module_.network.make_tcp_stream(adapter_, error);
    if (!channel || !transport) {
        log().error(kTag, "data_netc create fail");
        client_.data_failed();
        return;
    }
    data_channel_ = std::move(*channel);
    data_ = std::make_unique<platform_air780ep::AdapterStream>(
        log(), module_.run.device().adapters(), adapter_, std::move(transport), data_channel_.index(), "TCP");
    data_->set_log_tag(kTag);
    data_->set_peer_close_expected(true);
    data_->set_debug(module_.debug);
    data_->set_listener(&data_listener_);
    data_up_ = false;
    if (!data_->open(host, port)) {
        log().error(kTag, "ftp data network connect fail");
        close_data();
        client_.data_failed();
    }
}

void FtpSession::close_data() {
    if (ack_timer_ != 0) loop().cancel_timer(ack_timer_);
    ack_timer_ = 0;
    if (!data_) return;
    data_->close();
    data_channel_.release();
    data_up_ = false;
    closed_streams_.push_back(std::move(data_));
}

void FtpSession::flush_control() {
    if (!control_up_ || control_out_.empty()) return;
    const std::size_t n = control_->write(
        std::span(reinterpret_cast<const std::uint8_t*>(control_out_.data()), control_out_.size()));
    control_out_.erase(0, n);
}

void FtpSession::on_transport_connected() {
    control_up_ = true;
    client_.control_connected();
    flush_control();
    process();
}

void FtpSession::on_transport_readable() {
    char buffer[1024];
    for (;;) {
        const std::size_t n =
            control_->read(std::span(reinterpret_cast<std::uint8_t*>(buffer), sizeof buffer));
        if (n == 0) break;
        client_.control_bytes(std::string_view(buffer, n));
        if (released_) return;
    }
    process();
}

void FtpSession::on_transport_writable() {
    flush_control();
}

void FtpSession::on_transport_closed(luat_mqtt::TransportError /*error*/, std::string_view /*detail*/) {
    // The replies that came with the end are still read.
    on_transport_readable();
    if (released_) return;
    if (!control_up_) {
        client_.control_failed(-1);
    } else {
        control_up_ = false;
        client_.control_closed();
    }
    process();
}

void FtpSession::on_data_connected() {
    data_up_ = true;
    client_.data_connected();
    process();
}

void FtpSession::on_data_readable() {
    if (!data_) return;
    char buffer[2048];  // LuatOS reads the data connection 2048 bytes at a time
    for (;;) {
        const std::size_t n = data_->read(std::span(reinterpret_cast<std::uint8_t*>(buffer), sizeof buffer));
        if (n == 0) break;
        if (fd_ != nullptr && !uploading_) std::fwrite(buffer, 1, n, fd_);
        client_.data_bytes(std::string_view(buffer, n));
    }
    process();
}

void FtpSession::on_data_closed(luat_mqtt::TransportError /*error*/, std::string_view /*detail*/) {
    on_data_readable();
    if (released_) return;
    const bool was_up = data_up_;
    close_data();
    if (was_up) {
        client_.data_closed();
        if (uploading_) client_.upload_done(uploaded_);
    } else {
        client_.data_failed();
    }
    process();
}

void FtpSession::pump_upload() {
    if (!uploading_ || !data_ || fd_ == nullptr) return;
    for (;;) {
        if (upload_offset_ >= upload_chunk_.size()) {
            if (upload_read_all_) break;
            upload_chunk_.resize(kPushBuffer);
            const std::size_t n = std::fread(upload_chunk_.data(), 1, upload_chunk_.size(), fd_);
            upload_chunk_.resize(n);
            upload_offset_ = 0;
            if (n == 0) {
                upload_read_all_ = true;
                break;
            }
        }
        const std::size_t n = data_->write(std::span(upload_chunk_).subspan(upload_offset_));
        if (n == 0) return;  // on_transport_writable continues
        upload_offset_ += n;
        uploaded_ += n;
        rearm_timer();
    }
    watch_upload_ack();
}

// LuatOS closes the data connection once what was sent is acknowledged (FTP_EVENT_DATA_TX_DONE).
void FtpSession::watch_upload_ack() {
    if (ack_timer_ != 0 || !data_) return;
    std::weak_ptr<int> alive = alive_;
    ack_timer_ = loop().add_timer(0, [this, alive] {
        if (alive.expired()) return;
        ack_timer_ = 0;
        if (!data_ || !uploading_) return;
        if (data_->unsent() == 0) {
            client_.upload_done(uploaded_);
            process();
            return;
        }
        ack_timer_ = loop().add_timer(kTxPollMs, [this, alive] {
            if (alive.expired()) return;
            ack_timer_ = 0;
            watch_upload_ack();
        });
    });
}

void FtpSession::close_file() {
    if (fd_ != nullptr) std::fclose(fd_);
    fd_ = nullptr;
}

void FtpSession::rearm_timer() {
    if (timer_ != 0) loop().cancel_timer(timer_);
    timer_ = 0;
    if (released_ || !client_.busy()) return;
    std::weak_ptr<int> alive = alive_;
    timer_ = loop().add_timer(kSocketTimeoutMs, [this, alive] {
        if (alive.expired()) return;
        timer_ = 0;
        client_.timed_out();
        process();
    });
}

void FtpSession::cancel_timers() {
    if (timer_ != 0) loop().cancel_timer(timer_);
    timer_ = 0;
    if (ack_timer_ != 0) loop().cancel_timer(ack_timer_);
    ack_timer_ = 0;
}

FtpModule& module_of(lua_State* L) {
    return upvalue_object<FtpModule>(L);
}

// The byte length of a Lua string as LuatOS's strlen sees it.
std::string c_string(const char* s, std::size_t len) {
    return std::string(s, ::strnlen(s, len));
}

// luat_ftp_login's synchronous part: 0, or LuatOS's negative code (its line logged).
int login(FtpModule& m, unsigned adapter, const std::string& host, std::uint16_t port,
          const std::string& username, const std::string& password, bool tls) {
    sys_task::Logger& log = m.log();
    if (m.session) {
        log.error(kTag, "ftp already login, please close first");
        return static_cast<int>(FtpError::kState);
    }
    if (adapter >= platform_air780ep::kAdapterCount) {
        log.error(kTag, "bad network adapter index " + std::to_string(adapter));
        return static_cast<int>(FtpError::kState);
    }
    m.debug_line("ftp adapter " + std::to_string(adapter) + " host " + host + " port " +
                 std::to_string(port));
    std::string error;
    std::optional<platform_air780ep::Channel> channel = m.network.channels().acquire("ftp", error);
    std::unique_ptr<luat_mqtt::Transport> transport;
    if (channel) transport = m.network.make_tcp_stream(static_cast<int>(adapter), error);
    if (!channel || !transport) {
        log.error(kTag, "cmd_netc create fail");
        return static_cast<int>(FtpError::kNoMemory);
    }
    if (host.empty() || host.size() >= kMaxField) {
        log.error(kTag, "invalid ip address length " + std::to_string(host.size()));
        return static_cast<int>(FtpError::kHostLength);
    }
    if (username.empty() || username.size() >= kMaxField) {
        log.error(kTag, "invalid username length " + std::to_string(username.size()));
        return static_cast<int>(FtpError::kUserLength);
    }
    if (password.empty() || password.size() >= kMaxField) {
        log.error(kTag, "invalid password length " + std::to_string(password.size()));
        return static_cast<int>(FtpError::kPasswordLength);
    }
    if (tls) {
        log.error(kTag, "ftp tls not support yet");
        return static_cast<int>(FtpError::kTls);
    }
    Device& device = m.run.device();
    auto stream = std::make_unique<platform_air780ep::AdapterStream>(
        log, device.adapters(), static_cast<int>(adapter), std::move(transport), channel->index(), "TCP");
    stream->set_log_tag(kTag);
    stream->set_debug(m.debug);
    m.session = std::make_shared<FtpSession>(m, static_cast<int>(adapter), std::move(*channel),
                                             std::move(stream), host, port, username, password);
    m.session->start();
    return 0;
}

// ftp.login(adapter, ip_addr, port, username, password, ssl) -> wait object: true, false, or a code.
int l_login(lua_State* L) {
    FtpModule& m = module_of(L);
    m.bury();
    // uint8_t adapter / uint16_t port on LuatOS: the values are truncated.
    const auto adapter =
        static_cast<std::uint8_t>(luaL_optinteger(L, 1, m.run.device().adapters().default_id()));
    std::size_t len = 0;
    const char* ip = luaL_checklstring(L, 2, &len);
    const std::string host = c_string(ip, len);
    const auto port = static_cast<std::uint16_t>(luaL_optinteger(L, 3, 21));
    const char* user = luaL_optlstring(L, 4, "", &len);
    const std::string username = c_string(user, len);
    const char* pass = luaL_optlstring(L, 5, "", &len);
    const std::string password = c_string(pass, len);
    const bool tls = lua_isboolean(L, 6) ? lua_toboolean(L, 6) != 0 : lua_istable(L, 6);
    const int result = login(m, adapter, host, port, username, password, tls);
    if (result != 0) {
        m.log().error(kTag, "ftp login fail");
        m.release();
        lua_pushinteger(L, result);
        pushcwait_error(L, m.log(), 1);
        return 1;
    }
    m.wait_id = pushcwait(L, m.run.scheduler(), m.log());
    return 1;
}

// A call refused before it reaches the session: `code` through the wait object.
int refuse(lua_State* L, FtpModule& m, const char* line, FtpError code) {
    if (line != nullptr) m.log().error(kTag, line);
    lua_pushinteger(L, static_cast<lua_Integer>(code));
    pushcwait_error(L, m.log(), 1);
    return 1;
}

// ftp.command(cmd) -> wait object: the reply (LIST: the listing), false, or -8.
int l_command(lua_State* L) {
    FtpModule& m = module_of(L);
    m.bury();
    std::size_t len = 0;
    const char* text = luaL_optlstring(L, 1, "", &len);
    const std::string command = c_string(text, len);
    if (!m.session) {
        m.log().error(kTag, "please login first");
        return refuse(L, m, "ftp command fail", FtpError::kFile);
    }
    const std::optional<std::string_view> name = ftp_command_log_name(command);
    if (!name) {
        m.log().error(kTag, "not support cmd:" + command);
        return refuse(L, m, "ftp command fail", FtpError::kFile);
    }
    m.debug_line("command: " + std::string(*name));
    std::shared_ptr<FtpSession> session = m.session;
    m.wait_id = pushcwait(L, m.run.scheduler(), m.log());
    session->command(command);
    return 1;
}

// pull's and push's arguments: the local file's name and the remote one's (both "" when absent), each
// read as a C string, as LuatOS passes them on.
std::pair<std::string, std::string> transfer_names(lua_State* L) {
    std::size_t len = 0;
    const char* local = luaL_optlstring(L, 1, "", &len);
    std::string local_name = c_string(local, len);
    const char* remote = luaL_optlstring(L, 2, "", &len);
    return {std::move(local_name), c_string(remote, len)};
}

// ftp.pull(local_name, remote_name) -> wait object: true, false, or -8.
int l_pull(lua_State* L) {
    FtpModule& m = module_of(L);
    m.bury();
    const auto [local, remote] = transfer_names(L);
    if (!m.session) {
        m.log().error(kTag, "please login first");
        return refuse(L, m, "ftp pull fail", FtpError::kFile);
    }
    // luat_fs_remove, then fopen "wb+".
    const DeviceFs fs = device_fs(m.run);
    const DeviceFs::Resolved r = fs.resolve(local);
    if (r.kind == DeviceFs::Resolved::Kind::kData) {
        std::error_code ec;
        std::filesystem::remove(r.host_path, ec);
    }
    std::FILE* fd = open_device_file(fs, local.c_str(), "wb+");
    if (fd == nullptr) {
        m.log().error(kTag, "open download file fail " + local);
        return refuse(L, m, "ftp pull fail", FtpError::kFile);
    }
    std::shared_ptr<FtpSession> session = m.session;
    m.wait_id = pushcwait(L, m.run.scheduler(), m.log());
    session->pull(remote, fd);
    return 1;
}

// ftp.push(local_name, remote_name) -> wait object: true, false, or -4.
int l_push(lua_State* L) {
    FtpModule& m = module_of(L);
    m.bury();
    const auto [local, remote] = transfer_names(L);
    if (!m.session) {
        m.log().error(kTag, "please login first");
        return refuse(L, m, "ftp push fail", FtpError::kConnect);
    }
    std::FILE* fd = open_device_file(device_fs(m.run), local.c_str(), "rb");
    if (fd == nullptr) {
        m.log().error(kTag, "open download file fail " + local);  // LuatOS's text, for an upload too
        return refuse(L, m, "ftp push fail", FtpError::kConnect);
    }
    std::fseek(fd, 0, SEEK_END);
    const long size = std::ftell(fd);
    std::fseek(fd, 0, SEEK_SET);
    std::shared_ptr<FtpSession> session = m.session;
    m.wait_id = pushcwait(L, m.run.scheduler(), m.log());
    session->push(remote, fd, size < 0 ? 0 : static_cast<std::size_t>(size));
    return 1;
}

// ftp.close() -> wait object: the 221 reply, false, or -4.
int l_close(lua_State* L) {
    FtpModule& m = module_of(L);
    m.bury();
    if (!m.session) return refuse(L, m, "please login first", FtpError::kConnect);
    std::shared_ptr<FtpSession> session = m.session;
    m.wait_id = pushcwait(L, m.run.scheduler(), m.log());
    session->close();
    return 1;
}

// ftp.debug(onoff): only a boolean changes it.
int l_debug(lua_State* L) {
    FtpModule& m = module_of(L);
    m.bury();
    if (lua_isboolean(L, 1)) {
        m.debug = lua_toboolean(L, 1) != 0;
        if (m.session) m.session->set_debug(m.debug);
    }
    return 0;
}

}  // namespace

void install_ftp(RunContext& run, DeviceNetwork& network) {
    auto module = std::make_shared<FtpModule>(run, network);
    // The session still open when the run ends is closed before the Lua state goes.
    run.on_close([module]() mutable { module.reset(); });
    lua_State* L = run.state();
    push_module_table(L, "ftp");
    static const luaL_Reg kFunctions[] = {
        {"login", l_login}, {"command", l_command}, {"pull", l_pull},   {"push", l_push},
        {"close", l_close}, {"debug", l_debug},     {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    lua_pop(L, 1);
}

}  // namespace lua_bindings
