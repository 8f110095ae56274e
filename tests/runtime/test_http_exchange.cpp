// The http module's sans-IO parts (lua_bindings/modules/http/http_exchange.hpp): LuatOS's URL split,
// the request bytes, and what each response (fed in pieces) gives.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <string_view>

#include "lua_bindings/modules/http/http_exchange.hpp"

using lua_bindings::HttpError;
using lua_bindings::HttpExchange;

namespace {

// Feed `text` in pieces of `piece` bytes; true when the exchange said it finished.
bool feed(HttpExchange& x, std::string_view text, std::size_t piece = 1 << 20) {
    while (!text.empty()) {
        auto space = x.receive_space();
        if (space.empty()) return x.finished();
        const std::size_t n = std::min({piece, text.size(), space.size()});
        std::memcpy(space.data(), text.data(), n);
        text.remove_prefix(n);
        if (x.received(n) == HttpExchange::Progress::kFinished) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("http url: scheme, host, port, path and user:password as LuatOS splits them") {
    std::string error;
    auto u = lua_bindings::parse_http_url("https://user:pw@example.com:8443/a/b?c=1", "GET", error);
    REQUIRE(u);
    CHECK(u->tls);
    CHECK(u->host == "example.com");
    CHECK(u->port == 8443);
    CHECK(u->path == "/a/b?c=1");
    CHECK(u->auth == "user:pw");
    u = lua_bindings::parse_http_url("http://example.com", "POST", error);
    REQUIRE(u);
    CHECK((u->port == 80 && u->path == "/" && !u->tls));
    u = lua_bindings::parse_http_url("http://example.com:abc/", "GET", error);
    REQUIRE(u);
    CHECK(u->port == 80);  // atoi("abc") == 0: the scheme's port
    CHECK(!lua_bindings::parse_http_url("http://a.b", "GET", error));
    CHECK(error == "url too short http://a.b");
    CHECK(!lua_bindings::parse_http_url("ws://example.com", "GET", error));
    CHECK(error == "only http/https supported ws://example.com");
    CHECK(!lua_bindings::parse_http_url("http://example.com", "HEAD", error));
    CHECK(error == "NOT SUPPORT HEAD");
    CHECK(!lua_bindings::parse_http_url("http://" + std::string(300, 'h') + "/x", "GET", error));
    CHECK(error.starts_with("host too long"));
}

TEST_CASE("http request bytes: Connection and Host unless given, Authorization, headers, body") {
    lua_bindings::HttpRequestHead head;
    head.method = "POST";
    std::string error;
    head.url = *lua_bindings::parse_http_url("http://u:p@h.test:81/x", "POST", error);
    head.headers = {{"A", "1"}, {"Content-Length", "2"}};
    const std::string body = "hi";
    CHECK(lua_bindings::build_http_request(
              head, std::span(reinterpret_cast<const std::uint8_t*>(body.data()), 2)) ==
          "POST /x HTTP/1.1\r\nConnection: Close\r\nHost: h.test:81\r\nAuthorization: Basic dTpw\r\nA: 1\r\n"
          "Content-Length: 2\r\n\r\nhi");
    head.custom_host = true;
    head.custom_connection = true;
    head.url.auth.clear();
    CHECK(lua_bindings::build_http_request(head, {}) ==
          "POST /x HTTP/1.1\r\nA: 1\r\nContent-Length: 2\r\n\r\n");
}

TEST_CASE("http exchange: Content-Length bodies finish at their length, in any pieces") {
    const std::size_t piece = GENERATE(1, 3, 1000);
    HttpExchange x(nullptr);
    CHECK(feed(x, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b c\r\n\r\nhelloEXTRA", piece));
    CHECK(x.result() == HttpError::kOk);
    CHECK(x.status() == 200);
    CHECK(x.body() == "hello");
    CHECK(x.content_length() == 5);
    REQUIRE(x.headers().size() == 2);
    CHECK(x.headers()[1] == std::pair<std::string, std::string>{"X-A", "b c"});
    const auto progress = x.take_progress();
    REQUIRE(!progress.empty());
    CHECK(progress.front() == 0);
    CHECK(progress.back() == 5);
}

TEST_CASE("http exchange: chunked bodies finish at the last chunk, and cut short what came counts") {
    const std::size_t piece = GENERATE(1, 7, 1000);
    HttpExchange x(nullptr);
    CHECK(feed(x, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
               piece));
    CHECK(x.result() == HttpError::kOk);
    CHECK(x.body() == "abcde");

    HttpExchange cut(nullptr);
    CHECK(!feed(cut, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nd", piece));
    cut.closed(false);
    CHECK(cut.finished());
    CHECK(cut.result() == HttpError::kOk);
    CHECK(cut.body() == "abcd");
}

TEST_CASE("http exchange: without Content-Length or chunks the first piece of body is the body") {
    HttpExchange x(nullptr);
    CHECK(feed(x, "HTTP/1.1 200 OK\r\n\r\nfirst"));
    CHECK(x.body() == "first");
    HttpExchange empty(nullptr);
    CHECK(feed(empty, "HTTP/1.1 204 No Content\r\n\r\n"));
    CHECK(empty.status() == 204);
    CHECK(empty.body().empty());
}

TEST_CASE("http exchange: the negative codes of closes, big headers and timeouts") {
    HttpExchange early(nullptr);
    CHECK(!feed(early, "HTTP/1.1 200 OK\r\nContent-Ty"));
    early.closed(false);
    CHECK(early.result() == HttpError::kClose);

    HttpExchange reset(nullptr);
    reset.closed(true);
    CHECK(reset.result() == HttpError::kClose);

    HttpExchange partial(nullptr);
    CHECK(!feed(partial, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
    partial.closed(true);
    CHECK(partial.result() == HttpError::kOk);  // headers complete: what came is the body
    CHECK(partial.body() == "abc");

    HttpExchange big(nullptr);
    CHECK(!feed(big, "HTTP/1.1 200 OK\r\nX-Big: " + std::string(9000, 'x')));
    CHECK(big.receive_space().empty());
    big.closed(false);
    CHECK(big.result() == HttpError::kRx);

    HttpExchange slow(nullptr);
    CHECK(!feed(slow, "HTTP/1.1 200 OK\r\n"));
    slow.timed_out();
    CHECK(slow.result() == HttpError::kTimeout);

    HttpExchange refused(nullptr);
    refused.connect_failed();
    CHECK(refused.result() == HttpError::kConnect);
}
