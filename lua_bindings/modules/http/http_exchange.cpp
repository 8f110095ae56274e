// docs/modules/http.md, "The exchange": each rule here is one of luat_http_client.c's.
#include "lua_bindings/modules/http/http_exchange.hpp"

#include <strings.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "lua_bindings/modules/codec/base64.hpp"

namespace lua_bindings {

namespace {

HttpExchange& self(http_parser* p) {
    return *static_cast<HttpExchange*>(p->data);
}

constexpr std::size_t kMaxHost = 255;
constexpr std::size_t kMaxAuth = 128;

}  // namespace

std::optional<HttpUrl> parse_http_url(std::string_view url, std::string_view method, std::string& error) {
    if (method != "POST" && method != "GET" && method != "PUT" && method != "DELETE" && method != "PATCH") {
        error = "NOT SUPPORT " + std::string(method);
        return std::nullopt;
    }
    HttpUrl out;
    std::string_view rest;
    if (url.starts_with("https://")) {
        out.tls = true;
        rest = url.substr(8);
    } else if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else {
        error = "only http/https supported " + std::string(url);
        return std::nullopt;
    }
    rest = rest.substr(0, ::strnlen(rest.data(), rest.size()));  // a C string on LuatOS
    if (rest.size() < 5) {
        error = "url too short " + std::string(url);
        return std::nullopt;
    }
    const std::size_t slash = rest.find('/');
    if (slash != std::string_view::npos && slash > kMaxHost) {
        error = "host too long " + std::string(url);
        return std::nullopt;
    }
    std::string host(rest.substr(0, slash));
    out.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (host.size() > kMaxHost) {  // LuatOS's 256-byte buffer
        error = "host too long " + std::string(url);
        return std::nullopt;
    }
    if (host.empty()) {
        error = "host not found " + std::string(url);
        return std::nullopt;
    }
    // user:password@ within the first 128 bytes
    for (std::size_t i = 1; i < std::min(host.size(), kMaxAuth); ++i) {
        if (host[i] == '@') {
            out.auth = host.substr(0, i);
            host.erase(0, i + 1);
            break;
        }
    }
    long port = 0;
    if (!host.empty() && host[0] == '[') {
        const std::size_t close = host.find(']', 1);
        if (close != std::string::npos) {
            const std::size_t colon = host.find(':', close);
            if (colon != std::string::npos) port = std::atol(host.c_str() + colon + 1);
            host = host.substr(1, close - 1);
        }
    } else {
        const std::size_t colon = host.find(':', 1);
        if (colon != std::string::npos) {
            port = std::atol(host.c_str() + colon + 1);
            host.resize(colon);
        }
    }
    // remote_port is a uint16_t on LuatOS: atoi's value is truncated, 0 gives the scheme's port.
    out.port = static_cast<std::uint16_t>(port);
    if (out.port == 0) out.port = out.tls ? 443 : 80;
    out.host = std::move(host);
    return out;
}

std::string build_http_request(const HttpRequestHead& head, std::span<const std::uint8_t> body) {
    std::string out = head.method + " " + head.url.path + " HTTP/1.1\r\n";
    if (!head.custom_connection) out += "Connection: Close\r\n";
    if (!head.custom_host) out += "Host: " + head.url.host + ":" + std::to_string(head.url.port) + "\r\n";
    if (!head.url.auth.empty()) {
        out += "Authorization: Basic " + base64_encode(head.url.auth) + "\r\n";
    }
    for (const auto& [name, value] : head.headers)
        out += name + ": " + value + "\r\n";
    out += "\r\n";
    out.append(reinterpret_cast<const char*>(body.data()), body.size());
    return out;
}

HttpExchange::HttpExchange(HttpBodySink* sink) : sink_(sink), buffer_(kReceiveBuffer) {
    http_parser_init(&parser_, HTTP_RESPONSE);
    parser_.data = this;
    http_parser_settings_init(&settings_);
    settings_.on_header_field = on_header_field;
    settings_.on_header_value = on_header_value;
    settings_.on_headers_complete = on_headers_complete;
    settings_.on_body = on_body;
    settings_.on_message_complete = on_message_complete;
    settings_.on_chunk_header = on_chunk_header;
}

std::span<std::uint8_t> HttpExchange::receive_space() {
    if (finished_ || error_ != HttpError::kOk) return {};
    // LuatOS keeps one byte of its buffer for a terminating NUL.
    return std::span(buffer_).subspan(buffered_, kReceiveBuffer - 1 - buffered_);
}

HttpExchange::Progress HttpExchange::received(std::size_t n) {
    if (finished_) return Progress::kFinished;
    buffered_ += n;
    if (!headers_seen_ && buffered_ > 4) {
        // LuatOS looks for \r\n\r\n, \n\n or \r\r before it parses anything.
        const std::uint8_t* b = buffer_.data();
        for (std::size_t i = 0; i + 1 < buffered_; ++i) {
            if ((i + 3 < buffered_ && b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' &&
                 b[i + 3] == '\n') ||
                (b[i] == '\n' && b[i + 1] == '\n') || (b[i] == '\r' && b[i + 1] == '\r')) {
                headers_seen_ = true;
                break;
            }
        }
    }
    if (headers_seen_ && HTTP_PARSER_ERRNO(&parser_) == HPE_OK) {
        const std::size_t parsed = http_parser_execute(
            &parser_, &settings_, reinterpret_cast<const char*>(buffer_.data()), buffered_);
        if (HTTP_PARSER_ERRNO(&parser_) == HPE_OK || finished_) {
            if (parsed >= buffered_) {
                buffered_ = 0;
            } else {
                std::memmove(buffer_.data(), buffer_.data() + parsed, buffered_ - parsed);
                buffered_ -= parsed;
            }
        }
    }
    if (!finished_ && buffered_ >= kReceiveBuffer - 1) {
        // A header block (or a piece the parser refused) that fills the buffer: LuatOS gives up on
        // the data and reports kRx once the connection ends.
        if (error_ == HttpError::kOk) error_ = body_final_ ? HttpError::kOk : HttpError::kRx;
    }
    return finished_ ? Progress::kFinished : Progress::kMore;
}

void HttpExchange::closed(bool failed) {
    if (finished_) return;
    if (failed && error_ == HttpError::kOk) error_ = HttpError::kClose;
    if (chunked() && !body_final_) {
        // A chunked body cut short: what is left in the buffer is parsed, and what arrived counts.
        if (HTTP_PARSER_ERRNO(&parser_) == HPE_OK && buffered_ > 0)
            http_parser_execute(&parser_, &settings_, reinterpret_cast<const char*>(buffer_.data()),
                                buffered_);
        if (finished_) return;
        body_final_ = true;
    }
    if (!body_final_ && content_len_ >= 0 && headers_complete_) body_final_ = true;
    if (body_final_) {
        if (sink_ != nullptr) sink_->finish(status());
        if (error_ == HttpError::kClose) error_ = HttpError::kOk;
    } else if (error_ == HttpError::kOk) {
        error_ = HttpError::kClose;
    }
    finish(HttpError::kOk);
}

void HttpExchange::finish(HttpError code) {
    if (finished_) return;
    finished_ = true;
    result_ = error_ != HttpError::kOk ? error_ : code;
}

void HttpExchange::try_finish_if_body_complete() {
    if (finished_ || !headers_complete_ || !body_final_) return;
    if (sink_ != nullptr) sink_->finish(status());
    if (error_ == HttpError::kClose) error_ = HttpError::kOk;
    finish(HttpError::kOk);
}

int HttpExchange::on_header_field(http_parser* p, const char* at, std::size_t len) {
    HttpExchange& x = self(p);
    if (x.headers_complete_) return 0;
    if (::strncasecmp(at, "Content-Length", std::min<std::size_t>(len, 14)) == 0 && len >= 14 &&
        x.content_len_ == 0) {
        x.length_next_ = true;
    }
    x.headers_.emplace_back(std::string(at, len), std::string());
    return 0;
}

int HttpExchange::on_header_value(http_parser* p, const char* at, std::size_t len) {
    HttpExchange& x = self(p);
    if (x.headers_complete_ || x.headers_.empty()) return 0;
    if (x.length_next_) {
        x.length_next_ = false;
        const std::string digits(at, std::min<std::size_t>(len, 31));
        x.content_len_ = std::atol(digits.c_str());
    }
    x.headers_.back().second.append(at, len);
    return 0;
}

int HttpExchange::on_headers_complete(http_parser* p) {
    HttpExchange& x = self(p);
    if (x.headers_complete_) return 0;
    if (x.sink_ != nullptr) x.sink_->begin();
    x.headers_complete_ = true;
    // No (or a zero) Content-Length: the body counts as complete already (see on_body).
    if (x.content_len_ <= 0) x.body_final_ = true;
    x.progress_.push_back(x.body_len_);
    return 0;
}

int HttpExchange::on_body(http_parser* p, const char* at, std::size_t len) {
    HttpExchange& x = self(p);
    if (x.finished_) return 0;
    const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(at), len);
    if (x.sink_ != nullptr) {
        if (!x.sink_->write(bytes)) {
            x.error_ = HttpError::kDownload;
            return -1;
        }
    } else {
        x.body_.append(at, len);
    }
    x.body_len_ += len;
    x.progress_.push_back(x.body_len_);
    // Without chunks the body is complete once Content-Length bytes came; without a Content-Length
    // that is the first piece (LuatOS's resp_content_len stays 0).
    if (!x.chunked() && x.content_len_ >= 0 && x.body_len_ >= static_cast<std::size_t>(x.content_len_)) {
        x.body_final_ = true;
        x.try_finish_if_body_complete();
    }
    return 0;
}

int HttpExchange::on_message_complete(http_parser* p) {
    self(p).try_finish_if_body_complete();
    return 0;
}

int HttpExchange::on_chunk_header(http_parser* p) {
    if (p->content_length == 0) self(p).body_final_ = true;
    return 0;
}

}  // namespace lua_bindings
