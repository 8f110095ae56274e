// http: LuatOS's http.request (docs/modules/http.md), read from components/network/libhttp/
// luat_lib_http.c and luat_http_client.c.
//
// Glue only: the arguments as LuatOS reads them (in its order, so the same argument raises first),
// one socket channel per request, the adapter's TCP stream (TLS inside for https) in an
// AdapterStream, the request's one timer, and the result handed to the `.wait()` object through
// sys_cw / sys_pub as LuatOS's luat_pushcwait / luat_cbcwait do. What the bytes mean is the
// HttpExchange's (http_exchange.hpp).
#include <strings.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lua_bindings/device/device.hpp"
#include "lua_bindings/device/device_network.hpp"
#include "lua_bindings/modules/cwait.hpp"
#include "lua_bindings/modules/device_file.hpp"
#include "lua_bindings/modules/http/http_exchange.hpp"
#include "lua_bindings/modules/lua_util.hpp"
#include "lua_bindings/modules/network_modules.hpp"
#include "lua_bindings/modules/zbuff/zbuff.hpp"
#include "platform_air780ep/adapter_stream.hpp"
#include "platform_air780ep/tls/tls_config.hpp"
#include "platform_air780ep/tls/tls_stream.hpp"

namespace lua_bindings {

namespace {

// LuatOS's HTTP_TIMEOUT (a download's default) and the default of any other request.
constexpr std::uint64_t kDownloadTimeoutMs = 5 * 60 * 1000;
constexpr std::uint64_t kRequestTimeoutMs = 60 * 1000;
constexpr std::size_t kMaxMethodLength = 11;

// LuatOS's http_close prints this line first, whatever it then finds to free.
void log_http_close(sys_task::Logger& log, const void* request) {
    char ptr[16];
    std::snprintf(ptr, sizeof ptr, "%08X", static_cast<unsigned>(reinterpret_cast<std::uintptr_t>(request)));
    log.info("http", std::string("http close ") + ptr);
}

class HttpModule;

// One request in flight: from http.request until its result is handed to Lua.
class HttpRequest final : private luat_mqtt::TransportListener, private HttpBodySink {
  public:
    struct Setup {
        std::uint64_t serial = 0;
        std::uint64_t wait_id = 0;
        platform_air780ep::Channel channel;
        std::unique_ptr<platform_air780ep::AdapterStream> stream;
        std::string host;
        std::uint16_t port = 0;
        std::string request;  // the bytes to send
        std::uint64_t timeout_ms = 0;
        std::optional<std::string> dst;  // download to this device path
        int zbuff_ref = LUA_NOREF;       // a GET's zbuff, which receives the body
        Zbuff* zbuff = nullptr;
        bool zbuff_body = false;  // a zbuff was the body: the result's body is its length
        int callback_ref = LUA_NOREF;
        int userdata_ref = LUA_NOREF;
    };

    HttpRequest(HttpModule& module, Setup setup);
    ~HttpRequest();
    HttpRequest(const HttpRequest&) = delete;
    HttpRequest& operator=(const HttpRequest&) = delete;

    // network_connect: false when the attempt cannot even start.
    bool start();
    // The run ends: no Lua, no messages.
    void shutdown();
    // The result message: hand code, headers, body to the wait() object and let go of everything.
    void deliver(lua_State* L);

  private:
    // luat_mqtt::TransportListener
    void on_transport_connected() override;
    void on_transport_readable() override;
    void on_transport_writable() override;
    void on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) override;
    // HttpBodySink
    void begin() override;
    bool write(std::span<const std::uint8_t> bytes) override;
    void finish(int status) override;

    void send_more();
    void post_progress();
    void complete();
    bool open_download();
    void remove_download();
    void release_lua(lua_State* L);

    HttpModule& module_;
    Setup s_;
    HttpExchange exchange_;
    std::size_t sent_ = 0;
    bool connected_ = false;
    bool completed_ = false;
    std::FILE* fd_ = nullptr;
    sys_task::EventLoop::TimerId timer_ = 0;
};

class HttpModule {
  public:
    HttpModule(RunContext& r, DeviceNetwork& n) : run(r), network(n) {}
    ~HttpModule() {
        for (auto& [serial, request] : requests)
            request->shutdown();
    }
    HttpModule(const HttpModule&) = delete;
    HttpModule& operator=(const HttpModule&) = delete;

    RunContext& run;
    DeviceNetwork& network;
    std::map<std::uint64_t, std::unique_ptr<HttpRequest>> requests;
    std::uint64_t next_serial = 1;

    sys_task::Logger& log() { return run.device().logger(); }
    HttpRequest* find(std::uint64_t serial) {
        auto it = requests.find(serial);
        return it == requests.end() ? nullptr : it->second.get();
    }
};

HttpRequest::HttpRequest(HttpModule& module, Setup setup)
    : module_(module),
      s_(std::move(setup)),
      // The body goes to the file or the GET's zbuff; otherwise the exchange keeps it.
      exchange_(s_.dst || s_.zbuff != nullptr ? static_cast<HttpBodySink*>(this) : nullptr) {
    s_.stream->set_listener(this);
}

HttpRequest::~HttpRequest() {
    if (timer_ != 0) module_.run.device().loop().cancel_timer(timer_);
    if (s_.stream) s_.stream->close();
    if (fd_ != nullptr) std::fclose(fd_);
}

bool HttpRequest::start() {
    if (!s_.stream->open(s_.host, s_.port)) return false;
    const std::uint64_t serial = s_.serial;
    HttpModule* module = &module_;
    timer_ = module_.run.device().loop().add_timer(s_.timeout_ms, [module, serial] {
        HttpRequest* r = module->find(serial);
        if (r == nullptr) return;
        r->timer_ = 0;
        r->exchange_.timed_out();
        r->complete();
    });
    return true;
}

void HttpRequest::shutdown() {
    if (timer_ != 0) module_.run.device().loop().cancel_timer(timer_);
    timer_ = 0;
    if (s_.stream) s_.stream->close();
    completed_ = true;
}

void HttpRequest::on_transport_connected() {
    connected_ = true;
    send_more();
}

void HttpRequest::send_more() {
    while (sent_ < s_.request.size()) {
        const auto rest = std::span(reinterpret_cast<const std::uint8_t*>(s_.request.data()) + sent_,
                                    s_.request.size() - sent_);
        const std::size_t n = s_.stream->write(rest);
        if (n == 0) return;  // on_transport_writable continues
        sent_ += n;
    }
}

void HttpRequest::on_transport_writable() {
    if (!completed_) send_more();
}

void HttpRequest::on_transport_readable() {
    if (completed_) return;
    for (;;) {
        std::span<std::uint8_t> space = exchange_.receive_space();
        if (space.empty()) {
            // An error is recorded: LuatOS reads and drops what comes until the end.
            std::uint8_t sink[256];
            if (s_.stream->read(sink) == 0) break;
            continue;
        }
        const std::size_t n = s_.stream->read(space);
        if (n == 0) break;
        if (exchange_.received(n) == HttpExchange::Progress::kFinished) break;
    }
    post_progress();
    if (exchange_.finished()) complete();
}

void HttpRequest::on_transport_closed(luat_mqtt::TransportError error, std::string_view /*detail*/) {
    if (completed_) return;
    // Bytes that came with the end are still the response's.
    on_transport_readable();
    if (completed_) return;
    if (!connected_) {
        exchange_.connect_failed();
    } else {
        exchange_.closed(error != luat_mqtt::TransportError::kPeerClosed);
    }
    post_progress();
    complete();
}

void HttpRequest::begin() {
    if (!s_.dst) return;
    remove_download();
    if (!open_download()) module_.log().error("http", "open download file fail " + *s_.dst);
}

bool HttpRequest::write(std::span<const std::uint8_t> bytes) {
    if (s_.dst) {
        if (fd_ == nullptr) {
            remove_download();
            if (!open_download()) {
                module_.log().error("http", "open download file fail " + *s_.dst);
                return false;
            }
        }
        if (std::fwrite(bytes.data(), 1, bytes.size(), fd_) != bytes.size()) {
            module_.log().error("http", "err when fwrite " + *s_.dst);
            return false;
        }
        return true;
    }
    if (s_.zbuff != nullptr) {
        Zbuff& z = *s_.zbuff;
        if (z.capacity() < z.used() + bytes.size() + 1 && !z.resize(z.used() + bytes.size() + 1)) {
            module_.log().error("http", "out of memory when recv http body");
            return false;
        }
        std::copy(bytes.begin(), bytes.end(), z.unused().begin());
        z.commit(bytes.size());
        return true;
    }
    return true;
}

void HttpRequest::finish(int status) {
    if (fd_ == nullptr) return;
    std::fclose(fd_);
    fd_ = nullptr;
    if (status > 299 && s_.dst) {
        module_.log().warn("http", "download fail, remove file " + *s_.dst);
        remove_download();
    }
}

bool HttpRequest::open_download() {
    fd_ = open_device_file(device_fs(module_.run), s_.dst->c_str(), "w+");
    return fd_ != nullptr;
}

void HttpRequest::remove_download() {
    const DeviceFs::Resolved r = device_fs(module_.run).resolve(*s_.dst);
    if (r.kind != DeviceFs::Resolved::Kind::kData) return;
    std::error_code ec;
    std::filesystem::remove(r.host_path, ec);
}

void HttpRequest::post_progress() {
    std::vector<std::size_t> progress = exchange_.take_progress();
    if (s_.callback_ref == LUA_NOREF || progress.empty()) return;
    const auto content_length = static_cast<lua_Integer>(exchange_.content_length());
    const int callback = s_.callback_ref;
    const int userdata = s_.userdata_ref;
    for (const std::size_t body_len : progress) {
        // Each its own message, as LuatOS's HTTP_CALLBACK; the references outlive them (they are
        // let go in deliver(), which is queued after).
        module_.run.post([callback, userdata, content_length, body_len](lua_State* L) {
            lua_rawgeti(L, LUA_REGISTRYINDEX, callback);
            if (!lua_isfunction(L, -1)) {
                lua_pop(L, 1);
                return;
            }
            lua_pushinteger(L, content_length);
            lua_pushinteger(L, static_cast<lua_Integer>(body_len));
            lua_rawgeti(L, LUA_REGISTRYINDEX, userdata);
            lua_call(L, 3, 0);
        });
    }
}

void HttpRequest::complete() {
    if (completed_) return;
    completed_ = true;
    if (timer_ != 0) module_.run.device().loop().cancel_timer(timer_);
    timer_ = 0;
    s_.stream->close();
    if (exchange_.result() != HttpError::kOk && s_.dst && fd_ != nullptr) {
        module_.log().warn(
            "http", "closing open fd due to error " + std::to_string(static_cast<int>(exchange_.result())));
        std::fclose(fd_);
        fd_ = nullptr;
        remove_download();
    }
    HttpModule* module = &module_;
    const std::uint64_t serial = s_.serial;
    module_.run.post([module, serial](lua_State* L) {
        if (HttpRequest* r = module->find(serial)) r->deliver(L);
    });
}

void HttpRequest::deliver(lua_State* L) {
    // l_http_callback: an error gives the code alone; otherwise code, headers, body.
    const HttpError result = exchange_.result();
    int nargs = 1;
    if (result != HttpError::kOk) {
        lua_pushinteger(L, static_cast<lua_Integer>(result));
    } else {
        lua_pushinteger(L, exchange_.status());
        lua_newtable(L);
        for (const auto& [name, raw] : exchange_.headers()) {
            // LuatOS skips one character when the value's *second* one is a space.
            std::string_view value = raw;
            if (value.size() > 1 && value[1] == ' ') value.remove_prefix(1);
            lua_pushlstring(L, name.data(), name.size());
            lua_pushlstring(L, value.data(), value.size());
            lua_settable(L, -3);
        }
        if (s_.dst) {
            lua_pushinteger(L, fd_ == nullptr ? static_cast<lua_Integer>(exchange_.body_length()) : -1);
            if (fd_ != nullptr) {
                std::fclose(fd_);
                fd_ = nullptr;
                remove_download();
            }
        } else if (s_.zbuff_body) {
            lua_pushinteger(L, static_cast<lua_Integer>(exchange_.body_length()));
        } else {
            lua_pushlstring(L, exchange_.body().data(), exchange_.body().size());
        }
        nargs = 3;
    }
    release_lua(L);
    // http_close: the channel is given back and the line printed; the object goes once the results
    // are handed over (cbcwait may raise: the unique_ptr is already out of the table).
    log_http_close(module_.log(), this);
    const std::uint64_t wait_id = s_.wait_id;
    auto it = module_.requests.find(s_.serial);
    std::unique_ptr<HttpRequest> self = std::move(it->second);
    module_.requests.erase(it);
    self.reset();
    cbcwait(L, wait_id, nargs);
}

void HttpRequest::release_lua(lua_State* L) {
    for (int* ref : {&s_.callback_ref, &s_.userdata_ref, &s_.zbuff_ref}) {
        if (*ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, *ref);
        *ref = LUA_NOREF;
    }
    s_.zbuff = nullptr;
}

HttpModule& module_of(lua_State* L) {
    return upvalue_object<HttpModule>(L);
}

// What LuatOS's error label does: http_close, and the wait() object answers -4.
int fail(lua_State* L, HttpModule& m) {
    log_http_close(m.log(), &m);
    lua_pushinteger(L, static_cast<lua_Integer>(HttpError::kConnect));
    pushcwait_error(L, m.log(), 1);
    return 1;
}

// The `opts` table (argument 5), read in LuatOS's order; wrong types are ignored as LuatOS does.
struct Options {
    lua_Integer adapter = 0;
    lua_Integer timeout = 0;
    std::optional<std::string> dst;
    bool debug = false;
    bool ipv6 = false;
    int callback_index = 0;  // stack indices of opts.callback / opts.userdata (0: none)
    int userdata_index = 0;
};

Options read_options(lua_State* L, Device& device) {
    Options o;
    o.adapter = device.adapters().default_id();
    if (!lua_istable(L, 5)) return o;
    if (lua_getfield(L, 5, "adapter") == LUA_TNUMBER) o.adapter = luaL_optinteger(L, -1, o.adapter);
    lua_pop(L, 1);
    if (lua_getfield(L, 5, "timeout") == LUA_TNUMBER) o.timeout = luaL_optinteger(L, -1, 0);
    lua_pop(L, 1);
    if (lua_getfield(L, 5, "dst") == LUA_TSTRING) {
        std::size_t len = 0;
        const char* dst = lua_tolstring(L, -1, &len);
        o.dst = std::string(dst, ::strnlen(dst, len));
    }
    lua_pop(L, 1);
    if (lua_getfield(L, 5, "debug") == LUA_TBOOLEAN) o.debug = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
    if (lua_getfield(L, 5, "ipv6") == LUA_TBOOLEAN) o.ipv6 = lua_toboolean(L, -1) != 0;
    lua_pop(L, 1);
    if (lua_getfield(L, 5, "callback") == LUA_TFUNCTION) {
        o.callback_index = lua_gettop(L);
        lua_getfield(L, 5, "userdata");
        o.userdata_index = lua_gettop(L);
    } else {
        lua_pop(L, 1);
    }
    return o;
}

// The headers table (argument 3) as http_add_header keeps it.
void read_headers(lua_State* L, HttpRequestHead& head) {
    if (!lua_istable(L, 3)) return;
    lua_pushnil(L);
    while (lua_next(L, 3) != 0) {
        // lua_tostring on copies, so that lua_next keeps its key.
        lua_pushvalue(L, -2);
        lua_pushvalue(L, -2);
        const char* name = lua_tostring(L, -2);
        const char* value = lua_tostring(L, -1);
        if (name != nullptr) {
            const std::string_view n(name);
            if (n == "Host" || n == "host") head.custom_host = true;
            if (n != "Content-Length") {
                if (value != nullptr && *name != '\0' && *value != '\0')
                    head.headers.emplace_back(name, value);
                if (::strncasecmp(name, "Connection", 10) == 0) head.custom_connection = true;
            }
        }
        lua_pop(L, 3);
    }
}

// http.request(method, url, headers, body, opts, server_cert, client_cert, client_key,
// client_password) -> an object whose wait() gives code, headers, body (or a negative code).
int l_request(lua_State* L) {
    HttpModule& m = module_of(L);
    Device& device = m.run.device();
    sys_task::Logger& log = m.log();
    // The nine arguments keep their indices while values are pushed above them.
    lua_settop(L, 9);
    const Options o = read_options(L, device);
    if (o.adapter < 0 || o.adapter >= platform_air780ep::kAdapterCount) {
        log.error("libhttp", "bad network adapter index " + std::to_string(o.adapter));
        return fail(L, m);
    }
    const int adapter = static_cast<int>(o.adapter);
    std::string error;
    std::optional<platform_air780ep::Channel> channel = m.network.channels().acquire("http", error);
    if (!channel) {
        log.error("libhttp", "netc create fail");
        return fail(L, m);
    }
    std::unique_ptr<luat_mqtt::Transport> transport = m.network.make_tcp_stream(adapter, error);
    if (!transport) {
        log.error("libhttp", "netc create fail");
        return fail(L, m);
    }
    const std::uint64_t timeout_ms = o.timeout < 1000 ? (o.dst ? kDownloadTimeoutMs : kRequestTimeoutMs)
                                                      : static_cast<std::uint64_t>(o.timeout);
    if (o.ipv6) log.info("http", "enable ipv6 support for http request");

    std::size_t method_len = 0;
    const char* method_text = luaL_optlstring(L, 1, "GET", &method_len);
    if (method_len > kMaxMethodLength) {
        log.error("libhttp", std::string("method is too long ") + method_text);
        return fail(L, m);
    }
    const std::string method(method_text, ::strnlen(method_text, method_len));
    const bool is_post = method == "POST" || method == "PUT";
    std::size_t url_len = 0;
    const char* url = luaL_checklstring(L, 2, &url_len);
    HttpRequestHead head;
    head.method = method;
    std::optional<HttpUrl> parsed = parse_http_url(std::string_view(url, url_len), method, error);
    if (!parsed) {
        log.error("http", error);
        return fail(L, m);
    }
    head.url = std::move(*parsed);
    read_headers(L, head);

    HttpRequest::Setup s;
    std::string body;
    if (lua_isstring(L, 4)) {
        std::size_t len = 0;
        const char* b = lua_tolstring(L, 4, &len);
        body.assign(b, len);
        head.headers.emplace_back("Content-Length", std::to_string(len));
    } else if (lua_isuserdata(L, 4)) {
        Zbuff& z = check_zbuff(L, 4);
        s.zbuff_body = true;
        if (is_post) {
            const auto used = z.used_bytes();
            body.assign(reinterpret_cast<const char*>(used.data()), used.size());
            head.headers.emplace_back("Content-Length", std::to_string(used.size()));
        } else {
            s.zbuff = &z;
        }
    }

    std::shared_ptr<const platform_air780ep::TlsConfig> tls;
    std::string connect_warning;
    if (head.url.tls) {
        platform_air780ep::TlsOptions t;
        auto text = [&](int index) -> std::optional<std::string_view> {
            if (!lua_isstring(L, index)) return std::nullopt;
            std::size_t len = 0;
            const char* v = lua_tolstring(L, index, &len);
            return std::string_view(v, len);
        };
        t.server_cert = text(6);
        t.client_cert = text(7);
        t.client_key = text(8);
        t.client_password = text(9);
        t.verify = (t.server_cert || t.client_cert) ? 2 : 0;
        std::vector<std::string> warnings;
        // The device's TLS settings: --trust-ca and --tls-keylog apply to http as to mqtt.
        const platform_air780ep::TlsDeviceSettings& device_tls = m.network.tls_settings();
        tls = t.verify == 0 ? platform_air780ep::TlsConfig::create_insecure(device_tls, error)
                            : platform_air780ep::TlsConfig::create(t, device_tls, warnings, error);
        for (const std::string& w : warnings)
            log.warn("http", w);
        if (!tls) {
            log.error("http", "ssl " + error);
            return fail(L, m);
        }
        connect_warning = tls->connect_warning();
        transport = std::make_unique<platform_air780ep::TlsStream>(device.loop(), std::move(tls),
                                                                   std::move(transport));
    }
    auto stream = std::make_unique<platform_air780ep::AdapterStream>(log, device.adapters(), adapter,
                                                                     std::move(transport), channel->index(),
                                                                     head.url.tls ? "TLS" : "TCP");
    stream->set_debug(o.debug);
    stream->set_log_tag("http");
    stream->set_connect_warning(connect_warning);

    // Nothing raises from here on: the references are taken.
    s.serial = m.next_serial++;
    s.channel = std::move(*channel);
    s.stream = std::move(stream);
    s.host = head.url.host;
    s.port = head.url.port;
    s.request =
        build_http_request(head, std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
    s.timeout_ms = timeout_ms;
    s.dst = o.dst;
    if (s.zbuff != nullptr) {
        lua_pushvalue(L, 4);
        s.zbuff_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    if (o.callback_index != 0) {
        lua_pushvalue(L, o.callback_index);
        s.callback_ref = luaL_ref(L, LUA_REGISTRYINDEX);
        lua_pushvalue(L, o.userdata_index);
        s.userdata_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }

    // luat_pushcwait: the object is made before the connection starts.
    s.wait_id = pushcwait(L, m.run.scheduler(), log);
    const std::uint64_t serial = s.serial;
    const std::string endpoint = s.host + ":" + std::to_string(s.port);
    auto request = std::make_unique<HttpRequest>(m, std::move(s));
    HttpRequest* r = request.get();
    m.requests.emplace(serial, std::move(request));
    if (!r->start()) {
        log.error("http", "can not connect! " + endpoint);
        r->shutdown();
        m.requests.erase(serial);
        lua_pop(L, 1);
        return fail(L, m);
    }
    return 1;
}

}  // namespace

void install_http(RunContext& run, DeviceNetwork& network) {
    auto module = std::make_shared<HttpModule>(run, network);
    // The requests still in flight when the run ends are dropped before the Lua state goes.
    run.on_close([module]() mutable { module.reset(); });
    lua_State* L = run.state();
    push_module_table(L, "http");
    static const luaL_Reg kFunctions[] = {
        {"request", l_request},
        {nullptr, nullptr},
    };
    set_funcs(L, kFunctions, module.get());
    lua_pop(L, 1);
}

}  // namespace lua_bindings
