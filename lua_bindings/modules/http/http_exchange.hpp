// One http.request exchange, sans-IO: the request's bytes out, the response's bytes in (through
// http_parser, the parser LuatOS itself uses), and the decisions LuatOS's client takes on them
// (docs/modules/http.md, read from components/network/libhttp/luat_http_client.c): when the body is
// complete, what a close by the server means, which negative code a failure gives. No sockets, no
// timers, no Lua: the glue (http_module.cpp) feeds it and reports what it says.
#pragma once

#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lua_bindings {

// LuatOS's HTTP_ERROR_* codes, as the script sees them (luat_http.h).
enum class HttpError : int {
    kOk = 0,
    kState = -1,
    kHeader = -2,
    kBody = -3,
    kConnect = -4,
    kClose = -5,
    kRx = -6,
    kDownload = -7,
    kTimeout = -8,
};

// Where the response body goes (LuatOS: memory, the `dst` file, or the zbuff given as body of a GET).
class HttpBodySink {
  public:
    // The headers are complete (LuatOS opens the download file here).
    virtual void begin() = 0;
    // Body bytes; false stops the exchange with kDownload.
    virtual bool write(std::span<const std::uint8_t> bytes) = 0;
    // The body is complete (LuatOS's on_complete: the download file is closed, and removed when the
    // status is above 299).
    virtual void finish(int status) = 0;

  protected:
    ~HttpBodySink() = default;
};

struct HttpUrl {
    bool tls = false;
    std::string host;
    std::uint16_t port = 0;
    std::string path;  // starts with '/'
    std::string auth;  // "user:password" before '@', or empty
};

// http_set_url: the URL as LuatOS splits it. nullopt, with LuatOS's log text in `error`, for a
// method it does not send, a scheme other than http/https, a URL shorter than 5 bytes after the
// scheme, a host longer than 255 bytes or an empty one.
std::optional<HttpUrl> parse_http_url(std::string_view url, std::string_view method, std::string& error);

// The request as LuatOS writes it: the request line, `Connection: Close` unless a header named
// Connection* was given, `Host: host:port` unless a Host/host header was given, the Authorization of
// a user:password URL, the script's headers in the order given, then the body.
struct HttpRequestHead {
    std::string method;
    HttpUrl url;
    std::vector<std::pair<std::string, std::string>> headers;  // already filtered as LuatOS does
    bool custom_host = false;        // a header named Host or host was given (even an empty one)
    bool custom_connection = false;  // a header whose name starts with Connection (any case)
};
std::string build_http_request(const HttpRequestHead& head, std::span<const std::uint8_t> body);

class HttpExchange {
  public:
    // LuatOS's receive buffer (HTTP_RESP_BUFF_SIZE): headers must fit in it.
    static constexpr std::size_t kReceiveBuffer = 8192;

    enum class Progress { kMore, kFinished };

    explicit HttpExchange(HttpBodySink* sink);  // nullptr: the body is kept in memory
    HttpExchange(const HttpExchange&) = delete;
    HttpExchange& operator=(const HttpExchange&) = delete;

    // Where the next received bytes go (read at most this many), then received(n).
    [[nodiscard]] std::span<std::uint8_t> receive_space();
    // kFinished: the result is known (ok or an error); the caller closes the connection.
    Progress received(std::size_t n);
    // The server closed the connection or it failed (`failed`: a reset, an error after connect).
    void closed(bool failed);
    // The connection could not be made (DNS, refused, TLS): kConnect.
    void connect_failed() { finish(HttpError::kConnect); }
    // The request's timer expired; the code is kTimeout unless an error was already recorded.
    void timed_out() { finish(HttpError::kTimeout); }

    [[nodiscard]] bool finished() const { return finished_; }
    // After finished(): kOk, or the failure.
    [[nodiscard]] HttpError result() const { return result_; }
    [[nodiscard]] int status() const { return parser_.status_code; }
    // The response headers in arrival order, as LuatOS hands them to Lua.
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
    [[nodiscard]] const std::string& body() const { return body_; }
    [[nodiscard]] std::size_t body_length() const { return body_len_; }
    // The Content-Length header's value (0 without one), as LuatOS's callback gets it.
    [[nodiscard]] long content_length() const { return content_len_; }
    [[nodiscard]] bool headers_complete() const { return headers_complete_; }

    // Progress notices for the `callback` option: once when the headers are complete, then after
    // every piece of body, each with the body length so far. Taken (and cleared) by the caller.
    std::vector<std::size_t> take_progress() { return std::exchange(progress_, {}); }

  private:
    static int on_header_field(http_parser* p, const char* at, std::size_t len);
    static int on_header_value(http_parser* p, const char* at, std::size_t len);
    static int on_headers_complete(http_parser* p);
    static int on_body(http_parser* p, const char* at, std::size_t len);
    static int on_message_complete(http_parser* p);
    static int on_chunk_header(http_parser* p);

    void try_finish_if_body_complete();
    void finish(HttpError code);
    [[nodiscard]] bool chunked() const { return (parser_.flags & F_CHUNKED) != 0; }

    HttpBodySink* sink_;
    http_parser parser_{};
    http_parser_settings settings_{};
    std::vector<std::uint8_t> buffer_;
    std::size_t buffered_ = 0;
    bool headers_seen_ = false;  // the end of the headers is in the buffer (resp_headers_done)
    bool headers_complete_ = false;
    bool body_final_ = false;   // http_body_is_finally
    bool length_next_ = false;  // the header being read is Content-Length
    long content_len_ = 0;
    std::size_t body_len_ = 0;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::string body_;
    std::vector<std::size_t> progress_;
    HttpError error_ = HttpError::kOk;  // the first error recorded (http_ctrl->error_code)
    HttpError result_ = HttpError::kOk;
    bool finished_ = false;
};

}  // namespace lua_bindings
