// errDump: the module's error records and their upload, as LuatOS's components/network/errdump/
// luat_lib_errdump.c has them (docs/modules/errdump.md). Two record files in the device's file
// system, "/\xAAserr" (the system record: the message of each error that ended the Lua VM) and
// "/\xAAuerr" (errDump.record's user record), each at most 4 KB with new bytes pushing out the
// oldest; errDump.dump reads them into a zbuff; with an upload period the records go as one UDP
// datagram to LuatOS's server (dev_msg1.openluat.com:12425) or the configured host, through a socket
// channel of the default adapter and the host map, until the server answers "OK" or {"r": 1}.
//
// The state is per boot (LuatOS's static econf is zero at every start); the files are in the data
// folder, so they outlive reboots and runs.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_fs.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/module_identity.hpp"
#include "lua_bindings/modules/network_modules.hpp"
#include "lua_bindings/modules/socket/socket_ctrl.hpp"
#include "lua_bindings/modules/zbuff/zbuff.hpp"
#include "platform_air780ep/frame_codec.hpp"

namespace lua_bindings {

namespace {

constexpr const char* kTag = "errDump";
constexpr std::size_t kRecordMax = 4096;       // ERR_DUMP_LEN_MAX
constexpr std::uint16_t kDefaultPort = 12425;  // LUAT_ERRDUMP_PORT
constexpr const char* kDefaultHost = "dev_msg1.openluat.com";
constexpr std::size_t kFieldMax = 48;            // custom_id / host: shorter than 48 bytes are taken
constexpr std::uint64_t kFirstUploadMs = 2000;   // after config() and after each record
constexpr std::uint64_t kConnectWaitMs = 30000;  // the whole connect
constexpr std::uint64_t kAnswerWaitMs = 10000;   // each datagram's answer
constexpr std::uint32_t kSends = 3;              // datagrams per upload before it gives up

enum RecordType : lua_Integer { kTypeSys = 0, kTypeUsr = 1, kTypeNone = 2 };
enum class Step { kConnect, kTx, kRx, kClose };

const char kSysPath[] = "/\xAAserr";
const char kUsrPath[] = "/\xAAuerr";

class Errdump {
  public:
    Errdump(RunContext& run, DeviceNetwork& network) : run_(run), network_(network) {}
    ~Errdump() {
        stop_timer(upload_timer_);
        stop_timer(network_timer_);
    }
    Errdump(const Errdump&) = delete;
    Errdump& operator=(const Errdump&) = delete;

    // luat_errdump_record_init
    void record_init(bool enable, lua_Integer period) {
        enable_ = enable;
        if (enable_) {
            if (period != 0) {
                period_s_ = static_cast<std::uint32_t>(period);
                start_upload_timer(kFirstUploadMs);
                stop_timer(network_timer_);
            } else {
                period_s_ = 0;
                stop_timer(upload_timer_);
                stop_timer(network_timer_);
            }
        } else {
            clear(kSysPath);
            clear(kUsrPath);
            stop_timer(upload_timer_);
            stop_timer(network_timer_);
            user_string_.reset();
        }
    }

    [[nodiscard]] bool enabled() const { return enable_; }
    sys_task::Logger& log() { return run_.device().logger(); }
    void set_user_string(std::string s) { user_string_ = std::move(s); }
    void set_custom_id(std::string s) { custom_id_ = std::move(s); }
    void set_host(std::string s) { host_ = std::move(s); }
    void set_port(lua_Integer port) { port_ = static_cast<std::uint16_t>(port); }
    void set_adapter(lua_Integer adapter) { adapter_id_ = static_cast<int>(adapter); }
    void default_port() {
        if (port_ < 1) port_ = kDefaultPort;
    }
    [[nodiscard]] const std::string& host() const { return host_; }
    [[nodiscard]] std::uint16_t port() const { return port_; }

    // luat_errdump_save_file: an error that ends the VM.
    void save_system(const std::string& message) {
        ++sys_w_;
        save(kSysPath, message);
        ++sys_w_;
    }
    // errDump.record
    void save_user(const std::string& text) {
        ++usr_w_;
        save(kUsrPath, text);
        ++usr_w_;
    }

    // errDump.dump's work: whether something was written since the last read; the record into `z`.
    bool dump(Zbuff* z, lua_Integer type, bool remove) {
        const char* path = type == kTypeSys ? kSysPath : type == kTypeUsr ? kUsrPath : nullptr;
        bool result = false;
        if (type == kTypeSys) result = sys_r_ != sys_w_;
        if (type == kTypeUsr) result = usr_r_ != usr_w_;
        if (z != nullptr) {
            if (type == kTypeSys) sys_r_ = sys_w_;
            if (type == kTypeUsr) usr_r_ = usr_w_;
            z->set_used(0);
            if (path != nullptr && enable_) load(path, *z);
        }
        if (remove && path != nullptr) clear(path);
        return result;
    }

  private:
    [[nodiscard]] std::filesystem::path host_path(const char* path) const {
        return device_fs(run_).resolve(path).host_path;
    }
    [[nodiscard]] std::optional<std::string> read_file(const char* path) const {
        std::ifstream in(host_path(path), std::ios::binary);
        if (!in) return std::nullopt;
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    [[nodiscard]] std::size_t file_size(const char* path) const {
        std::error_code ec;
        const auto n = std::filesystem::file_size(host_path(path), ec);
        return ec ? 0 : static_cast<std::size_t>(n);
    }
    void clear(const char* path) const {
        std::error_code ec;
        std::filesystem::remove(host_path(path), ec);
    }

    // luat_errdump_save: append, keeping the newest kRecordMax bytes; then an upload soon.
    void save(const char* path, const std::string& data) {
        if (!enable_) return;
        std::string content;
        if (data.size() >= kRecordMax) {
            content = data.substr(data.size() - kRecordMax);  // the old bytes are of no use
        } else {
            std::string old = read_file(path).value_or(std::string{});
            if (old.size() + data.size() > kRecordMax) old.erase(0, old.size() + data.size() - kRecordMax);
            content = old + data;
        }
        std::ofstream out(host_path(path), std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close();
        if (!uploading_ && period_s_ != 0) start_upload_timer(kFirstUploadMs);
    }

    // luat_errdump_load: the file into the zbuff (grown to the file's size when smaller).
    void load(const char* path, Zbuff& z) const {
        const std::optional<std::string> content = read_file(path);
        if (!content || content->empty()) return;
        if (z.capacity() < content->size() && !z.resize(content->size())) return;
        std::memcpy(z.data().data(), content->data(), content->size());
        z.set_used(content->size());
    }

    // ---- the upload: LuatOS's two rtos timers and its message handler ----

    void stop_timer(sys_task::EventLoop::TimerId& id) {
        if (id != 0) run_.device().loop().cancel_timer(id);
        id = 0;
    }
    void start_upload_timer(std::uint64_t ms) {
        stop_timer(upload_timer_);
        upload_timer_ = run_.device().loop().add_timer(ms, [this] {
            upload_timer_ = 0;
            on_upload_timer();
        });
    }
    void start_upload_retry() { start_upload_timer(static_cast<std::uint64_t>(period_s_) * 1000); }
    void start_network_timer(std::uint64_t ms, std::uint32_t retry) {
        stop_timer(network_timer_);
        network_timer_ = run_.device().loop().add_timer(ms, [this, retry] {
            network_timer_ = 0;
            on_network_timer(retry);
        });
    }
    void post(Step step, std::uint32_t arg = 0) {
        run_.post([this, step, arg](lua_State* L) { handle(L, step, arg); });
    }
    std::string retry_text() const { return "after " + std::to_string(period_s_) + " second retry"; }

    // luat_errdump_timer_callback
    void on_upload_timer() {
        if (!poweron_done_ || file_size(kSysPath) > 0 || file_size(kUsrPath) > 0) {
            uploading_ = true;
            post(Step::kConnect);
        } else {
            log().debug(kTag, "no info errdump stop");
        }
    }

    // luat_errdump_rx_timer_callback: no answer (retry 1, 2: send again) or no connection.
    void on_network_timer(std::uint32_t retry) {
        if (retry != 0 && retry < kSends) {
            log().error(kTag, "errdump tx fail " + std::to_string(retry) + " cnt, retry");
            post(Step::kTx, retry);
        } else {
            log().error(kTag, "errdump server connect or tx fail, " + retry_text());
            post(Step::kClose);
            uploading_ = false;
            start_upload_retry();
        }
    }

    // luat_errdump_network_callback: the link's result events.
    void on_network_event(NwWait target, int result) {
        if (result != 0) {
            log().error(kTag, "errdump fail, " + retry_text());
            uploading_ = false;
            post(Step::kClose);
            start_upload_retry();
            tx_.reset();
            return;
        }
        if (target == NwWait::kOnLine) {
            post(Step::kTx);
        } else if (target == NwWait::kEvent) {
            post(Step::kRx);
            if (ctrl_) ctrl_->wait_event();
        }
    }

    // luat_errdump_make_data: the datagram. First line: PROJECT_LuatOS-SoC_version_bsp,VERSION,id,
    // user flag, then the power-on reason until one upload succeeded, then the two records.
    void make_data(lua_State* L) {
        std::string project = "unkonw";  // (sic)
        std::string version;
        lua_getglobal(L, "PROJECT");
        if (lua_type(L, -1) == LUA_TSTRING) project = lua_tostring(L, -1);
        lua_getglobal(L, "VERSION");
        if (lua_type(L, -1) == LUA_TSTRING) version = lua_tostring(L, -1);
        lua_pop(L, 2);
        const std::string id = custom_id_.empty() ? run_.device().identity().imei : custom_id_;
        sys_r_ = sys_w_;
        usr_r_ = usr_w_;
        std::string records[2];
        const char* paths[2] = {kSysPath, kUsrPath};
        const char* names[2] = {"sys", "user"};
        for (int i = 0; i < 2; ++i) {
            const std::size_t n = file_size(paths[i]);
            if (n > kRecordMax * 2) {
                log().error(kTag, std::string(names[i]) + " record file len " + std::to_string(n) +
                                      " too much, drop");
                clear(paths[i]);
                continue;
            }
            if (n > 0) records[i] = read_file(paths[i]).value_or(std::string{});
        }
        std::string data = project + "_LuatOS-SoC_" + kLuatosVersion + "_" + kChipName + "," + version + "," +
                           id + "," + user_string_.value_or(std::string{}) + ",\r\n";
        if (!poweron_done_) {
            data += "poweron reason:" + std::to_string(run_.device().power().poweron_reason) + "\r\n";
        }
        for (const std::string& r : records) {
            if (!r.empty()) data += r + "\r\n";
        }
        tx_ = std::move(data);
    }

    bool send() {
        std::size_t sent = 0;
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(tx_->data());
        return ctrl_->tx({bytes, tx_->size()}, std::nullopt, 0, sent) >= 0;
    }
    [[nodiscard]] bool records_changed() const { return sys_r_ != sys_w_ || usr_r_ != usr_w_; }

    // l_errdump_callback
    void handle(lua_State* L, Step step, std::uint32_t arg) {
        switch (step) {
            case Step::kConnect:
                connect();
                return;
            case Step::kTx:
                if (!ctrl_) return;
                if (!tx_ || records_changed()) {
                    if (tx_) arg = 0;
                    make_data(L);
                }
                if (!send()) {
                    log().error(kTag, "socket tx error, errdump fail, " + retry_text());
                    start_upload_retry();
                    close();
                    return;
                }
                ctrl_->wait_event();
                start_network_timer(kAnswerWaitMs, arg + 1);
                return;
            case Step::kRx:
                receive(L);
                return;
            case Step::kClose:
                close();
                return;
        }
    }

    void connect() {
        const int adapter = adapter_id_ > 0 ? adapter_id_ : run_.device().adapters().default_id();
        std::string error;
        std::optional<platform_air780ep::Channel> channel;
        const bool adapter_ok =
            adapter == platform_air780ep::kAdapterEth0 ||
            (adapter == platform_air780ep::kAdapterLwipGp && network_.cellular() != nullptr);
        if (adapter_ok) channel = network_.channels().acquire("errdump", error);
        if (!channel) {
            log().error(kTag,
                        "no socket, errdump fail, " + retry_text() + ", adapter " + std::to_string(adapter));
            uploading_ = false;
            start_upload_retry();
            tx_.reset();
            return;
        }
        ctrl_ = std::make_unique<SocketCtrl>(
            network_, adapter, std::move(*channel),
            [this](NwWait target, int result) { on_network_event(target, result); });
        start_network_timer(kConnectWaitMs, 0);
        std::string host = kDefaultHost;
        std::uint16_t port = kDefaultPort;
        if (!host_.empty()) {
            default_port();
            host = host_;
            port = port_;
        }
        ctrl_->connect(host, port, platform_air780ep::parse_ipv4(host).has_value());
    }

    void receive(lua_State* L) {
        if (!ctrl_) return;
        std::uint8_t response[16];
        platform_air780ep::Ipv4 from = 0;
        std::uint16_t from_port = 0;
        const std::optional<std::size_t> n = ctrl_->rx(response, from, from_port);
        if (!n) {
            log().error(kTag, "socket rx error, errdump fail, " + retry_text());
            start_upload_retry();
            close();
            return;
        }
        const std::string answer(reinterpret_cast<const char*>(response), *n);
        if ((*n == 8 && answer != R"({"r": 1})") || (*n == 2 && answer != "OK")) {
            log().debug(kTag, "errdump response error " + answer);
            return;
        }
        if (*n != 8 && *n != 2) log().debug(kTag, "errdump response maybe new " + answer);
        if (records_changed()) {
            log().debug(kTag, "errdump need retry!");
            make_data(L);
            // LuatOS tests this send's result for non-zero, and a UDP send that went out gives 1: the
            // datagram is sent, then the upload is called failed and tried again a period later.
            std::size_t sent = 0;
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(tx_->data());
            if (ctrl_->tx({bytes, tx_->size()}, std::nullopt, 0, sent) != 0) {
                log().error(kTag, "socket tx error, errdump fail, " + retry_text());
                start_upload_retry();
                close();
                return;
            }
            ctrl_->wait_event();
            start_network_timer(kAnswerWaitMs, 1);
            return;
        }
        log().debug(kTag, "errdump ok!");
        clear(kSysPath);
        clear(kUsrPath);
        poweron_done_ = true;
        close();
    }

    // SOCKET_CLOSE
    void close() {
        stop_timer(network_timer_);
        uploading_ = false;
        if (ctrl_) {
            ctrl_->close_gracefully();
            ctrl_.reset();  // the channel goes back
            tx_.reset();
        }
    }

    RunContext& run_;
    DeviceNetwork& network_;
    bool enable_ = false;
    std::uint32_t period_s_ = 0;
    std::optional<std::string> user_string_;
    std::string custom_id_;
    std::string host_;
    std::uint16_t port_ = 0;
    int adapter_id_ = 0;
    // Writes and reads of each record: a write bumps its count twice (before and after), a read
    // catches up; dump() and an upload see whether something came in between.
    std::uint32_t sys_r_ = 0, sys_w_ = 0, usr_r_ = 0, usr_w_ = 0;
    bool uploading_ = false;
    bool poweron_done_ = false;
    std::optional<std::string> tx_;  // the datagram of the upload under way
    std::unique_ptr<SocketCtrl> ctrl_;
    sys_task::EventLoop::TimerId upload_timer_ = 0;
    sys_task::EventLoop::TimerId network_timer_ = 0;
};

Errdump& errdump(lua_State* L) {
    return upvalue_object<Errdump>(L);
}

// errDump.dump([zbuff], [type = TYPE_USR], [delete]) -> true if the record was written since the
// last read (true for a type past TYPE_USR)
int l_dump(lua_State* L) {
    const bool remove = lua_type(L, 3) == LUA_TBOOLEAN && lua_toboolean(L, 3) != 0;
    Zbuff* z = lua_touserdata(L, 1) != nullptr ? &check_zbuff(L, 1) : nullptr;
    const lua_Integer type = luaL_optinteger(L, 2, kTypeUsr);
    if (type >= kTypeNone) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushboolean(L, errdump(L).dump(z, type, remove) ? 1 : 0);
    return 1;
}

// errDump.record(text): append to the user record (a string only; others are ignored)
int l_record(lua_State* L) {
    if (lua_type(L, 1) == LUA_TSTRING) {
        std::size_t len = 0;
        const char* s = lua_tolstring(L, 1, &len);
        if (len != 0) errdump(L).save_user(std::string(s, len));
    }
    return 0;
}

// errDump.config([enable, [period = 600]], [user_flag], [custom_id], [host], [port], [adapter])
int l_config(lua_State* L) {
    Errdump& e = errdump(L);
    if (lua_type(L, 1) == LUA_TBOOLEAN) e.record_init(lua_toboolean(L, 1) != 0, luaL_optinteger(L, 2, 600));
    if (!e.enabled()) return 0;
    std::size_t len = 0;
    if (lua_type(L, 3) == LUA_TSTRING) {
        const char* s = luaL_checklstring(L, 3, &len);
        e.set_user_string(std::string(s, len));
    }
    if (lua_type(L, 4) == LUA_TSTRING) {
        const char* s = luaL_checklstring(L, 4, &len);
        if (len < kFieldMax) e.set_custom_id(std::string(s, len));
    }
    if (lua_type(L, 5) == LUA_TSTRING) {
        const char* s = luaL_checklstring(L, 5, &len);
        if (len < kFieldMax) e.set_host(std::string(s, len));
        if (lua_isinteger(L, 6)) e.set_port(lua_tointeger(L, 6));
        e.default_port();
        e.log().debug(kTag, "自定义服务器 " + e.host() + " " + std::to_string(e.port()));
    }
    if (lua_type(L, 7) == LUA_TNUMBER) e.set_adapter(lua_tointeger(L, 7));
    return 0;
}

}  // namespace

void install_errdump(RunContext& run, DeviceNetwork& network) {
    auto owner = std::make_shared<Errdump>(run, network);
    Errdump* module = owner.get();
    run.on_vm_error([module](const std::string& message) { module->save_system(message); });
    run.on_close([owner]() mutable { owner.reset(); });

    lua_State* L = run.state();
    push_module_table(L, "errDump");
    static const luaL_Reg kFunctions[] = {
        {"dump", l_dump},
        {"record", l_record},
        {"config", l_config},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module);
    static const IntConstant kConstants[] = {
        {"TYPE_SYS", kTypeSys},
        {"TYPE_USR", kTypeUsr},
    };
    set_int_constants(L, kConstants);
    lua_pop(L, 1);
}

}  // namespace lua_bindings
