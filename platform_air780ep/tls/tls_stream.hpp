// TlsStream: TLS 1.2 (mbedTLS) as a Transport that decorates another Transport (host TCP socket,
// lwIP TCP...). The MQTT engine drives it exactly like a plain stream and never knows it is TLS.
//
// The handshake runs from the inner stream's callbacks over a non-blocking BIO (inner read/write;
// "would block" is MBEDTLS_ERR_SSL_WANT_READ/WRITE): it never blocks and never spins. The listener
// hears on_transport_connected() only once the handshake is done, readable/writable for plaintext,
// and on_transport_closed() once, with a detail that says why (the certificate verification flags,
// the alert the server sent, mbedTLS's error text...).
//
// When the server ends the session (close_notify, a fatal alert), the plaintext that came before it
// is announced first (on_transport_readable) and stays readable until on_transport_closed(), which
// follows once that callback returns (or, if the end is found inside read(), from the event loop).
//
// Contract with the inner stream (the Transport one, plus): it must tolerate close() called from
// inside its own listener callbacks, and being destroyed from inside them (our listener may destroy
// us on on_transport_closed). It reports the bytes it received (readable) before it reports the end
// of the stream (closed), as a TCP stream naturally does.
#pragma once

#include <mbedtls/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "luat_mqtt/transport.hpp"
#include "platform_air780ep/tls/tls_config.hpp"
#include "sys_task/event_loop.hpp"

namespace platform_air780ep {

class TlsStream final : public luat_mqtt::Transport, private luat_mqtt::TransportListener {
  public:
    // `loop` is used only to report a failure found inside read()/write() (no callback may run
    // inside a call the owner made); `config` is shared with the client's other connections.
    TlsStream(sys_task::EventLoop& loop, std::shared_ptr<const TlsConfig> config,
              std::unique_ptr<luat_mqtt::Transport> inner);
    ~TlsStream() override;
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    // luat_mqtt::Transport
    void set_listener(luat_mqtt::TransportListener* listener) override { listener_ = listener; }
    // `host` is the TLS server name (SNI) and, unless verify is 0, the name the certificate must
    // carry (a dNSName/CN, or an iPAddress entry for an IP literal); it is also what the inner
    // stream connects to.
    bool open(std::string_view host, std::uint16_t port) override;
    // Plaintext in, TLS records out: one record per max-size chunk. A record that the inner stream
    // takes only in part is kept and finished first (mbedTLS's partial-record rule), so bytes
    // accepted here are always sent, in order.
    std::size_t write(std::span<const std::uint8_t> data) override;
    [[nodiscard]] std::size_t writable() const override;
    // Plaintext not yet handed to the inner stream, plus what the inner stream has not sent.
    [[nodiscard]] std::size_t unsent() const override;
    std::size_t read(std::span<std::uint8_t> out) override;
    // Decrypted bytes ready now, including what mbedTLS holds of a record read in part.
    [[nodiscard]] std::size_t readable() const override;
    // Sends close_notify (best effort) and closes the inner stream. No callback follows.
    void close() override;
    // From open() until close() or on_transport_closed(): while open() would refuse.
    [[nodiscard]] bool is_open() const override;

    // Set when the handshake succeeded at verify 1 although the certificate did not verify: the
    // verification flags as text ("The certificate Common Name (CN) does not match with the expected
    // CN"), for a warning line. Empty otherwise; cleared by open().
    [[nodiscard]] const std::string& verify_warning() const { return verify_warning_; }
    // "TLSv1.2 TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384" once connected, empty before.
    [[nodiscard]] std::string session_description() const;

  private:
    enum class State {
        kIdle,         // never opened, or close()d
        kConnecting,   // the inner stream is connecting
        kHandshaking,  // TLS handshake in progress
        kOpen,         // usable
        kEnding,       // failed inside read()/write(): the report is posted to the loop
        kClosed,       // on_transport_closed() was delivered
    };
    struct Ending {
        luat_mqtt::TransportError error;
        std::string detail;
    };

    // luat_mqtt::TransportListener, for the inner stream
    void on_transport_connected() override;
    void on_transport_readable() override;
    void on_transport_writable() override;
    void on_transport_closed(luat_mqtt::TransportError error, std::string_view detail) override;

    static int bio_send(void* self, const unsigned char* buf, std::size_t len);
    static int bio_recv(void* self, unsigned char* buf, std::size_t len);
    static int verify_certificate(void* self, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags);

    void reset_session();
    void continue_handshake();
    [[nodiscard]] std::string handshake_failure_text(int ret) const;
    [[nodiscard]] std::string received_alert_text() const;
    // Decrypt into plain_ up to the high-water mark; records a terminal condition in ending_.
    // Returns how many plaintext bytes it added.
    std::size_t pump_input();
    // From an inner callback: decrypt, tell the listener, end the stream if the peer ended it.
    void deliver_input();
    // Finish a record the inner stream took in part: 0 when nothing is left pending,
    // MBEDTLS_ERR_SSL_WANT_WRITE while the inner stream is full, another mbedTLS error on failure.
    int flush_pending_record();
    [[nodiscard]] std::size_t plain_size() const { return plain_.size() - plain_head_; }
    // End the stream from an inner callback (reports at once) or from an owner call (posts).
    void fail_now(luat_mqtt::TransportError error, std::string detail);
    void fail_later(luat_mqtt::TransportError error, std::string detail);

    sys_task::EventLoop& loop_;
    std::shared_ptr<const TlsConfig> config_;
    std::unique_ptr<luat_mqtt::Transport> inner_;
    luat_mqtt::TransportListener* listener_ = nullptr;
    // Set to false by the destructor; callbacks that may destroy us hold a copy and check it.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::uint64_t session_ =
        0;  // bumped by open() and close(): a posted report for an old session is dropped

    State state_ = State::kIdle;
    mbedtls_ssl_context ssl_;
    std::string host_;
    std::optional<std::vector<std::uint8_t>> host_ip_;  // host as address bytes when it is an IP literal
    std::string verify_warning_;

    std::vector<std::uint8_t> plain_;  // decrypted, not yet read: [plain_head_, size)
    std::size_t plain_head_ = 0;
    std::optional<Ending> ending_;  // the peer ended the stream (close_notify, alert...) during pump_input()

    // The plaintext of a record mbedTLS has encrypted but the inner stream took only in part: mbedTLS
    // requires the same write to be repeated until it completes.
    std::vector<std::uint8_t> pending_record_;
    bool owner_waits_writable_ = false;  // write() accepted less than asked: owe on_transport_writable()
    bool input_waits_writable_ = false;  // mbedTLS needed to send while reading (an alert): retry on writable
};

}  // namespace platform_air780ep
