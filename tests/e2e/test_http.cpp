// http.request end to end (docs/modules/http.md), on both adapters, against the Python HTTP(S)
// server the tests start (tests/support/http_test_server.py): request bytes, bodies, chunked and
// length-delimited responses, redirects, downloads, the callback, TLS, and each negative code.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/e2e/e2e.hpp"
#include "tests/support/http_server.hpp"
#include "tests/support/luatos_process.hpp"
#include "tests/tls/support/test_pki.hpp"

using namespace tests;

namespace {

// The script's helpers: show(label, code, headers, body) logs "I/user.<label> <code> <body>", with
// CR LF written as '|', a number body as is, and `h` (a header name) appended when given; showh
// the same with the header name first; try(f) is pcall(f) with the error's position removed.
const std::string kHttpPrelude = kLuaPrelude + R"LUA(
function show(label, code, headers, body, h)
    local b = body
    if type(b) == "string" then b = b:gsub("\r\n", "|") end
    if h then
        log.info(label, code, b, h, headers and headers[h])
    else
        log.info(label, code, b)
    end
end
-- show with one response header: showh(label, name, code, headers, body)
function showh(label, name, code, headers, body)
    show(label, code, headers, body, name)
end
-- pcall(f)'s result without the position of the call
function try(f)
    local ok, e = pcall(f)
    return ok, (tostring(e):gsub('^%[string "main.lua"%]:%d+: ', ""))
end
)LUA";

struct HttpWorld {
    TestPki pki{KeyKind::kEcP256, {"web.test"}};
    HttpTestServer server{pki.path("server.pem"), pki.path("server.key"), pki.path("ca.pem")};

    DeviceResult run(NetPath path, const std::string& script, std::size_t channels = 8) {
        std::string s = script;
        for (const auto& [key, value] :
             {std::pair<std::string, std::string>{"$P", std::to_string(server.http_port())},
              {"$S", std::to_string(server.https_port())},
              {"$M", std::to_string(server.mtls_port())}}) {
            for (std::size_t at = s.find(key); at != std::string::npos; at = s.find(key, at))
                s.replace(at, key.size(), value);
        }
        DeviceOptions o;
        o.network = network_to(path, 1);
        o.network.hosts.add("web.test", platform_air780ep::HostTarget{"127.0.0.1", std::nullopt});
        o.network.channels = channels;
        o.files["main.lua"] = kHttpPrelude + s;
        o.files["ca.pem"] = pki.read("ca.pem");
        o.files["wrong_ca.pem"] = pki.read("wrong_ca.pem");
        o.files["client.pem"] = pki.read("client.pem");
        o.files["client.key"] = pki.read("client.key");
        return run_device(o);
    }
};

Lines user_lines(const DeviceResult& r) {
    return lines_with(r.lines, "I/user.");
}

void request_bytes(NetPath path) {
    HttpWorld w;
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    show("get", http.request("GET", "http://web.test:$P/echo").wait())
    show("nil method", http.request(nil, "http://web.test:$P/echo").wait())
    show("headers", http.request("GET", "http://web.test:$P/echo",
        {["X-One"] = "1", ["Content-Length"] = "99", ["X-Empty"] = ""}).wait())
    show("host", http.request("GET", "http://web.test:$P/echo", {Host = "other.test"}).wait())
    show("connection", http.request("GET", "http://web.test:$P/echo", {Connection = "keep-alive"}).wait())
    show("auth", http.request("GET", "http://user:pa55@web.test:$P/echo").wait())
    show("post", http.request("POST", "http://web.test:$P/echo", {["Content-Type"] = "text/plain"}, "a=1&b=2").wait())
    show("number body", http.request("PUT", "http://web.test:$P/echo", nil, 12345).wait())
    show("table body", http.request("POST", "http://web.test:$P/echo", nil, {a = 1}).wait())
    show("patch", http.request("PATCH", "http://web.test:$P/echo", nil, "p").wait())
    show("delete", http.request("DELETE", "http://web.test:$P/echo").wait())
end)
)LUA");
    CHECK(r.exit_code == 0);
    const std::string host = "Host: web.test:" + std::to_string(w.server.http_port());
    CHECK_LINES(
        user_lines(r),
        {
            "I/user.get 200 GET /echo HTTP/1.1|Connection: Close|" + host + "||",
            "I/user.nil method 200 GET /echo HTTP/1.1|Connection: Close|" + host + "||",
            "I/user.headers 200 GET /echo HTTP/1.1|Connection: Close|" + host + "|X-One: 1||",
            "I/user.host 200 GET /echo HTTP/1.1|Connection: Close|Host: other.test||",
            "I/user.connection 200 GET /echo HTTP/1.1|" + host + "|Connection: keep-alive||",
            "I/user.auth 200 GET /echo HTTP/1.1|Connection: Close|" + host +
                "|Authorization: Basic dXNlcjpwYTU1||",
            "I/user.post 200 POST /echo HTTP/1.1|Connection: Close|" + host +
                "|Content-Type: text/plain|Content-Length: 7||a=1&b=2",
            "I/user.number body 200 PUT /echo HTTP/1.1|Connection: Close|" + host +
                "|Content-Length: 5||12345",
            "I/user.table body 200 POST /echo HTTP/1.1|Connection: Close|" + host + "||",
            "I/user.patch 200 PATCH /echo HTTP/1.1|Connection: Close|" + host + "|Content-Length: 1||p",
            "I/user.delete 200 DELETE /echo HTTP/1.1|Connection: Close|" + host + "||",
        });
}
E2E_ON_BOTH_PATHS("http: the request LuatOS sends: line, Connection, Host, Authorization, headers, body",
                  request_bytes)

void responses(NetPath path) {
    HttpWorld w;
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    show("chunked", http.request("GET", "http://web.test:$P/chunked").wait())
    show("chunked cut", http.request("GET", "http://web.test:$P/chunked_cut").wait())
    showh("redirect", "Location", http.request("GET", "http://web.test:$P/redirect").wait())
    showh("status", "Content-Length", http.request("GET", "http://web.test:$P/status/404").wait())
    showh("empty", "Content-Length", http.request("GET", "http://web.test:$P/empty").wait())
    local c, h = http.request("GET", "http://web.test:$P/odd_header").wait()
    log.info("odd header", c, "[" .. h["X-Odd"] .. "]", "[" .. h["X-Plain"] .. "]")
    show("short body", http.request("GET", "http://web.test:$P/short_body").wait())
    show("no length", http.request("GET", "http://web.test:$P/nolength").wait())
    local code, headers, body = http.request("GET", "http://web.test:$P/big?n=300000").wait()
    log.info("big", code, #body, body:sub(1, 12), headers["Content-Length"])
    local up = string.rep("0123456789", 20000)
    code, headers, body = http.request("POST", "http://web.test:$P/echo", nil, up).wait()
    log.info("big post", code, body:sub(-#up) == up, body:find("Content-Length: 200000", 1, true) ~= nil)
    local ok = 0
    for i = 1, 10 do
        local c = http.request("GET", "http://web.test:$P/get").wait()
        if c == 200 then ok = ok + 1 end
    end
    log.info("ten in a row", ok)
end)
)LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {
                                   "I/user.chunked 200 chunk-1 chunk-2 chunk-3 chunk-4 chunk-5",
                                   "I/user.chunked cut 200 abcdef",
                                   "I/user.redirect 302 moved Location /get",
                                   "I/user.status 404 status 404 Content-Length 10",
                                   "I/user.empty 200  Content-Length 0",
                                   "I/user.odd header 200 [ b] [ab c]",
                                   "I/user.short body 200 abcd",
                                   "I/user.no length 200 whole",
                                   "I/user.big 200 300000 012345678901 300000",
                                   "I/user.big post 200 true true",
                                   "I/user.ten in a row 10",
                               });
}
E2E_ON_BOTH_PATHS("http: chunked and length-delimited bodies, redirects returned as they are, statuses",
                  responses)

void zbuff_and_download(NetPath path) {
    HttpWorld w;
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    local zb = zbuff.create(4)
    zb:write("ab")
    local code, headers, body = http.request("GET", "http://web.test:$P/big?n=20", nil, zb).wait()
    log.info("zbuff get", code, body, zb:used(), zb:toStr(0, zb:used()))
    local up = zbuff.create(16)
    up:write("zbuff body")
    code, headers, body = http.request("POST", "http://web.test:$P/echo", nil, up).wait()
    local sent = "POST /echo HTTP/1.1\r\nConnection: Close\r\nHost: web.test:$P\r\nContent-Length: 10\r\n\r\nzbuff body"
    log.info("zbuff post", code, type(body), body == #sent)
    local calls = {}
    local function cb(content_len, body_len, userdata)
        table.insert(calls, content_len .. "/" .. body_len .. "/" .. tostring(userdata))
    end
    code, headers, body = http.request("GET", "http://web.test:$P/big?n=100000", nil, nil,
        {dst = "/dl.bin", callback = cb, userdata = "u"}).wait()
    log.info("download", code, body, io.fileSize("/dl.bin"), calls[1], calls[#calls])
    local f = io.readFile("/dl.bin")
    log.info("content", #f, f:sub(99991))
    code, headers, body = http.request("GET", "http://web.test:$P/status/404", nil, nil, {dst = "/dl.bin"}).wait()
    log.info("404 download", code, body, io.exists("/dl.bin"))
    code, headers, body = http.request("GET", "http://web.test:$P/big?n=10", nil, nil, {dst = "/luadb/ro.bin"}).wait()
    log.info("unwritable", code, headers, body)
end)
)LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {
                                   "I/user.zbuff get 200 20 22 ab01234567890123456789",
                                   "I/user.zbuff post 200 number true",
                                   "I/user.download 200 100000 100000 100000/0/u 100000/100000/u",
                                   "I/user.content 100000 0123456789",
                                   "I/user.404 download 404 10 false",
                                   "I/user.unwritable -7 nil nil",
                               });
    CHECK(lines_containing(r.lines, "E/http open download file fail /luadb/ro.bin").size() == 2);
}
E2E_ON_BOTH_PATHS("http: a zbuff body, a GET into a zbuff, dst downloads, the callback, download failures",
                  zbuff_and_download)

void failures(NetPath path) {
    HttpWorld w;
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    log.info("timeout", http.request("GET", "http://web.test:$P/stall", nil, nil, {timeout = 1000}).wait())
    -- A name the simulated DNS does not know (lwIP only: over ETH0 it would ask the host's DNS).
    if socket.dft() == socket.LWIP_GP then
        log.info("dns", http.request("GET", "http://nosuch.invalid:$P/get").wait())
    else
        log.info("dns", "not asked over eth0")
    end
    log.info("refused", http.request("GET", "http://127.0.0.1:1/get").wait())
    log.info("cut headers", http.request("GET", "http://web.test:$P/cut_headers").wait())
    log.info("huge headers", http.request("GET", "http://web.test:$P/huge_headers").wait())
    log.info("scheme", http.request("GET", "ftp://web.test/x").wait())
    log.info("short", http.request("GET", "http://a.b").wait())
    log.info("method", http.request("HEAD", "http://web.test:$P/get").wait())
    log.info("long method", http.request("ABCDEFGHIJKL", "http://web.test:$P/get").wait())
    log.info("adapter", http.request("GET", "http://web.test:$P/get", nil, nil, {adapter = 99}).wait())
    log.info("no adapter", http.request("GET", "http://web.test:$P/get", nil, nil, {adapter = socket.LWIP_STA}).wait())
    log.info("arg", try(function() local o = http.request("GET", nil) end))
    log.info("timeout arg", try(function() local o = http.request("GET", "http://web.test:$P/get", nil, nil, {timeout = 1.5}) end))
    log.info("still fine", (http.request("GET", "http://web.test:$P/get").wait()))
end)
)LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(
        user_lines(r),
        {
            "I/user.timeout -8",
            path == NetPath::kLwip ? "I/user.dns -4" : "I/user.dns not asked over eth0",
            "I/user.refused -4",
            "I/user.cut headers -5",
            "I/user.huge headers -6",
            "I/user.scheme -4",
            "I/user.short -4",
            "I/user.method -4",
            "I/user.long method -4",
            "I/user.adapter -4",
            "I/user.no adapter -4",
            "I/user.arg false bad argument #2 to 'request' (string expected, got nil)",
            "I/user.timeout arg false bad argument #-1 to 'request' (number has no integer representation)",
            "I/user.still fine 200",
        });
    // LuatOS's http_close line ends every request that got as far as its checks, failed or not.
    CHECK(lines_with(r.lines, "I/http http close ").size() == (path == NetPath::kLwip ? 12U : 11U));
    // The adapter's own line for each failed connect (network.md, "C-side log lines"), then LuatOS's.
    CHECK(lines_with(r.lines, "E/http connect to 127.0.0.1:1 failed: ").size() == 1);
    Lines luatos_errors;
    for (const auto& l : lines_with(r.lines, "E/"))
        if (!l.starts_with("E/http connect to ")) luatos_errors.push_back(l);
    CHECK_LINES(luatos_errors, {
                                   "E/http only http/https supported ftp://web.test/x",
                                   "E/http url too short http://a.b",
                                   "E/http NOT SUPPORT HEAD",
                                   "E/libhttp method is too long ABCDEFGHIJKL",
                                   "E/libhttp bad network adapter index 99",
                                   "E/libhttp netc create fail",
                               });
}
E2E_ON_BOTH_PATHS(
    "http: LuatOS's negative codes: timeout, DNS, refused, closed, headers too big, bad arguments", failures)

void tls(NetPath path) {
    HttpWorld w;
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    log.info("no check", (http.request("GET", "https://web.test:$S/get").wait()))
    local ca = io.readFile("/luadb/ca.pem")
    log.info("ca", (http.request("GET", "https://web.test:$S/get", nil, nil, nil, ca).wait()))
    log.info("wrong ca", http.request("GET", "https://web.test:$S/get", nil, nil, nil, io.readFile("/luadb/wrong_ca.pem")).wait())
    local code, headers, body = http.request("POST", "https://web.test:$S/echo", nil, "secret").wait()
    log.info("post", code, body:sub(-6))
    local cert, key = io.readFile("/luadb/client.pem"), io.readFile("/luadb/client.key")
    log.info("mutual", (http.request("GET", "https://web.test:$M/get", nil, nil, nil, ca, cert, key).wait()))
    log.info("mutual, no certificate", http.request("GET", "https://web.test:$M/get", nil, nil, nil, ca).wait())
    log.info("plain to tls", http.request("GET", "http://web.test:$S/get", nil, nil, {timeout = 2000}).wait())
end)
)LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {
                                   "I/user.no check 200",
                                   "I/user.ca 200",
                                   "I/user.wrong ca -4",
                                   "I/user.post 200 secret",
                                   "I/user.mutual 200",
                                   "I/user.mutual, no certificate -4",
                                   "I/user.plain to tls -5",
                               });
}
E2E_ON_BOTH_PATHS(
    "http: https without checks, with the server's CA, with the wrong CA, with a client certificate", tls)

void channels(NetPath path) {
    HttpWorld w;
    const DeviceResult r = w.run(path, R"LUA(
main(function()
    local slow = http.request("GET", "http://web.test:$P/slow?ms=300")
    log.info("second", http.request("GET", "http://web.test:$P/get").wait())
    show("first", slow.wait())
    log.info("raised", try(function() local o = http.request("GET", nil) end))
    log.info("again", (http.request("GET", "http://web.test:$P/get").wait()))
end)
)LUA",
                                 1);
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {"I/user.second -4", "I/user.first 200 slow",
                                "I/user.raised false bad argument #2 to 'request' (string expected, got nil)",
                                "I/user.again 200"});
    CHECK(lines_with(r.lines, "E/libhttp netc create fail").size() == 1);
}
E2E_ON_BOTH_PATHS("http: a request holds one of the socket channels until its result", channels)

}  // namespace

namespace {

// The official http demo's names, all sent to the test server's port that speaks HTTP and HTTPS.
const char* const kDemoHosts[] = {"httpbin.luatos.com", "www.luatos.com", "devapi.qweather.com",
                                  "uploadtest.luatos.com", "airtest.luatos.com"};

// The official http demo, unchanged: its main.lua (netdrv_4g.lua, http_app.lua and httpplus_app.lua,
// the latter over LuatOS's httpplus.lua flashed beside it), by the `luatos` command. The two apps run
// at once, so each one's result lines are compared on their own.
void official_http_app(NetPath path) {
    const std::filesystem::path shared(LUATOS_SHARED_DIR);
    const std::filesystem::path demo = shared / "demo" / "http";
    if (!std::filesystem::is_directory(demo)) {
        WARN("skipped: the official LuatOS demos are not at " << demo.string());
        return;
    }
    HttpWorld w;
    std::vector<std::string> args = {"--adapter", adapter_option(path), "--run-for", "60s"};
    for (const char* name : kDemoHosts) {
        args.push_back("--host");
        args.push_back(std::string(name) + "=127.0.0.1:" + std::to_string(w.server.http_port()));
    }
    args.push_back(demo.string() + "/");
    args.push_back((shared / "libs" / "httpplus.lua").string());
    LuatosProcess device(args);
    const bool done = device.wait_for(
        [](const Lines& lines) {
            return !lines_with(lines, "I/user.post_multipart_form_data ").empty() &&
                   !lines_with(lines, "I/user.httpplus_app_post_file ").empty();
        },
        30s);
    device.signal(SIGTERM);
    device.wait();
    const Lines all = device.lines();
    INFO(joined(all));
    CHECK(done);
    CHECK(lines_with(all, "E/").empty());
    CHECK(lines_with(all, "W/zbuff").empty());
    Lines http_results;
    Lines httpplus_results;
    for (const std::string& l : lines_with(all, "I/user.")) {
        const std::size_t space = l.find(' ');
        const std::size_t second = l.find(' ', space + 1);
        const std::string head = l.substr(0, second);
        const bool verdict = head.ends_with(" success") || head.ends_with(" error");
        const bool detail =
            l.find("io.fileSize=") != std::string::npos || l.find("和风天气") != std::string::npos;
        if (!verdict && !detail) continue;
        (l.starts_with("I/user.httpplus_app_") ? httpplus_results : http_results)
            .push_back(detail ? l : head);
    }
    CHECK_LINES(http_results, {
                                  "I/user.http_app_get1 success",
                                  "I/user.http_app_get2 success",
                                  "I/user.http_app_get3 success",
                                  "I/user.http_app_get_gzip success",
                                  "I/user.http_app_get_gzip 和风天气 200",
                                  "I/user.http_app_get_gzip 和风天气 天气 sunny",
                                  "I/user.http_app_get_gzip 和风天气 温度 21",
                                  "I/user.http_app_get_file1 success",
                                  "I/user.http_app_get_file1 io.fileSize=115",
                                  "I/user.http_app_get_file2 success",
                                  "I/user.http_app_get_file2 io.fileSize=108",
                                  "I/user.http_app_get_file3 success",
                                  "I/user.http_app_get_file3 io.fileSize=114",
                                  "I/user.http_app_post_form success",
                                  "I/user.http_app_post_json success",
                                  "I/user.http_app_post_text success",
                                  "I/user.http_app_post_xml success",
                                  "I/user.http_app_post_binary success",
                                  "I/user.post_multipart_form_data success",
                              });
    // httpplus.lua: GET over http and https, gzip, the POST forms and multipart with a file (its
    // upload buffer is a zbuff.HEAP_PSRAM one: the Air780EP has PSRAM).
    CHECK_LINES(httpplus_results, {
                                      "I/user.httpplus_app_get1 success",
                                      "I/user.httpplus_app_get2 success",
                                      "I/user.httpplus_app_get_gzip success",
                                      "I/user.httpplus_app_get_gzip 和风天气 200",
                                      "I/user.httpplus_app_get_gzip 和风天气 天气 sunny",
                                      "I/user.httpplus_app_get_gzip 和风天气 温度 21",
                                      "I/user.httpplus_app_post_form success",
                                      "I/user.httpplus_app_post_json success",
                                      "I/user.httpplus_app_post_text success",
                                      "I/user.httpplus_app_post_xml success",
                                      "I/user.httpplus_app_post_binary success",
                                      "I/user.httpplus_app_post_file success",
                                  });
    // The callback option's lines (content length, body length, userdata).
    CHECK(lines_containing(all, "I/user.http_cbfunc 108 108 http_app_get2").size() == 1);
}

}  // namespace

E2E_ON_BOTH_PATHS(
    "http: the official http demo unchanged (http_app and httpplus_app) against the local server",
    official_http_app)

TEST_CASE("http: a download over a lossy, slow cellular link (lwip, loss 3%, 40 ms each way) completes") {
    HttpWorld w;
    std::string error;
    const auto link = platform_air780ep::LinkSettings{}.with("delay=40,jitter=5,loss=3%,seed=7", error);
    REQUIRE(link);
    DeviceOptions o;
    o.network = network_to(NetPath::kLwip, 1);
    o.network.hosts.add("web.test", platform_air780ep::HostTarget{"127.0.0.1", std::nullopt});
    o.network.link = *link;
    o.run_for = std::chrono::seconds(60);
    o.files["main.lua"] = kHttpPrelude + R"LUA(
main(function()
    local code, headers, body = http.request("GET", "http://web.test:)LUA" +
                          std::to_string(w.server.http_port()) +
                          R"LUA(/big?n=200000", nil, nil, {dst = "/big.bin"}).wait()
    log.info("download", code, body, io.fileSize("/big.bin"))
    code, headers, body = http.request("GET", "http://web.test:)LUA" +
                          std::to_string(w.server.http_port()) + R"LUA(/chunked").wait()
    log.info("chunked", code, body)
end)
)LUA";
    const DeviceResult r = run_device(o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r), {"I/user.download 200 200000 200000",
                                "I/user.chunked 200 chunk-1 chunk-2 chunk-3 chunk-4 chunk-5"});
}
