#include "platform_air780ep/tls/tls_stream.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <utility>

#include "platform_air780ep/tls/ip_san.hpp"
#include "platform_air780ep/tls/tls_text.hpp"

namespace platform_air780ep {

namespace {

using luat_mqtt::TransportError;

// Decrypted bytes kept for the reader before we stop pulling records from the inner stream: what is
// not read stays in the inner stream and holds back the peer, as with plain TCP. mbedTLS itself
// holds at most the rest of one record on top of this.
constexpr std::size_t kPlainHighWater = 4096;
constexpr std::size_t kDefaultRecordPayload = MBEDTLS_SSL_OUT_CONTENT_LEN;

bool would_block(int ret) {
    return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE;
}

}  // namespace

TlsStream::TlsStream(sys_task::EventLoop& loop, std::shared_ptr<const TlsConfig> config,
                     std::unique_ptr<luat_mqtt::Transport> inner)
    : loop_(loop), config_(std::move(config)), inner_(std::move(inner)) {
    mbedtls_ssl_init(&ssl_);
    inner_->set_listener(this);
}

TlsStream::~TlsStream() {
    *alive_ = false;
    close();
    mbedtls_ssl_free(&ssl_);
}

bool TlsStream::open(std::string_view host, std::uint16_t port) {
    if (state_ == State::kClosed) close();
    if (state_ != State::kIdle) return false;
    if (host.find('\0') != std::string_view::npos) return false;
    ++session_;
    reset_session();
    if (mbedtls_ssl_setup(&ssl_, config_->ssl_config()) != 0) return false;  // out of memory
    host_.assign(host);
    // Always: it is the SNI, and without it mbedTLS 2.28 silently skips the name check.
    if (mbedtls_ssl_set_hostname(&ssl_, host_.c_str()) != 0) {
        reset_session();
        return false;
    }
    host_ip_ = parse_ip_literal(host_);
    mbedtls_ssl_set_bio(&ssl_, this, &TlsStream::bio_send, &TlsStream::bio_recv, nullptr);
    mbedtls_ssl_set_verify(&ssl_, &TlsStream::verify_certificate, this);
    verify_warning_.clear();
    state_ = State::kConnecting;
    if (!inner_->open(host, port)) {
        state_ = State::kIdle;
        reset_session();
        return false;
    }
    return true;
}

void TlsStream::close() {
    ++session_;  // drops a posted failure report
    if (state_ == State::kOpen) {
        // Best effort: queued behind any record still pending; the inner close flushes what it has.
        mbedtls_ssl_close_notify(&ssl_);
    }
    if (state_ != State::kIdle) inner_->close();
    reset_session();
    state_ = State::kIdle;
}

bool TlsStream::is_open() const {
    return state_ == State::kConnecting || state_ == State::kHandshaking || state_ == State::kOpen ||
           state_ == State::kEnding;
}

void TlsStream::reset_session() {
    mbedtls_ssl_free(&ssl_);
    mbedtls_ssl_init(&ssl_);
    plain_.clear();
    plain_.shrink_to_fit();
    plain_head_ = 0;
    pending_record_.clear();
    pending_record_.shrink_to_fit();
    ending_.reset();
    owner_waits_writable_ = false;
    input_waits_writable_ = false;
}

std::string TlsStream::session_description() const {
    if (state_ != State::kOpen) return {};
    return std::string(mbedtls_ssl_get_version(&ssl_)) + " " + mbedtls_ssl_get_ciphersuite(&ssl_);
}

// ---- the BIO over the inner stream ----

int TlsStream::bio_send(void* self, const unsigned char* buf, std::size_t len) {
    auto* stream = static_cast<TlsStream*>(self);
    const std::size_t n = stream->inner_->write({buf, std::min<std::size_t>(len, INT_MAX)});
    return n == 0 ? MBEDTLS_ERR_SSL_WANT_WRITE : static_cast<int>(n);
}

int TlsStream::bio_recv(void* self, unsigned char* buf, std::size_t len) {
    auto* stream = static_cast<TlsStream*>(self);
    const std::size_t n = stream->inner_->read({buf, std::min<std::size_t>(len, INT_MAX)});
    return n == 0 ? MBEDTLS_ERR_SSL_WANT_READ : static_cast<int>(n);
}

int TlsStream::verify_certificate(void* self, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags) {
    const auto* stream = static_cast<const TlsStream*>(self);
    // mbedTLS 2.28 matches the host only against dNSName entries and the CN; an IP literal host is
    // matched here against the iPAddress entries (RFC 6125), so a broker reached by address verifies.
    if (depth == 0 && stream->host_ip_ && (*flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) != 0 &&
        certificate_has_ip_san(*crt, *stream->host_ip_)) {
        *flags &= ~static_cast<std::uint32_t>(MBEDTLS_X509_BADCERT_CN_MISMATCH);
    }
    return 0;
}

// ---- the handshake ----

void TlsStream::on_transport_connected() {
    if (state_ != State::kConnecting) return;
    state_ = State::kHandshaking;
    continue_handshake();
}

void TlsStream::continue_handshake() {
    const int ret = mbedtls_ssl_handshake(&ssl_);
    if (would_block(ret)) return;  // resumed by the inner stream's readable/writable callback
    if (ret != 0) {
        fail_now(TransportError::kTlsHandshake, handshake_failure_text(ret));
        return;
    }
    state_ = State::kOpen;
    if (config_->verify() == TlsVerify::kOptional) {
        verify_warning_ = verify_flags_text(mbedtls_ssl_get_verify_result(&ssl_));
    }
    if (listener_ != nullptr) {
        const auto alive = alive_;
        const auto session = session_;
        listener_->on_transport_connected();
        if (!*alive || session != session_ || state_ != State::kOpen) return;
    }
    deliver_input();  // application data that came with the server's last flight
}

std::string TlsStream::handshake_failure_text(int ret) const {
    switch (ret) {
        case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
            return "server certificate rejected: " + verify_flags_text(mbedtls_ssl_get_verify_result(&ssl_));
        case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
            return received_alert_text();
        case MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED:
            return "no server_cert to check the server against (verify = 2): " + mbedtls_error_text(ret);
        default:
            return mbedtls_error_text(ret);
    }
}

std::string TlsStream::received_alert_text() const {
    // mbedTLS reports a fatal alert with one code; the alert itself is still in its input record.
    if (ssl_.in_msgtype == MBEDTLS_SSL_MSG_ALERT && ssl_.in_msglen >= 2 && ssl_.in_msg != nullptr) {
        return "the server sent alert " + alert_text(ssl_.in_msg[1]);
    }
    return "the server sent a fatal alert";
}

// ---- reading ----

std::size_t TlsStream::pump_input() {
    std::size_t added = 0;
    while (state_ == State::kOpen && !ending_ && plain_size() < kPlainHighWater) {
        if (plain_head_ > 0) {
            plain_.erase(plain_.begin(), plain_.begin() + static_cast<std::ptrdiff_t>(plain_head_));
            plain_head_ = 0;
        }
        const std::size_t old_size = plain_.size();
        const std::size_t room = kPlainHighWater - old_size;
        plain_.resize(old_size + room);
        const int ret = mbedtls_ssl_read(&ssl_, plain_.data() + old_size, room);
        plain_.resize(old_size + (ret > 0 ? static_cast<std::size_t>(ret) : 0));
        if (ret > 0) {
            added += static_cast<std::size_t>(ret);
        } else if (ret == MBEDTLS_ERR_SSL_WANT_READ) {
            break;  // no complete record in the inner stream: its next readable callback resumes
        } else if (ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            input_waits_writable_ = true;  // mbedTLS is sending something (an alert) while reading
            break;
        } else if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || ret == 0) {
            ending_ = Ending{TransportError::kPeerClosed, "the server closed the TLS session (close_notify)"};
        } else if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
            ending_ = Ending{TransportError::kReset, "TLS: " + received_alert_text()};
        } else {
            ending_ = Ending{TransportError::kReset, "TLS: " + mbedtls_error_text(ret)};
        }
    }
    return added;
}

void TlsStream::deliver_input() {
    if (pump_input() > 0 && listener_ != nullptr) {
        const auto alive = alive_;
        const auto session = session_;
        listener_->on_transport_readable();
        if (!*alive || session != session_ || state_ != State::kOpen) return;
    }
    if (ending_) {
        Ending ending = std::move(*ending_);
        ending_.reset();
        fail_now(ending.error, std::move(ending.detail));
    }
}

std::size_t TlsStream::read(std::span<std::uint8_t> out) {
    if (state_ != State::kOpen && state_ != State::kEnding) return 0;
    std::size_t n = 0;
    while (n < out.size()) {
        if (plain_size() == 0 && pump_input() == 0) break;
        const std::size_t take = std::min(plain_size(), out.size() - n);
        std::memcpy(out.data() + n, plain_.data() + plain_head_, take);
        plain_head_ += take;
        n += take;
    }
    // Refill now, so that readable() counts every complete record that has arrived: a reader that
    // stops when readable() is 0 must not leave a record waiting for a callback that never comes.
    pump_input();
    if (state_ == State::kOpen && ending_) {
        Ending ending = std::move(*ending_);
        ending_.reset();
        fail_later(ending.error, std::move(ending.detail));
    }
    return n;
}

std::size_t TlsStream::readable() const {
    if (state_ == State::kOpen) return plain_size() + mbedtls_ssl_get_bytes_avail(&ssl_);
    if (state_ == State::kEnding) return plain_size();
    return 0;
}

void TlsStream::on_transport_readable() {
    if (state_ == State::kHandshaking) {
        continue_handshake();
    } else if (state_ == State::kOpen) {
        deliver_input();
    }
}

// ---- writing ----

int TlsStream::flush_pending_record() {
    if (ssl_.out_left == 0) {
        pending_record_.clear();
        return 0;
    }
    // The same call again, as mbedTLS requires after WANT_WRITE; with nothing of ours pending (an
    // alert or close_notify is in the way) a zero-length write only flushes.
    const int ret = mbedtls_ssl_write(&ssl_, pending_record_.data(), pending_record_.size());
    if (ret < 0) return ret;
    pending_record_.clear();
    return 0;
}

std::size_t TlsStream::write(std::span<const std::uint8_t> data) {
    if (state_ != State::kOpen || data.empty()) return 0;
    if (const int ret = flush_pending_record(); ret != 0) {
        if (ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            owner_waits_writable_ = true;
        } else {
            fail_later(TransportError::kReset, "TLS write: " + mbedtls_error_text(ret));
        }
        return 0;
    }
    const int max_payload = mbedtls_ssl_get_max_out_record_payload(&ssl_);
    const std::size_t max_chunk =
        max_payload > 0 ? static_cast<std::size_t>(max_payload) : kDefaultRecordPayload;
    std::size_t accepted = 0;
    while (accepted < data.size()) {
        const auto chunk = data.subspan(accepted, std::min(max_chunk, data.size() - accepted));
        const int ret = mbedtls_ssl_write(&ssl_, chunk.data(), chunk.size());
        if (ret > 0) {
            accepted += static_cast<std::size_t>(ret);
            continue;
        }
        if (ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            if (ssl_.out_left > 0) {
                // The record is built and partly handed over: the bytes are ours to finish sending.
                pending_record_.assign(chunk.begin(), chunk.end());
                accepted += chunk.size();
            }
            break;
        }
        fail_later(TransportError::kReset, "TLS write: " + mbedtls_error_text(ret));
        return accepted;
    }
    if (accepted < data.size()) owner_waits_writable_ = true;
    return accepted;
}

std::size_t TlsStream::writable() const {
    if (state_ != State::kOpen || ssl_.out_left != 0) return 0;
    const int max_payload = mbedtls_ssl_get_max_out_record_payload(&ssl_);
    return max_payload > 0 ? static_cast<std::size_t>(max_payload) : kDefaultRecordPayload;
}

std::size_t TlsStream::unsent() const {
    if (state_ == State::kIdle || state_ == State::kClosed) return 0;
    return ssl_.out_left + inner_->unsent();
}

void TlsStream::on_transport_writable() {
    if (state_ == State::kHandshaking) {
        continue_handshake();
        return;
    }
    if (state_ != State::kOpen) return;
    if (const int ret = flush_pending_record(); ret != 0) {
        if (ret != MBEDTLS_ERR_SSL_WANT_WRITE)
            fail_now(TransportError::kReset, "TLS write: " + mbedtls_error_text(ret));
        return;
    }
    const auto alive = alive_;
    const auto session = session_;
    if (input_waits_writable_) {
        input_waits_writable_ = false;
        deliver_input();
        if (!*alive || session != session_ || state_ != State::kOpen) return;
    }
    if (owner_waits_writable_ && listener_ != nullptr) {
        owner_waits_writable_ = false;
        listener_->on_transport_writable();
    }
}

// ---- the end ----

void TlsStream::on_transport_closed(TransportError error, std::string_view detail) {
    switch (state_) {
        case State::kConnecting:
            fail_now(error, std::string(detail));
            break;
        case State::kHandshaking:
            if (error == TransportError::kPeerClosed || error == TransportError::kReset) {
                fail_now(TransportError::kTlsHandshake,
                         "the connection closed during the TLS handshake (" + std::string(detail) + ")");
            } else {
                fail_now(error, std::string(detail));
            }
            break;
        case State::kOpen:
            fail_now(error, std::string(detail));
            break;
        case State::kIdle:
        case State::kEnding:  // we closed it ourselves
        case State::kClosed:
            break;
    }
}

void TlsStream::fail_now(TransportError error, std::string detail) {
    state_ = State::kClosed;
    inner_->close();  // flushes what mbedTLS queued (an alert) on a best-effort basis
    reset_session();
    if (listener_ != nullptr) listener_->on_transport_closed(error, detail);  // may destroy us: last
}

void TlsStream::fail_later(TransportError error, std::string detail) {
    state_ = State::kEnding;  // the reader may still take the plaintext already decrypted
    inner_->close();
    loop_.post([this, alive = alive_, session = session_, error, detail = std::move(detail)] {
        if (!*alive || session != session_ || state_ != State::kEnding) return;
        state_ = State::kClosed;
        reset_session();
        if (listener_ != nullptr) listener_->on_transport_closed(error, detail);
    });
}

}  // namespace platform_air780ep
