// The ftp module's protocol part (ftp_client.hpp), sans-IO: replies, passive addresses, and the
// session's steps as luat_ftp_client.c takes them, driven by hand.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lua_bindings/modules/ftp/ftp_client.hpp"

using namespace lua_bindings;

namespace {

using Kind = FtpClient::Action::Kind;

// The actions as text: "send USER u|", "open h:21", "close data", "upload", "E/text", "done true",
// "done text <t>", "release" (debug lines left out).
std::vector<std::string> drain(FtpClient& c) {
    std::vector<std::string> out;
    for (const FtpClient::Action& a : c.take_actions()) {
        switch (a.kind) {
            case Kind::kSend: {
                std::string t = a.text;
                for (std::size_t at = t.find("\r\n"); at != std::string::npos; at = t.find("\r\n"))
                    t.replace(at, 2, "|");
                out.push_back("send " + t);
                break;
            }
            case Kind::kOpenData:
                out.push_back("open " + a.text + ":" + std::to_string(a.port));
                break;
            case Kind::kCloseData:
                out.push_back("close data");
                break;
            case Kind::kStartUpload:
                out.push_back("upload");
                break;
            case Kind::kLog:
                if (a.level != 'D') out.push_back(std::string(1, a.level) + "/" + a.text);
                break;
            case Kind::kDone:
                out.push_back(a.result == FtpClient::ResultKind::kFalse  ? "done false"
                              : a.result == FtpClient::ResultKind::kTrue ? "done true"
                                                                         : "done text " + a.text);
                break;
            case Kind::kRelease:
                out.push_back("release");
                break;
        }
    }
    return out;
}

using Steps = std::vector<std::string>;

FtpClient logged_in() {
    FtpClient c("ftp.test", "u", "p");
    c.control_connected();
    c.control_bytes("220 hi\r\n");
    c.control_bytes("331 pw\r\n");
    c.control_bytes("230 ok\r\n");
    REQUIRE(drain(c) == Steps{"send USER u|", "send PASS p|", "done true"});
    return c;
}

}  // namespace

TEST_CASE("ftp protocol: replies are taken whole, multi-line ones up to their last line") {
    FtpReplyReader r;
    r.feed("220-Welcome\r\n22");
    CHECK_FALSE(r.next());
    r.feed("0-more\r\n220 end\r\n331 x");
    const auto first = r.next();
    REQUIRE(first);
    CHECK(first->code == "220");
    CHECK(first->text == "220-Welcome\r\n220-more\r\n220 end\r\n");
    CHECK_FALSE(r.next());
    r.feed("\r\n");
    const auto second = r.next();
    REQUIRE(second);
    CHECK(second->text == "331 x\r\n");
}

TEST_CASE("ftp protocol: the passive address, and the ones LuatOS replaces by its login host") {
    const auto p = ftp_parse_passive("227 Entering passive mode (127,0,0,1,128,153).\r\n");
    REQUIRE(p);
    CHECK(p->host == "127.0.0.1");
    CHECK(p->port == 128 * 256 + 153);
    CHECK_FALSE(ftp_parse_passive("227 Entering passive mode\r\n"));
    CHECK_FALSE(ftp_parse_passive("227 (1,2,3,4,5)\r\n"));
    CHECK_FALSE(ftp_parse_passive("227 (1,2,3,4,5,6,7)\r\n"));
    for (const char* host : {"10.0.0.1", "172.16.0.1", "192.168.1.1", "127.0.0.1", "0.0.0.0", "169.254.0.16"})
        CHECK(ftp_unroutable(host));
    for (const char* host : {"8.8.8.8", "127.0.0.2", "169.254.1.1", "100.64.0.1"})
        CHECK_FALSE(ftp_unroutable(host));
}

TEST_CASE("ftp protocol: the commands ftp.command accepts, by their first bytes") {
    for (const char* cmd : {"NOOP", "SYST", "TYPE I", "PWD", "MKD d", "CWD /d", "CDUP", "RMD d", "DELE f",
                            "SIZE f", "LIST", "LIST /d", "NOOPX"})
        CHECK(ftp_command_log_name(cmd));
    CHECK(*ftp_command_log_name("PWD") == "RMD");  // LuatOS's debug line says so
    for (const char* cmd : {"", "noop", "QUIT", "RETR f", "STOR f", "PASV", "NOO"})
        CHECK_FALSE(ftp_command_log_name(cmd));
    CHECK(ftp_command_line("NOOP") == "NOOP\r\n");
    CHECK(ftp_command_line("MKD " + std::string(200, 'a')).size() == 127);
}

TEST_CASE("ftp protocol: each login step's refusal fails the login with LuatOS's line") {
    struct Case {
        std::vector<std::string> replies;
        Steps expected_tail;
    };
    const std::vector<Case> cases = {
        {{"421 busy\r\n"}, {"E/ftp connect error", "E/ftp login fail", "done false", "release"}},
        {{"220 hi\r\n", "530 no\r\n"}, {"E/ftp username wrong", "E/ftp login fail", "done false", "release"}},
        {{"220 hi\r\n", "331 pw\r\n", "530 no\r\n"},
         {"E/ftp login wrong", "E/ftp login fail", "done false", "release"}},
    };
    for (const Case& k : cases) {
        FtpClient c("h", "u", "p");
        for (const std::string& reply : k.replies)
            c.control_bytes(reply);
        Steps got = drain(c);
        REQUIRE(got.size() >= k.expected_tail.size());
        got.erase(got.begin(), got.end() - static_cast<long>(k.expected_tail.size()));
        CHECK(got == k.expected_tail);
        CHECK(c.over());
    }
    FtpClient refused("h", "u", "p");
    refused.control_failed(-1);
    CHECK(drain(refused) ==
          Steps{"E/ftp network_connect fail -1", "E/ftp login fail", "done false", "release"});
}

TEST_CASE("ftp protocol: a command gives its reply as received, whatever its code") {
    FtpClient c = logged_in();
    CHECK(c.start_command("CWD /nowhere"));
    c.control_bytes("550 No such file or directory.\r\n");
    CHECK(drain(c) == Steps{"send CWD /nowhere|", "done text 550 No such file or directory.\r\n"});
    CHECK_FALSE(c.busy());
}

TEST_CASE("ftp protocol: LIST over a passive connection to the login host") {
    FtpClient c = logged_in();
    c.start_command("LIST");
    c.control_bytes("227 Entering passive mode (127,0,0,1,4,1).\r\n");
    CHECK(drain(c) == Steps{"send PASV|",
                            "W/服务器回应不可路由的地址(127.0.0.1)。使用服务器地址代替 ftp.test",
                            "open ftp.test:1025"});
    c.data_connected();
    c.control_bytes("150 here\r\n");
    c.data_bytes("a\r\n");
    c.control_bytes("226 done\r\n");
    CHECK(drain(c) == Steps{"send LIST|"});
    c.data_bytes("b\r\n");
    c.data_closed();
    CHECK(drain(c) == Steps{"done text a\r\nb\r\n"});
}

TEST_CASE("ftp protocol: a pull asks SIZE first and ends when the size and 226 are in") {
    FtpClient c = logged_in();
    c.start_pull("/f.bin");
    c.control_bytes("213 4\r\n");
    c.control_bytes("227 (8,8,8,8,0,99)\r\n");
    CHECK(drain(c) == Steps{"send SIZE /f.bin|", "send PASV|", "open 8.8.8.8:99"});
    c.data_connected();
    c.control_bytes("125 go\r\n226 ok\r\n");
    c.data_bytes("ab");
    c.data_closed();
    CHECK(drain(c) == Steps{"send RETR /f.bin|", "E/ftp operation failed", "done false"});  // 2 of 4 bytes

    c.start_pull("/missing");
    c.control_bytes("550 no\r\n227 (8,8,8,8,0,99)\r\n");
    c.data_connected();
    c.control_bytes("550 no\r\n");
    CHECK(drain(c) == Steps{"send SIZE /missing|", "send PASV|", "open 8.8.8.8:99", "send RETR /missing|",
                            "E/ftp operation failed", "close data", "done false"});
}

TEST_CASE("ftp protocol: a push sends the file, closes the data connection, then takes the reply") {
    FtpClient c = logged_in();
    c.start_push("/up.bin", 10);
    c.control_bytes("227 (8,8,8,8,0,99)\r\n");
    c.data_connected();
    c.control_bytes("150 ok\r\n");
    CHECK(drain(c) == Steps{"send PASV|", "open 8.8.8.8:99", "send STOR /up.bin|", "upload"});
    c.upload_done(10);
    CHECK(drain(c) == Steps{"close data"});
    c.control_bytes("226 stored\r\n");
    CHECK(drain(c) == Steps{"done true"});

    c.start_push("/short.bin", 10);
    c.control_bytes("227 (8,8,8,8,0,99)\r\n");
    c.data_connected();
    c.control_bytes("150 ok\r\n");
    drain(c);
    c.upload_done(4);
    CHECK(drain(c) ==
          Steps{"close data", "E/upload not finish !!! 4,10", "E/ftp operation failed", "done false"});
}

TEST_CASE("ftp protocol: an operation while one is in flight is dropped, a close waits for it") {
    FtpClient c = logged_in();
    c.start_command("NOOP");
    c.start_command("SYST");
    c.start_close();
    CHECK(drain(c) == Steps{"send NOOP|", "E/last cmd not finish, ignore 2,0,0,0"});
    c.control_bytes("200 ok\r\n");
    CHECK(drain(c) == Steps{"done text 200 ok\r\n", "send QUIT|"});
    c.control_bytes("221 bye\r\n");
    CHECK(drain(c) == Steps{"done text 221 bye\r\n", "release"});
}

TEST_CASE("ftp protocol: the control connection lost fails the operation, the next one releases") {
    FtpClient c = logged_in();
    c.start_command("NOOP");
    c.control_closed();
    CHECK(drain(c) == Steps{"send NOOP|", "E/ftp operation failed", "done false", "E/ftp network error"});
    CHECK(c.start_command("PWD"));
    CHECK(drain(c) == Steps{"done false", "release"});
    CHECK(c.over());
}

TEST_CASE("ftp protocol: a reply that does not come in time fails the operation, the session stays") {
    FtpClient c = logged_in();
    c.start_command("LIST");
    c.control_bytes("227 (8,8,8,8,0,99)\r\n");
    c.data_connected();
    c.control_bytes("150 here\r\n");
    drain(c);
    c.timed_out();
    CHECK(drain(c) == Steps{"E/ftp operation failed", "close data", "done false"});
    CHECK_FALSE(c.busy());
    CHECK_FALSE(c.over());
    c.start_command("NOOP");
    c.timed_out();
    CHECK(drain(c) == Steps{"send NOOP|", "E/ftp operation failed", "done false"});
}
