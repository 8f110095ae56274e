// mqtt.create with `ssl`, against mosquitto's TLS listeners, on both paths, each case with its exact
// events and the log line that says why: ssl = true; verified against a CA (the host name checked)
// and publishing; verify = 1 with a warning once connected; a server the CA did not sign, a wrong
// host name, an expired certificate (refused: error("connect", 0), disconnect(0), close or the
// reconnect, never conack); mutual TLS, without a client certificate, with an encrypted key and its
// password; and the fields LuatOS's table accepts, malformed PEM refused by name (mqtt.create returns
// nothing) or ignored with a warning.
#include <catch2/catch.hpp>

#include "tests/e2e/e2e.hpp"
#include "tests/tls/support/test_pki.hpp"

using namespace tests;

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
            {"mtls", files + "cafile " + pki.path("ca.pem").string() + "\nrequire_certificate true\n"},
            {"expired", "certfile " + pki.path("expired.pem").string() + "\nkeyfile " +
                            pki.path("server.key").string() + "\ntls_version tlsv1.2\n"}};
        return o;
    }
    // The PEM files as Lua string literals, in a prelude: CA, WRONG_CA, CLIENT_CERT, CLIENT_KEY,
    // CLIENT_ENC_KEY (client.key as OpenSSL 3 encrypts it, password KEY_PASSWORD).
    [[nodiscard]] std::string lua_files() const {
        auto literal = [](const std::string& s) { return "[==[" + s + "]==]"; };
        return "CA = " + literal(pki.read("ca.pem")) + "\nWRONG_CA = " + literal(pki.read("wrong_ca.pem")) +
               "\nCLIENT_CERT = " + literal(pki.read("client.pem")) +
               "\nCLIENT_KEY = " + literal(pki.read("client.key")) +
               "\nCLIENT_ENC_KEY = " + literal(pki.read("client_enc.key")) + "\nKEY_PASSWORD = \"" +
               TestPki::kClientKeyPassword + "\"\n";
    }
    TestPki pki;
    Mosquitto broker;
};

DeviceResult run_tls(NetPath path, const TlsSetup& s, const std::string& listener, const std::string& body,
                     std::function<void(lua_bindings::Device&, std::string_view)> on_line = {}) {
    DeviceOptions o;
    o.network = network_to(path, s.broker.port(listener));
    o.on_line = std::move(on_line);
    return run_device(kLuaPrelude + s.lua_files() + body, o);
}

// The events of a refused handshake, as for any connect failure: error("connect", 0), disconnect(0),
// close; never conack.
const Lines kRefused = {"I/user.ev error connect 0", "I/user.ev disconnect 0 nil", "I/user.ev close nil nil"};

// Connects, publishes at QoS 1 (sent once the broker's PUBACK came back through TLS) and receives
// what a plain-TCP client of the same broker publishes; the observer sees the uplink.
void connects_and_publishes(NetPath path, const std::string& ssl, const std::string& client_id) {
    TlsSetup s;
    MqttObserver observer(s.broker.port("mqtt"));
    observer.subscribe("e2e/tls/up", 1);
    const DeviceResult r =
        run_tls(path, s, "tls", "SSL = " + ssl + "\nCLIENT_ID = \"" + client_id + "\"\n" + R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 8883, SSL)
            c:auth(CLIENT_ID, "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            c:subscribe("e2e/tls/down", 1)
            wait_ev("suback")
            log.info("publish", c:publish("e2e/tls/up", "over TLS", 1))
            wait_ev("sent")
            log.info("subscribed")
            wait_ev("recv")
            c:close()
        end)
    )LUA",
                [&](lua_bindings::Device&, std::string_view line) {
                    if (line == "I/user.subscribed") observer.publish("e2e/tls/down", "to TLS", 1);
                });
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                {"I/user.ev conack nil nil", "I/user.ev suback true 1", "I/user.publish 2",
                 "I/user.ev sent 2 nil", "I/user.subscribed", "I/user.ev recv e2e/tls/down 6 1 0 0"});
    CHECK(lines_with(r.lines, "W/").empty());
    CHECK(lines_with(r.lines, "E/").empty());
    CHECK_LINES(lines_containing(r.lines, "socket[0] connect to"),
                {"D/net socket[0] connect to broker.test:8883 TLS"});
    REQUIRE(observer.wait_for_count("e2e/tls/up", 1, 5s));
    CHECK(observer.messages_on("e2e/tls/up")[0].payload == "over TLS");
}

void verified_by_ca(NetPath path) {
    connects_and_publishes(path, "{server_cert = CA}", "e2e-tls-ca");
}
E2E_ON_BOTH_PATHS("tls: ssl = {server_cert = CA} verifies the broker and its name, publishes and receives",
                  verified_by_ca)

void insecure_ssl(NetPath path) {
    connects_and_publishes(path, "true", "e2e-tls-true");
}
E2E_ON_BOTH_PATHS("tls: ssl = true connects without a certificate check, publishes and receives",
                  insecure_ssl)

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
    CHECK_LINES(lines_with(r.lines, "I/user."), kRefused);
    CHECK_LINES(
        lines_with(r.lines, "E/mqtt "),
        {"E/mqtt connect to broker.test:8883 failed: server certificate rejected: The certificate is not "
         "correctly signed by the trusted CA"});
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
    // The broker's alert says why the second was refused.
    CHECK_LINES(lines_with(r.lines, "E/mqtt "),
                {"E/mqtt connect to broker.test:8883 failed: the server sent alert handshake_failure (40)"});
    CHECK(s.broker.log().find("as e2e-mtls ") != std::string::npos);
    CHECK(s.broker.log().find("as e2e-mtls-anonymous ") == std::string::npos);
}
E2E_ON_BOTH_PATHS("tls: mutual TLS with client_cert and client_key, refused without", mutual_tls)

void wrong_host_name(NetPath path) {
    // lbsmqtt.airm2m.com reaches the broker (the host map) but is not a name on its certificate.
    TlsSetup s;
    const DeviceResult r = run_tls(path, s, "tls", R"LUA(
        main(function()
            for verify = 2, 0, -1 do
                log.info("verify", verify)
                local c = mqtt.create(nil, "lbsmqtt.airm2m.com", 8883, {server_cert = CA, verify = verify})
                c:auth("e2e-tls-name-" .. verify, "", "", true)
                c:on(ev)
                c:connect()
                if verify == 2 then wait_ev("close") else wait_ev("conack") end
                c:close()
            end
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    Lines expected = {"I/user.verify 2"};
    expected.insert(expected.end(), kRefused.begin(), kRefused.end());
    expected.insert(expected.end(), {"I/user.verify 1", "I/user.ev conack nil nil", "I/user.verify 0",
                                     "I/user.ev conack nil nil"});
    CHECK_LINES(lines_with(r.lines, "I/user."), expected);
    const std::string mismatch = "The certificate Common Name (CN) does not match with the expected CN";
    CHECK_LINES(
        lines_with(r.lines, "E/mqtt "),
        {"E/mqtt connect to lbsmqtt.airm2m.com:8883 failed: server certificate rejected: " + mismatch});
    CHECK_LINES(lines_with(r.lines, "W/mqtt "),
                {"W/mqtt lbsmqtt.airm2m.com:8883 server certificate not verified (verify=1): " + mismatch});
}
E2E_ON_BOTH_PATHS("tls: a wrong host name is refused at verify 2, accepted at 1 with a warning and at 0",
                  wrong_host_name)

void expired_server(NetPath path) {
    TlsSetup s;
    const DeviceResult r = run_tls(path, s, "expired", R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 8883, {server_cert = CA})
            c:auth("e2e-tls-expired", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("close")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), kRefused);
    CHECK_LINES(lines_with(r.lines, "E/mqtt "),
                {"E/mqtt connect to broker.test:8883 failed: server certificate "
                 "rejected: The certificate validity has expired"});
}
E2E_ON_BOTH_PATHS("tls: an expired server certificate is refused", expired_server)

void refused_with_reconnect(NetPath path) {
    // With autoreconn the chain goes on (never a conack), and the same reason is logged once.
    TlsSetup s;
    const DeviceResult r = run_tls(path, s, "tls", R"LUA(
        main(function()
            local c = mqtt.create(nil, "broker.test", 8883, {server_cert = WRONG_CA})
            c:auth("e2e-tls-again", "", "", true)
            c:autoreconn(true, 1000)
            c:on(ev)
            c:connect()
            for i = 1, 3 do wait_ev("disconnect") end
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    Lines expected;
    for (int i = 0; i < 3; ++i)
        expected.insert(expected.end(), {"I/user.ev error connect 0", "I/user.ev disconnect 0 nil"});
    CHECK_LINES(lines_with(r.lines, "I/user."), expected);
    CHECK_LINES(
        lines_with(r.lines, "E/mqtt "),
        {"E/mqtt connect to broker.test:8883 failed: server certificate rejected: The certificate is not "
         "correctly signed by the trusted CA"});
    CHECK(lines_containing(r.lines, "socket[0] connect to broker.test:8883 TLS").size() == 3);
}
E2E_ON_BOTH_PATHS(
    "tls: a refused server with autoreconn, the attempts go on, never a conack, the reason logged once",
    refused_with_reconnect)

void encrypted_client_key(NetPath path) {
    TlsSetup s;
    const DeviceResult r = run_tls(path, s, "mtls", R"LUA(
        local function create(password)
            return mqtt.create(nil, "broker.test", 8883, {server_cert = CA, client_cert = CLIENT_CERT,
                                                         client_key = CLIENT_ENC_KEY, client_password = password})
        end
        main(function()
            log.info("wrong password", select('#', create("not-the-password")))
            log.info("no password", select('#', create(nil)))
            local c = create(KEY_PASSWORD)
            c:auth("e2e-mtls-enc", "", "", true)
            c:on(ev)
            c:connect()
            wait_ev("conack")
            c:close()
        end)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."),
                {"I/user.wrong password 0", "I/user.no password 0", "I/user.ev conack nil nil"});
    CHECK_LINES(
        lines_with(r.lines, "E/mqtt "),
        {"E/mqtt mqtt.create: ssl.client_key: PK - Given private key password does not allow for correct "
         "decryption",
         "E/mqtt mqtt.create: ssl.client_key: PK - Private key password can't be empty"});
    CHECK(s.broker.log().find("as e2e-mtls-enc ") != std::string::npos);
}
E2E_ON_BOTH_PATHS(
    "tls: an encrypted client_key, refused with a wrong or no password, connects with the right one",
    encrypted_client_key)

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

TEST_CASE(
    "tls: malformed PEM, mqtt.create returns nothing and the log names the field and the reason (lwip)") {
    TlsSetup s;
    const DeviceResult r = run_tls(NetPath::kLwip, s, "tls", R"LUA(
        local function count(...) return select('#', ...) end
        local function create(ssl) return count(mqtt.create(nil, "broker.test", 8883, ssl)) end
        local cut = CA:sub(1, #CA // 2)                                      -- cut in the middle
        local bad_base64 = CA:gsub("\n(....)", "\n!!!!", 1)                   -- not base64
        local no_end = CA:gsub("%-%-%-%-%-END CERTIFICATE%-%-%-%-%-\n?", "")  -- no END line
        log.info("server_cert", create({server_cert = cut}), create({server_cert = bad_base64}),
                 create({server_cert = no_end}))
        log.info("client_cert", create({server_cert = CA, client_cert = CLIENT_CERT:sub(1, 200), client_key = CLIENT_KEY}))
        log.info("client_key", create({server_cert = CA, client_cert = CLIENT_CERT, client_key = CLIENT_KEY:sub(1, 100)}))
        -- nothing was kept: all 8 channels are free
        local all = {}
        for i = 1, 8 do all[i] = mqtt.create(nil, "broker.test", 8883, {server_cert = CA}) end
        log.info("channels", #all)
        os.exit(0)
    )LUA");
    CHECK(r.exit_code == 0);
    CHECK_LINES(lines_with(r.lines, "I/user."), {"I/user.server_cert 0 0 0", "I/user.client_cert 0",
                                                 "I/user.client_key 0", "I/user.channels 8"});
    const std::string not_pem = "X509 - Format not recognized as DER or PEM";
    CHECK_LINES(
        lines_with(r.lines, "E/mqtt "),
        {"E/mqtt mqtt.create: ssl.server_cert: " + not_pem,
         "E/mqtt mqtt.create: ssl.server_cert: PEM - PEM string is not as expected : BASE64 - Invalid "
         "character in input",
         "E/mqtt mqtt.create: ssl.server_cert: " + not_pem, "E/mqtt mqtt.create: ssl.client_cert: " + not_pem,
         "E/mqtt mqtt.create: ssl.client_key: PK - Invalid key tag or value"});
}

}  // namespace
