// The socket module (socket.create and friends) end to end, on both adapters, against echo peers the
// test starts (tests/support/echo_peers.hpp): LuatOS's return values for each function, the result
// events to a callback and to a sysplus task, UDP with explicit destinations, failures, and the 8
// channels shared with mqtt.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tests/e2e/e2e.hpp"
#include "tests/support/echo_peers.hpp"
#include "tests/support/tls_echo_server.hpp"
#include "tests/tls/support/test_pki.hpp"

using namespace tests;

namespace {

// The network of a test: echo.test goes to this host (ports from the script).
lua_bindings::NetworkOptions echo_network(NetPath path) {
    lua_bindings::NetworkOptions n = network_to(path, 1);
    n.hosts.add("echo.test", platform_air780ep::HostTarget{"127.0.0.1", std::nullopt});
    return n;
}

Lines user_lines(const Lines& lines) {
    Lines out;
    for (const auto& l : lines)
        if (l.rfind("I/user.", 0) == 0 || l.rfind("E/socket", 0) == 0 || l.rfind("D/socket", 0) == 0 ||
            l.rfind("W/socket", 0) == 0)
            out.push_back(l);
    return out;
}

// ev_name(ev): the constant's name; cb logs and publishes "EV"; next_ev() waits for one.
const std::string kSocketPrelude = R"LUA(
local names = {}
for _, n in ipairs({"LINK", "ON_LINE", "TX_OK", "CLOSED", "EVENT"}) do names[socket[n]] = n end
function ev_name(ev) return names[ev] or tostring(ev) end
quiet = false  -- while the order of two events is a race (an echo and its acknowledgement)
function cb(c, ev, p)
    if not quiet then log.info("cb", ev_name(ev), p, type(c)) end
    sys.publish("EV", ev_name(ev), p)
end
function next_ev()
    local ok, ev, p = sys.waitUntil("EV", 5000)
    if not ok then log.info("timeout"); os.exit(3) end
    return ev, p
end
)LUA";

std::string with_ports(std::string script, std::uint16_t tcp, std::uint16_t udp, std::uint16_t closed = 1) {
    return "CLOSED_PORT = " + std::to_string(closed) + "\nTCP_PORT = " + std::to_string(tcp) +
           "\nUDP_PORT = " + std::to_string(udp) + "\n" + kSocketPrelude + script;
}

DeviceResult run_script(NetPath path, const std::string& script, std::uint16_t tcp, std::uint16_t udp) {
    DeviceOptions o;
    o.network = echo_network(path);
    return run_device(with_ports(script, tcp, udp), o);
}

void tcp_callback_flow(NetPath path) {
    TcpEchoServer echo;
    const DeviceResult r = run_script(path, R"LUA(
sys.taskInit(function()
    local c = socket.create(nil, cb)
    log.info("create", type(c), (tostring(c):match("^NWCTRL%*")))
    log.info("state", socket.state(c))
    log.info("config", socket.config(c, nil, false, false, 300, 10, 3))
    log.info("linkup", socket.linkup(c))
    log.info("state", socket.state(c))
    next_ev()
    log.info("linkup", socket.linkup(c))
    log.info("connect", socket.connect(c, "echo.test", TCP_PORT))
    log.info("state", socket.state(c))
    next_ev()
    log.info("state", socket.state(c))
    log.info("remoteIP", socket.remoteIP(c) == (socket.dft() == socket.ETH0 and "127.0.0.1" or "10.0.2.2"))
    log.info("connect again", socket.connect(c, "echo.test", TCP_PORT))
    log.info("wait", socket.wait(c))
    quiet = true
    log.info("tx", socket.tx(c, "hello"))
    local seen = {}
    seen[#seen + 1] = next_ev()
    seen[#seen + 1] = next_ev()
    table.sort(seen)
    log.info("events", table.concat(seen, ","))
    local buff = zbuff.create(2)
    log.info("rx", socket.rx(c, buff))
    log.info("data", buff:toStr(0, buff:used()), buff:len())
    log.info("rx again", socket.rx(c, buff))
    log.info("wait", socket.wait(c))
    local z = zbuff.create(16)
    z:write("from zbuff")
    log.info("tx zbuff", socket.tx(c, z))
    seen = {}
    seen[#seen + 1] = next_ev()
    seen[#seen + 1] = next_ev()
    table.sort(seen)
    log.info("events", table.concat(seen, ","))
    quiet = false
    log.info("rx pending", socket.rx(c))
    log.info("read", socket.read(c, 4))
    log.info("read", socket.read(c))
    log.info("discon", socket.discon(c))
    log.info("state", socket.state(c))
    next_ev()
    log.info("state", socket.state(c))
    log.info("tx closed", socket.tx(c, "x"))
    log.info("rx closed", socket.rx(c, buff))
    log.info("read closed", socket.read(c))
    log.info("wait closed", socket.wait(c))
    log.info("discon closed", socket.discon(c))
    socket.close(c)
    socket.release(c)
    log.info("released", select("#", socket.state(c)), select("#", socket.tx(c, "x")), socket.remoteIP(c))
    os.exit(0)
end)
sys.run()
)LUA",
                                      echo.port(), 1);
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r.lines), {
                                         "I/user.create userdata NWCTRL*",
                                         "I/user.state 0 硬件离线",
                                         "I/user.config true",
                                         "I/user.linkup true false",
                                         "I/user.state 0 硬件离线",
                                         "I/user.cb LINK 0 userdata",
                                         "I/user.linkup true true",
                                         "D/socket connect to echo.test," + std::to_string(echo.port()),
                                         "I/user.connect true false",
                                         "I/user.state 2 等待DNS",
                                         "I/user.cb ON_LINE 0 userdata",
                                         "I/user.state 5 在线",
                                         "I/user.remoteIP true",
                                         "D/socket connect to echo.test," + std::to_string(echo.port()),
                                         "I/user.connect again false false",
                                         "I/user.wait true false",
                                         "I/user.tx true false false",
                                         // the echo and the acknowledgement race: sorted
                                         "I/user.events EVENT,TX_OK",
                                         "I/user.rx true 5 nil nil",
                                         "I/user.data hello 5",
                                         "I/user.rx again true 0",
                                         "I/user.wait true false",
                                         "I/user.tx zbuff true false false",
                                         "I/user.events EVENT,TX_OK",
                                         "I/user.rx pending true 10",
                                         "D/socket 待数据数据长度 10 限制读取长度 4",
                                         "I/user.read true from",
                                         "I/user.read true  zbuff",
                                         "I/user.discon true false",
                                         "I/user.state 7 正在离线",
                                         "I/user.cb CLOSED 0 userdata",
                                         "I/user.state 1 离线",
                                         "I/user.tx closed false true false",
                                         "I/user.rx closed false 0",
                                         "I/user.read closed false",
                                         "I/user.wait closed false false",
                                         "I/user.discon closed true true",
                                         "I/user.released 0 0 nil nil nil nil",
                                     });
}

void udp_task_flow(NetPath path) {
    UdpEchoPeer echo;
    const DeviceResult r = run_script(path, R"LUA(
local function ip_text(ip) return #ip .. ":" .. ip:byte(1) .. ":" .. string.format("%d.%d.%d.%d", ip:byte(2, 5)) end
local function wait_msg(id)
    local m = sysplus.waitMsg("udp", id, 5000)
    log.info("msg", m and ev_name(m[1]), m and m[2])
end
sys.taskInitEx(function()
    sys.waitUntil("IP_READY")
    local c = socket.create(nil, "udp")
    log.info("config", socket.config(c, nil, true))
    log.info("connect", socket.connect(c, "echo.test", UDP_PORT))
    wait_msg(socket.ON_LINE)
    log.info("state", socket.state(c))
    log.info("tx", socket.tx(c, "one"))
    wait_msg(socket.TX_OK)
    wait_msg(socket.EVENT)
    local buff = zbuff.create(64)
    local ok, n, ip, port = socket.rx(c, buff)
    log.info("rx", ok, n, ip_text(ip), port == UDP_PORT, buff:toStr(0, buff:used()))
    log.info("tx to", socket.tx(c, "two", "127.0.0.1", UDP_PORT))
    wait_msg(socket.TX_OK)
    wait_msg(socket.EVENT)
    log.info("rx pending", socket.rx(c))
    local ok2, data, ip2, port2 = socket.read(c)
    log.info("read", ok2, data, ip_text(ip2), port2 == UDP_PORT)
    log.info("tx limit", socket.tx(c, "three-four"))
    wait_msg(socket.TX_OK)
    wait_msg(socket.EVENT)
    buff:del()
    local okl, nl, ipl = socket.rx(c, buff, 0, 5)
    log.info("rx limit", okl, nl, ip_text(ipl))
    log.info("data", buff:toStr(0, buff:used()))
    log.info("tx away", socket.tx(c, "x", "8.8.8.8", 53))
    wait_msg(socket.TX_OK)
    log.info("tx after", socket.tx(c, "after"))
    wait_msg(socket.TX_OK)
    wait_msg(socket.EVENT)
    local oka, da, ipa, pa = socket.read(c)
    log.info("read after", oka, da, ip_text(ipa), pa == UDP_PORT)
    log.info("discon", socket.discon(c))
    log.info("state", socket.state(c))
    socket.release(c)
    os.exit(0)
end, "udp")
sys.run()
)LUA",
                                      1, echo.port());
    CHECK(r.exit_code == 0);
    const std::string from = path == NetPath::kEth0 ? "5:0:127.0.0.1" : "5:0:10.0.2.2";
    const std::string away =
        path == NetPath::kEth0
            ? "W/socket datagram dropped: 8.8.8.8 is not a destination of this simulation (only this "
              "host and what --host names are: map it with --host 8.8.8.8=127.0.0.1[:PORT])"
            : "W/socket datagram dropped: 8.8.8.8 is not reachable over the simulated cellular link "
              "(only this host is: map it with --host 8.8.8.8=127.0.0.1[:PORT])";
    CHECK_LINES(user_lines(r.lines), {
                                         "I/user.config true",
                                         "D/socket connect to echo.test," + std::to_string(echo.port()),
                                         "I/user.connect true false",
                                         "I/user.msg ON_LINE 0",
                                         "I/user.state 5 在线",
                                         "I/user.tx true false false",
                                         "I/user.msg TX_OK 0",
                                         "I/user.msg EVENT 0",
                                         "I/user.rx true 3 " + from + " true one",
                                         "I/user.tx to true false false",
                                         "I/user.msg TX_OK 0",
                                         "I/user.msg EVENT 0",
                                         "I/user.rx pending true 3",
                                         "I/user.read true two " + from + " true",
                                         "I/user.tx limit true false false",
                                         "I/user.msg TX_OK 0",
                                         "I/user.msg EVENT 0",
                                         "D/socket 待数据数据长度 10 限制读取长度 5",
                                         "I/user.rx limit true 5 " + from,
                                         "I/user.data three",
                                         // Lost as the network would lose it; the link stays usable.
                                         away,
                                         "I/user.tx away true false false",
                                         "I/user.msg TX_OK 0",
                                         "I/user.tx after true false false",
                                         "I/user.msg TX_OK 0",
                                         "I/user.msg EVENT 0",
                                         "I/user.read after true after " + from + " true",
                                         "I/user.discon true true",
                                         "I/user.state 1 离线",
                                     });
    CHECK(echo.received() == std::vector<std::string>{"one", "two", "three-four", "after"});
}

// A refused connect, a peer that closes, and an adapter the Air780EP does not have.
void failures(NetPath path) {
    TcpEchoServer echo;
    std::uint16_t closed_port = 0;
    {
        UdpEchoPeer unused;  // a port nobody listens on for TCP once it is gone
        closed_port = unused.port();
    }
    DeviceOptions o;
    o.network = echo_network(path);
    o.on_line = [&echo](lua_bindings::Device&, std::string_view line) {
        if (line == "I/user.online") echo.close_clients();
    };
    const DeviceResult r = run_device(with_ports(R"LUA(
sys.taskInit(function()
    sys.waitUntil("IP_READY")
    log.info("create 2", socket.create(socket.LWIP_STA, cb))
    log.info("create 99", socket.create(99, cb))
    local c = socket.create(nil, cb)
    socket.config(c)
    log.info("connect", socket.connect(c, "127.0.0.1", CLOSED_PORT))
    next_ev()
    log.info("connect again", socket.connect(c, "127.0.0.1", CLOSED_PORT))
    socket.close(c)
    log.info("connect", socket.connect(c, "echo.test", TCP_PORT))
    next_ev()
    log.info("online")
    next_ev()
    log.info("wait", socket.wait(c))
    log.info("rx", socket.rx(c, zbuff.create(8)))
    log.info("tx", socket.tx(c, "late"))
    socket.close(c)
    log.info("state", socket.state(c))
    socket.release(c)
    os.exit(0)
end)
sys.run()
)LUA",
                                                 echo.port(), 1, closed_port),
                                      o);
    CHECK(r.exit_code == 0);
    Lines lines;
    for (const auto& l : user_lines(r.lines))
        if (l.rfind("E/socket connect to 127.0.0.1:", 0) != 0) lines.push_back(l);
    CHECK_LINES(lines, {
                           "E/socket adapter index 2 is invalid!",
                           "D/socket create fail",
                           "I/user.create 2 nil",
                           "I/user.create 99 nil",
                           "D/socket connect to 127.0.0.1," + std::to_string(closed_port),
                           "I/user.connect true false",
                           "I/user.cb ON_LINE -1 userdata",
                           "D/socket connect to 127.0.0.1," + std::to_string(closed_port),
                           "I/user.connect again false false",
                           "D/socket connect to echo.test," + std::to_string(echo.port()),
                           "I/user.connect true false",
                           "I/user.cb ON_LINE 0 userdata",
                           "I/user.online",
                           "I/user.cb EVENT -1 userdata",
                           "I/user.wait false false",
                           "I/user.rx false 0",
                           "I/user.tx false true false",
                           "I/user.state 5 在线",
                       });
    std::size_t refused = 0;
    for (const auto& l : r.lines)
        if (l.rfind("E/socket connect to 127.0.0.1:" + std::to_string(closed_port) + " failed: ", 0) == 0)
            ++refused;
    CHECK(refused == 1);
}

// 8 channels shared with mqtt: the ninth link gets LuatOS's failure; a release gives one back.
void channels(NetPath path) {
    const DeviceResult r = run_script(path, R"LUA(
sys.taskInit(function()
    local all = {}
    local m = mqtt.create(nil, "broker.test", 1883)
    log.info("mqtt", m ~= nil)
    for i = 1, 7 do all[i] = socket.create(nil, cb) end
    log.info("seven", #all)
    log.info("ninth", socket.create(nil, cb))
    socket.release(all[7])
    all[7] = socket.create(nil, "task")
    log.info("again", all[7] ~= nil)
    m:close()
    log.info("after mqtt close", socket.create(nil, cb) ~= nil)
    all = nil
    collectgarbage()  -- links nobody holds give their channels back (__gc is release)
    local n = 0
    for i = 1, 8 do if socket.create(nil, cb) then n = n + 1 end end
    log.info("after gc", n)
    os.exit(0)
end)
sys.run()
)LUA",
                                      1, 1);
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r.lines),
                {
                    "I/user.mqtt true",
                    "I/user.seven 7",
                    "E/socket socket.create: no free socket channel for socket: all 8 in use "
                    "(mqtt,socket,socket,socket,socket,socket,socket,socket)",
                    "D/socket create fail",
                    "I/user.ninth nil",
                    "I/user.again true",
                    "I/user.after mqtt close true",
                    "I/user.after gc 8",
                });
}

// TLS with the certificate arguments: verified against the test CA (host name localhost), refused
// with another CA, unchecked without one.
void tls(NetPath path) {
    TestPki pki;
    TlsEchoServer server(pki.path("server.pem"), pki.path("server.key"));
    DeviceOptions o;
    o.network = echo_network(path);
    const std::string script =
        "CA = [==[" + pki.read("ca.pem") + "]==]\nWRONG = [==[" + pki.read("wrong_ca.pem") + "]==]\n" + R"LUA(
local function try(name, ...)
    local c = socket.create(nil, cb)
    log.info(name .. " config", socket.config(c, nil, false, true, nil, nil, nil, ...))
    socket.connect(c, "localhost", TCP_PORT)
    local ev, p = next_ev()
    if p == 0 then
        quiet = true
        socket.tx(c, "olleh\n")
        local got = ""
        while #got < 6 do
            next_ev()
            local ok, data = socket.read(c)
            got = got .. (data or "")
        end
        quiet = false
        log.info(name .. " echo", got:sub(1, 5))
    end
    socket.close(c)
    socket.release(c)
end
sys.taskInit(function()
    sys.waitUntil("IP_READY")
    try("ca", CA)
    try("wrong", WRONG)
    try("none")
    local c = socket.create(nil, cb)
    log.info("bad cert", socket.config(c, nil, false, true, nil, nil, nil, "not a certificate"))
    os.exit(0)
end)
sys.run()
)LUA";
    const DeviceResult r = run_device(with_ports(script, server.port(), 1), o);
    INFO(joined(r.lines));
    CHECK(r.exit_code == 0);
    Lines lines;
    for (const auto& l : user_lines(r.lines)) {
        if (l.rfind("D/socket connect to", 0) == 0) continue;
        // mbedTLS's reason ends the line: keep its start
        lines.push_back(
            l.rfind("E/socket connect to localhost:", 0) == 0 ? l.substr(0, l.find(" failed: ") + 8) : l);
    }
    const std::string failed = "E/socket connect to localhost:" + std::to_string(server.port()) + " failed:";
    CHECK_LINES(
        lines,
        {
            "I/user.ca config true",
            "I/user.cb ON_LINE 0 userdata",
            "I/user.ca echo hello",
            "I/user.wrong config true",
            failed,
            "I/user.cb ON_LINE -1 userdata",
            "I/user.none config true",
            "I/user.cb ON_LINE 0 userdata",
            "I/user.none echo hello",
            "E/socket network_set_server_cert failed",
            "E/socket server_cert: X509 - The CRT/CRL/CSR format is invalid, e.g. different type expected",
            "I/user.bad cert false",
        });
}

// A connect made before the adapter is up waits for it (state 0), then connects: ON_LINE 0.
void connect_before_attach(NetPath path) {
    TcpEchoServer echo;
    const DeviceResult r = run_script(path, R"LUA(
sys.taskInit(function()
    local c = socket.create(nil, cb)
    socket.config(c)
    log.info("ready", socket.adapter(socket.dft()))
    log.info("connect", socket.connect(c, "127.0.0.1", TCP_PORT))
    log.info("state", socket.state(c))
    next_ev()
    log.info("state", socket.state(c), socket.adapter(socket.dft()))
    os.exit(0)
end)
sys.run()
)LUA",
                                      echo.port(), 1);
    CHECK(r.exit_code == 0);
    const std::string id = path == NetPath::kEth0 ? "17" : "1";
    CHECK_LINES(user_lines(r.lines), {
                                         "I/user.ready false " + id,
                                         "D/socket connect to 127.0.0.1," + std::to_string(echo.port()),
                                         "I/user.connect true false",
                                         "I/user.state 0 硬件离线",
                                         "I/user.cb ON_LINE 0 userdata",
                                         "I/user.state 5 true " + id,
                                     });
}

// A client of the device's server: connects to 127.0.0.1:port (retrying while the server is not
// there yet), sends `hello`, returns what comes back before the device closes.
std::string talk_to(std::uint16_t port, const std::string& hello) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) {
            ::send(fd, hello.data(), hello.size(), 0);
            std::string got;
            char buf[256];
            for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
                got.append(buf, static_cast<std::size_t>(n));
            ::close(fd);
            if (!got.empty() || std::chrono::steady_clock::now() > deadline) return got;
        } else {
            ::close(fd);
            if (std::chrono::steady_clock::now() > deadline) return "no connection";
        }
        std::this_thread::yield();
    }
}

// socket.listen / accept: one client taken by the listening link itself, then (listen(ctrl, 2)) a
// client accepted into a new link with its own callback. Over LWIP_GP the host reaches the module
// through --forward; over ETH0 the server listens on 127.0.0.1 itself.
void server(NetPath path) {
    const std::uint16_t device_port = free_loopback_port();
    const std::uint16_t host_port = path == NetPath::kEth0 ? device_port : free_loopback_port();
    DeviceOptions o;
    o.network = echo_network(path);
    if (path == NetPath::kLwip) o.network.forwards.push_back({host_port, device_port});
    std::atomic<int> turn{0};
    o.on_line = [&turn](lua_bindings::Device&, std::string_view line) {
        if (line == "I/user.listening 1") turn = 1;
        if (line == "I/user.listening 2") turn = 2;
    };
    std::string first, second;
    std::thread client([&] {
        while (turn.load() != 1)
            std::this_thread::yield();
        first = talk_to(host_port, "ping");
        while (turn.load() != 2)
            std::this_thread::yield();
        second = talk_to(host_port, "hello");
    });
    const std::string script = "DEVICE_PORT = " + std::to_string(device_port) + "\n" + R"LUA(
local function serve(c)
    local ok, data = socket.read(c)
    while ok and data == "" do next_ev(); ok, data = socket.read(c) end
    log.info("got", data)
    socket.tx(c, "re:" .. data)
    next_ev()
    socket.discon(c)
    next_ev()
end
sys.taskInit(function()
    sys.waitUntil("IP_READY")
    local c = socket.create(nil, cb)
    log.info("config", socket.config(c, DEVICE_PORT))
    log.info("accept early", socket.accept(c))
    -- multi_client is LuatOS's uint8_t max_wait_accept: 256 is 0, one client
    log.info("listen", socket.listen(c, 256))
    log.info("state", socket.state(c))
    log.info("listening", 1)
    next_ev()
    log.info("state", socket.state(c))
    local ok, none, ip, port = socket.accept(c)
    log.info("accept", ok, none, ip == (socket.dft() == socket.ETH0 and "127.0.0.1" or "10.0.2.2"), port > 0)
    serve(c)
    socket.release(c)

    c = socket.create(nil, cb)
    socket.config(c, DEVICE_PORT)
    log.info("listen multi", socket.listen(c, 2))
    log.info("listening", 2)
    next_ev()
    log.info("state", socket.state(c))
    local ok2, client = socket.accept(c, cb)
    log.info("accept into", ok2, type(client), socket.state(client))
    log.info("still", socket.state(c))
    serve(client)
    socket.release(client)
    socket.release(c)
    os.exit(0)
end)
sys.run()
)LUA";
    const DeviceResult r = run_device(with_ports(script, 1, 1), o);
    turn = 2;
    client.join();
    CHECK(r.exit_code == 0);
    CHECK(first == "re:ping");
    CHECK(second == "re:hello");
    Lines lines;
    for (const auto& l : user_lines(r.lines))
        if (l.rfind("I/user.cb TX_OK", 0) != 0 && l.rfind("I/user.cb EVENT", 0) != 0) lines.push_back(l);
    CHECK_LINES(lines, {
                           "I/user.config true",
                           "I/user.accept early false nil 0.0.0.0 0",
                           "I/user.listen true false",
                           "I/user.state 3 正在连接",
                           "I/user.listening 1",
                           "I/user.cb ON_LINE 0 userdata",
                           "I/user.state 5 在线",
                           "I/user.accept true nil true true",
                           "I/user.got ping",
                           "I/user.cb CLOSED 0 userdata",
                           "I/user.listen multi true false",
                           "I/user.listening 2",
                           "I/user.cb ON_LINE 0 userdata",
                           "I/user.state 6 在监听",
                           "D/socket accept success",
                           "I/user.accept into true userdata 5 在线",
                           "I/user.still 6 在监听",
                           "I/user.got hello",
                           "I/user.cb CLOSED 0 userdata",
                       });
}

}  // namespace

// luat_lib_socket.c reads adapter ids and DNS indexes as C ints: (1 << 32) + 17 is ETH0.
TEST_CASE("socket: adapter ids and DNS indexes are C ints, as luat_lib_socket.c reads them") {
    DeviceOptions o;
    o.network = echo_network(NetPath::kEth0);
    const DeviceResult r = run_device(R"LUA(
        log.info("create", type(socket.create((1 << 32) + 17, function() end)),
                 socket.create((1 << 32) + 99, "task"))
        log.info("setDNS", socket.setDNS((1 << 32) + 17, (1 << 32) + 1, "1.1.1.1"),
                 socket.setDNS((1 << 32) + 99, 1, "1.1.1.1"))
        os.exit(0)
    )LUA",
                                      o);
    CHECK(r.exit_code == 0);
    CHECK_LINES(user_lines(r.lines), {"I/user.create userdata nil", "I/user.setDNS true false"});
}

E2E_ON_BOTH_PATHS("socket: listen and accept, one client and then several", server)
E2E_ON_BOTH_PATHS("socket: a connect before the adapter is up waits for it", connect_before_attach)
E2E_ON_BOTH_PATHS("socket TLS: the server certificate verified, refused, unchecked", tls)
E2E_ON_BOTH_PATHS("socket: a refused connect, a peer that closes, adapters the module lacks", failures)
E2E_ON_BOTH_PATHS("socket: 8 channels shared with mqtt, the ninth create fails", channels)
E2E_ON_BOTH_PATHS("socket TCP: a callback's events and every function's returns", tcp_callback_flow)
E2E_ON_BOTH_PATHS("socket UDP: a sysplus task's messages, explicit destinations, rx limits", udp_task_flow)
