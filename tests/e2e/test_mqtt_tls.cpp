// mqtt.create with `ssl`, against mosquitto's TLS listeners, on both paths: verified against a CA
// (the host name checked), verify = 1 with a warning once connected, a refused server, mutual TLS,
// and the fields LuatOS's table accepts, refused by name or ignored with a warning.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e.hpp"
#include "tests/tls/support/test_pki.hpp"

using namespace luat::test;

namespace {

struct TlsSetup {
    TlsSetup() : pki(KeyKind::kEcP256, {"broker.test"}), broker(options(pki)) {}
    static MosquittoOptions options(const TestPki& pki) {
        const std::string files = "certfile " + pki.path("server.pem").string() + "\nkeyfile " +
                                  pki.path("server.key").string() + "\ntls_version tlsv1.2\n";
        MosquittoOptions o;
        o.listeners = {
            {"mqtt", ""},
            {"tls", files},
            {"mtls", files + "cafile " + pki.path("ca.pem").string() + "\nrequire_certificate true\n"}};
        return o;
    }
    // The PEM files as Lua string literals, in a prelude: CA, WRONG_CA, CLIENT_CERT, CLIENT_KEY.
    [[nodiscard]] std::string lua_files() const {
        auto literal = [](const std::string& s) { return "[==[" + s + "]==]"; };
        return "CA = " + literal(pki.read("ca.pem")) + "\nWRONG_CA = " + literal(pki.read("wrong_ca.pem")) +
               "\nCLIENT_CERT = " + literal(pki.read("client.pem")) +
               "\nCLIENT_KEY = " + literal(pki.read("client.key")) + "\n";
    }
    TestPki pki;
    Mosquitto broker;
};

DeviceResult run_tls(NetPath path, const TlsSetup& s, const std::string& listener, const std::string& body) {
    DeviceOptions o;
    o.network = network_to(path, s.broker.port(listener));
    return run_device(kLuaPrelude + s.lua_files() + body, o);
}

void verified_by_ca(NetPath path) {
    TlsSetup s;
    const DeviceResult r = run_tls(path, s, "tls", R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 8883, {server_cert = CA})
            c:auth("e2e-tls-ca", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {"I/user.ev conack nil nil"});
    CHECK(lines_with(r.lines, "W/").empty());
    CHECK_LINES(lines_containing(r.lines, "socket[0] connect to"),
                {"D/net socket[0] connect to broker.test:8883 TLS"});
}
E2E_ON_BOTH_PATHS("tls: ssl = {server_cert = CA} verifies the broker and its name", verified_by_ca)

void verify_optional(NetPath path) {
    TlsSetup s;
    const DeviceResult r = run_tls(path, s, "tls", R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 8883, {server_cert = WRONG_CA, verify = mqtt.VERIFY_OPTION})
            c:auth("e2e-tls-optional", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {"I/user.ev conack nil nil"});
    const Lines warnings = lines_with(r.lines, "W/mqtt ");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].starts_with("W/mqtt broker.test:8883 server certificate not verified (verify=1): "));
    CHECK(warnings[0].find("not correctly signed by the trusted CA") != std::string::npos);
}
E2E_ON_BOTH_PATHS("tls: verify = 1 connects to an unverified server and says so once", verify_optional)

void refused_server(NetPath path) {
    TlsSetup s;
    const DeviceResult r = run_tls(path, s, "tls", R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 8883, {server_cert = WRONG_CA})
            c:auth("e2e-tls-refused", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("close")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                {"I/user.ev error connect 0", "I/user.ev disconnect 0 nil", "I/user.ev close nil nil"});
    const Lines errors = lines_with(r.lines, "E/mqtt connect to broker.test:8883 failed: ");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("not correctly signed by the trusted CA") != std::string::npos);
}
E2E_ON_BOTH_PATHS("tls: a server the CA did not sign: error(connect, 0), the reason in the log",
                  refused_server)

void mutual_tls(NetPath path) {
    TlsSetup s;
    const DeviceResult r = run_tls(path, s, "mtls", R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 8883,
                                  {server_cert = CA, client_cert = CLIENT_CERT, client_key = CLIENT_KEY})
            c:auth("e2e-mtls", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            c:close()
            local anonymous = mqtt.create(nil, "broker.test", 8883, {server_cert = CA})
            anonymous:auth("e2e-mtls-anonymous", "", "", true)
            anonymous:on(ev)
            anonymous:connect()
            wait_ev("close")
            anonymous:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {"I/user.ev conack nil nil", "I/user.ev error connect 0",
                                                 "I/user.ev disconnect 0 nil", "I/user.ev close nil nil"});
}
E2E_ON_BOTH_PATHS("tls: mutual TLS with client_cert and client_key, refused without", mutual_tls)

TEST_CASE("tls: the ssl table's fields refused by name, or ignored with a warning as LuatOS ignores them") {
    TlsSetup s;
    const DeviceResult r = run_tls(NetPath::kEth0, s, "tls", R"LUA(
        local function count(...) return select('#', ...) end
        log.info("bad", count(mqtt.create(nil, "broker.test", 8883, {server_cert = "not a certificate"})),
                 count(mqtt.create(nil, "broker.test", 8883, {verify = 7})),
                 count(mqtt.create(nil, "broker.test", 8883, {server_cert = CA, client_cert = CLIENT_CERT})))
        local c = mqtt.create(nil, "broker.test", 8883, {server_cert = CA, client_key = CLIENT_KEY, verify = "x"})
        log.info("key without cert", c ~= nil)
        c:close()
        -- every channel came back
        local all = {}
        for i = 1, 8 do all[i] = mqtt.create(nil, "broker.test", 8883, true) end
        log.info("channels", #all)
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                {"I/user.bad 0 0 0", "I/user.key without cert true", "I/user.channels 8"});
    const Lines errors = lines_with(r.lines, "E/mqtt ");
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].starts_with("E/mqtt mqtt.create: ssl.server_cert: "));
    CHECK(errors[1].starts_with("E/mqtt mqtt.create: ssl.verify: "));
    CHECK(errors[2] == "E/mqtt mqtt.create: ssl.client_key: missing (client_cert needs its private key)");
    const Lines warnings = lines_with(r.lines, "W/mqtt ");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] == "W/mqtt ssl: client_key given without client_cert: ignored (as LuatOS)");
}

}  // namespace
