// The FTP client of LuatOS's ftp module, sans-IO: replies in, commands and data-connection requests
// out, and the result LuatOS hands to the `.wait()` object (docs/modules/ftp.md). No sockets, no
// files, no timers, no Lua: the glue (ftp_module.cpp) owns the control and data streams and feeds
// what happens on them here.
//
// LuatOS's rules kept here (read from components/network/libftp/luat_ftp_client.c):
//  * login: the greeting must be 220, USER must answer 331, PASS 230; any other reply fails the login;
//  * every transfer (LIST, RETR, STOR) is passive: PASV, the reply must be 227, and an address that
//    does not route (10., 172., 192., 0., 127.0.0.1, 169.254.0.0/16) is replaced by the login host;
//  * RETR is preceded by SIZE; STOR's data connection is closed once the file is sent;
//  * a command's result is its reply as received (CR LF included), whatever its code; LIST's is the
//    listing; a pull or push gives true; QUIT gives the 221 reply; any failure gives false.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace lua_bindings {

// LuatOS's FTP_ERROR_* codes (luat_ftp.h), as a failed call's wait() gives them.
enum class FtpError : int {
    kState = -1,
    kConnect = -4,
    kFile = -8,
    kNoMemory = -9,
    kHostLength = -20,
    kUserLength = -21,
    kPasswordLength = -22,
    kTls = -24,
};

// The commands ftp.command accepts (luat_ftp_command), by their first 3 or 4 bytes: the name its
// debug line gives ("command: <name>"), nullopt for one it refuses.
std::optional<std::string_view> ftp_command_log_name(std::string_view command);
// The line LuatOS sends for it: "<command>\r\n" cut to its 128-byte buffer (NUL included).
std::string ftp_command_line(std::string_view command);

// One complete reply: its code (the first 3 bytes) and the whole text, CR LF included.
struct FtpReply {
    std::string code;
    std::string text;
};

// Complete replies out of the control stream's bytes (single-line "xyz text" and multi-line
// "xyz-..." up to "xyz text").
class FtpReplyReader {
  public:
    void feed(std::string_view bytes);
    std::optional<FtpReply> next();

  private:
    std::string buffer_;
};

// The host and port of a 227 reply "(h1,h2,h3,h4,p1,p2)"; nullopt when it is not one.
struct FtpPassive {
    std::string host;
    std::uint16_t port = 0;
};
std::optional<FtpPassive> ftp_parse_passive(std::string_view reply);
// LuatOS's list of addresses it does not connect to, using the login host instead.
bool ftp_unroutable(std::string_view host);

class FtpClient {
  public:
    enum class Op { kLogin, kCommand, kPull, kPush, kClose };
    enum class ResultKind { kFalse, kTrue, kText };

    struct Action {
        enum class Kind {
            kSend,         // write `text` on the control connection
            kOpenData,     // open the data connection to host:port
            kCloseData,    // close the data connection
            kStartUpload,  // send the local file on the data connection, then call upload_done()
            kLog,          // log `text` at `level` ('E', 'W' or 'D' (debug only)) under the tag "ftp"
            kDone,         // the operation ended: `result` (and `text` for kText)
            kRelease,      // the session is over: close both connections, give their channels back
        };
        Kind kind;
        std::string text;
        std::uint16_t port = 0;
        char level = 'D';
        ResultKind result = ResultKind::kFalse;
    };

    // `host`: the login address (what an unroutable passive address is replaced with).
    FtpClient(std::string host, std::string username, std::string password);

    // ---- from the glue -------------------------------------------------------------------------------
    // The control connection is up (the glue opened it for the login) or could not be made.
    void control_connected();
    void control_failed(int code);
    void control_bytes(std::string_view bytes);
    // The server closed the control connection (or it failed) after it was up.
    void control_closed();
    // An operation the script started (false: one is in flight, LuatOS's "last cmd not finish").
    bool start_command(std::string command);
    bool start_pull(std::string remote);
    bool start_push(std::string remote, std::size_t local_size);
    // ftp.close(): taken when the operation in flight (if any) ends, as LuatOS's loop does.
    void start_close();
    void data_connected();
    void data_failed();
    void data_bytes(std::string_view bytes);
    void data_closed();
    // kStartUpload's file is sent and acknowledged: `sent` bytes.
    void upload_done(std::size_t sent);
    // The reply or connection awaited did not come in time (LuatOS's FTP_SOCKET_TIMEOUT).
    void timed_out();

    // ---- to the glue ---------------------------------------------------------------------------------
    std::deque<Action> take_actions() { return std::exchange(actions_, {}); }
    [[nodiscard]] bool busy() const { return step_ != Step::kIdle && step_ != Step::kOver; }
    [[nodiscard]] bool over() const { return step_ == Step::kOver; }
    // Bytes received on the data connection of the pull in flight.
    [[nodiscard]] std::size_t downloaded() const { return downloaded_; }

  private:
    enum class Step {
        kGreeting,
        kUser,
        kPass,
        kIdle,
        kSize,
        kPasv,
        kDataConnect,
        kTransferStart,  // awaiting 150/125 to LIST / RETR / STOR
        kUploading,
        kTransferEnd,  // awaiting 226 and the data connection's end
        kReply,        // awaiting a plain command's reply
        kQuit,
        kBroken,  // the control connection ended: the next operation releases the session
        kOver,
    };

    void on_reply(const FtpReply& reply);
    void send(std::string line);
    void log(char level, std::string text);
    void done(ResultKind kind, std::string text = {});
    void fail_operation();
    void fail_login(const std::string& why);
    void begin_passive();
    void transfer_started(const FtpReply& reply);
    void maybe_transfer_end();
    void after_operation();
    void begin_quit();
    bool refuse_busy(int request);

    std::string host_;
    std::string username_;
    std::string password_;
    Step step_ = Step::kGreeting;
    Op op_ = Op::kLogin;
    std::string command_;  // the line sent (kCommand), or the remote name (kPull, kPush)
    std::size_t local_size_ = 0;
    std::size_t remote_size_ = 0;
    std::size_t downloaded_ = 0;
    std::string listing_;
    bool data_open_ = false;
    bool got_226_ = false;
    bool data_ended_ = false;
    bool close_requested_ = false;
    FtpReplyReader reader_;
    std::deque<Action> actions_;
};

}  // namespace lua_bindings
