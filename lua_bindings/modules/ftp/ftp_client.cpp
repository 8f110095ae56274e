// docs/modules/ftp.md, "The session": each rule here is one of luat_ftp_client.c's.
#include "lua_bindings/modules/ftp/ftp_client.hpp"

#include <array>
#include <cstdlib>
#include <utility>

namespace lua_bindings {

namespace {

constexpr std::size_t kCommandBuffer = 128;  // FTP_CMD_SEND_MAX, the terminating NUL included

// snprintf into LuatOS's command buffer: what does not fit is cut.
std::string fit_line(std::string line) {
    if (line.size() > kCommandBuffer - 1) line.resize(kCommandBuffer - 1);
    return line;
}

// LuatOS's string2int: an optional '-', then the digits up to the first other byte.
std::size_t leading_number(std::string_view text) {
    bool negative = false;
    if (!text.empty() && text[0] == '-') {
        negative = true;
        text.remove_prefix(1);
    }
    long long value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') break;
        value = value * 10 + (c - '0');
    }
    return static_cast<std::size_t>(negative ? -value : value);
}

}  // namespace

std::optional<std::string_view> ftp_command_log_name(std::string_view command) {
    // luat_ftp_command's checks, in its order; its debug line for PWD names RMD.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kKnown{{
        {"NOOP", "NOOP"},
        {"SYST", "SYST"},
        {"MKD", "MKD"},
        {"CWD", "CWD"},
        {"CDUP", "CDUP"},
        {"RMD", "RMD"},
        {"PWD", "RMD"},
        {"DELE", "DELE"},
        {"TYPE", "TYPE"},
        {"SIZE", "SIZE"},
        {"LIST", "LIST"},
    }};
    for (const auto& [prefix, name] : kKnown) {
        if (command.starts_with(prefix)) return name;
    }
    return std::nullopt;
}

std::string ftp_command_line(std::string_view command) {
    return fit_line(std::string(command) + "\r\n");
}

void FtpReplyReader::feed(std::string_view bytes) {
    buffer_.append(bytes);
}

std::optional<FtpReply> FtpReplyReader::next() {
    // A reply ends with the line that starts with its code and a space (RFC 959 4.2); a first line
    // without the '-' is the whole reply.
    std::size_t start = 0;
    std::string code;
    while (true) {
        const std::size_t eol = buffer_.find('\n', start);
        if (eol == std::string::npos) return std::nullopt;
        const std::string_view line(buffer_.data() + start, eol - start);
        if (start == 0) {
            code = std::string(line.substr(0, 3));
            if (line.size() < 4 || line[3] != '-') break;
        } else if (line.size() >= 4 && line.substr(0, 3) == code && line[3] == ' ') {
            break;
        }
        start = eol + 1;
    }
    const std::size_t end = buffer_.find('\n', start) + 1;
    FtpReply reply{code, buffer_.substr(0, end)};
    buffer_.erase(0, end);
    return reply;
}

std::optional<FtpPassive> ftp_parse_passive(std::string_view reply) {
    const std::size_t open = reply.find('(');
    if (open == std::string_view::npos) return std::nullopt;
    const std::size_t close = reply.find(')', open);
    if (close == std::string_view::npos) return std::nullopt;
    std::array<std::string_view, 6> parts;
    std::string_view rest = reply.substr(open + 1, close - open - 1);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::size_t comma = rest.find(',');
        if ((i < 5) == (comma == std::string_view::npos)) return std::nullopt;
        parts[i] = rest.substr(0, comma);
        // LuatOS copies each number into a 4-byte buffer: at most 3 digits.
        if (parts[i].empty() || parts[i].size() > 3) return std::nullopt;
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    FtpPassive out;
    out.host = std::string(parts[0]) + "." + std::string(parts[1]) + "." + std::string(parts[2]) + "." +
               std::string(parts[3]);
    // port1 and port2 are uint8_t on LuatOS: atoi's value is truncated.
    const auto byte = [](std::string_view s) {
        return static_cast<std::uint8_t>(std::atoi(std::string(s).c_str()));
    };
    out.port = static_cast<std::uint16_t>(byte(parts[4]) * 256 + byte(parts[5]));
    return out;
}

bool ftp_unroutable(std::string_view host) {
    for (const std::string_view prefix :
         {"172.", "192.", "10.", "127.0.0.1", "169.254.0.0", "169.254.0.16", "0."}) {
        if (host.starts_with(prefix)) return true;
    }
    return false;
}

FtpClient::FtpClient(std::string host, std::string username, std::string password)
    : host_(std::move(host)), username_(std::move(username)), password_(std::move(password)) {}

void FtpClient::send(std::string line) {
    actions_.push_back(Action{Action::Kind::kSend, std::move(line)});
}

void FtpClient::log(char level, std::string text) {
    Action a{Action::Kind::kLog, std::move(text)};
    a.level = level;
    actions_.push_back(std::move(a));
}

void FtpClient::done(ResultKind kind, std::string text) {
    Action a{Action::Kind::kDone, std::move(text)};
    a.result = kind;
    actions_.push_back(std::move(a));
}

void FtpClient::control_connected() {
    // The greeting is awaited next.
}

void FtpClient::control_failed(int code) {
    if (step_ != Step::kGreeting) return;
    log('E', "ftp network_connect fail " + std::to_string(code));
    fail_login({});
}

void FtpClient::fail_login(const std::string& why) {
    if (!why.empty()) log('E', why);
    log('E', "ftp login fail");
    done(ResultKind::kFalse);
    actions_.push_back(Action{Action::Kind::kRelease, {}});
    step_ = Step::kOver;
}

void FtpClient::control_bytes(std::string_view bytes) {
    reader_.feed(bytes);
    while (step_ != Step::kOver) {
        std::optional<FtpReply> reply = reader_.next();
        if (!reply) break;
        on_reply(*reply);
    }
}

void FtpClient::on_reply(const FtpReply& reply) {
    switch (step_) {
        case Step::kGreeting:
            if (reply.code != "220") return fail_login("ftp connect error");
            log('D', "ftp connect ok");
            send(fit_line("USER " + username_ + "\r\n"));
            step_ = Step::kUser;
            return;
        case Step::kUser:
            if (reply.code != "331") return fail_login("ftp username wrong");
            log('D', "ftp username ok");
            send(fit_line("PASS " + password_ + "\r\n"));
            step_ = Step::kPass;
            return;
        case Step::kPass:
            if (reply.code != "230") return fail_login("ftp login wrong");
            log('D', "ftp login ok");
            done(ResultKind::kTrue);
            after_operation();
            return;
        case Step::kSize:
            if (reply.code == "213") remote_size_ = leading_number(std::string_view(reply.text).substr(4));
            begin_passive();
            return;
        case Step::kPasv: {
            if (reply.code != "227") {
                log('W', "ftp pasv_connect wrong " + reply.text);
                log(op_ == Op::kPull ? 'E' : 'D', "ftp pasv_connect fail");
                return fail_operation();
            }
            std::optional<FtpPassive> passive = ftp_parse_passive(reply.text);
            if (!passive) {
                log(op_ == Op::kPull ? 'E' : 'D', "ftp pasv_connect fail");
                return fail_operation();
            }
            log('D', "data_addr:" + passive->host + " data_port:" + std::to_string(passive->port));
            if (ftp_unroutable(passive->host)) {
                log('W', "服务器回应不可路由的地址(" + passive->host + ")。使用服务器地址代替 " + host_);
                passive->host = host_;
            }
            Action open{Action::Kind::kOpenData, passive->host};
            open.port = passive->port;
            actions_.push_back(std::move(open));
            step_ = Step::kDataConnect;
            return;
        }
        case Step::kTransferStart:
            return transfer_started(reply);
        case Step::kUploading:
            // The reply that ends a STOR may come before the last bytes are acknowledged.
            got_226_ = true;
            return;
        case Step::kTransferEnd:
            if (op_ == Op::kPush) {
                if (reply.code != "226") log('D', "ftp STOR wrong");
                done(ResultKind::kTrue);
                return after_operation();
            }
            if (reply.code != "226") return fail_operation();
            got_226_ = true;
            return maybe_transfer_end();
        case Step::kReply: {
            static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kExpected{{
                {"NOOP", "200"},
                {"TYPE", "200"},
                {"SIZE", "213"},
                {"SYST", "215"},
                {"PWD", "257"},
                {"MKD", "257"},
                {"CWD", "250"},
                {"CDUP", "250"},
                {"RMD", "250"},
                {"DELE", "250"},
            }};
            bool matched = false;
            for (const auto& [prefix, code] : kExpected) {
                if (command_.starts_with(prefix)) {
                    matched = true;
                    if (reply.code != code) log('D', "ftp COMMAND wrong");
                    break;
                }
            }
            if (!matched && reply.code == "425") log('D', "ftp need pasv_connect");
            done(ResultKind::kText, reply.text);
            return after_operation();
        }
        case Step::kQuit:
            if (reply.code != "221") {
                log('E', "ftp QUIT wrong");
                done(ResultKind::kFalse);
            } else {
                done(ResultKind::kText, reply.text);
            }
            if (data_open_) actions_.push_back(Action{Action::Kind::kCloseData, {}});
            actions_.push_back(Action{Action::Kind::kRelease, {}});
            step_ = Step::kOver;
            return;
        case Step::kIdle:
        case Step::kDataConnect:
        case Step::kBroken:
        case Step::kOver:
            // Read and dropped, as LuatOS's loop does with what comes between operations.
            log('D', "ftp rx " + std::to_string(reply.text.size()) + "byte");
            return;
    }
}

void FtpClient::begin_passive() {
    send("PASV\r\n");
    step_ = Step::kPasv;
}

void FtpClient::transfer_started(const FtpReply& reply) {
    if (reply.code != "150" && reply.code != "125") {
        if (op_ == Op::kPush) log('D', "ftp STOR wrong");
        return fail_operation();
    }
    if (op_ == Op::kPush) {
        step_ = Step::kUploading;
        actions_.push_back(Action{Action::Kind::kStartUpload, {}});
        return;
    }
    step_ = Step::kTransferEnd;
    maybe_transfer_end();
}

void FtpClient::maybe_transfer_end() {
    if (!got_226_ || !data_ended_) return;
    if (op_ == Op::kPull && remote_size_ != 0 && remote_size_ != downloaded_) {
        // LuatOS keeps waiting for the missing bytes until the control connection fails.
        return fail_operation();
    }
    if (op_ == Op::kCommand) {
        done(ResultKind::kText, listing_);
    } else {
        done(ResultKind::kTrue);
    }
    after_operation();
}

void FtpClient::fail_operation() {
    log('E', "ftp operation failed");
    if (data_open_) actions_.push_back(Action{Action::Kind::kCloseData, {}});
    data_open_ = false;
    done(ResultKind::kFalse);
    after_operation();
}

void FtpClient::after_operation() {
    step_ = Step::kIdle;
    got_226_ = false;
    data_ended_ = false;
    listing_.clear();
    if (close_requested_) begin_quit();
}

void FtpClient::begin_quit() {
    close_requested_ = false;
    op_ = Op::kClose;
    send("QUIT\r\n");
    step_ = Step::kQuit;
}

bool FtpClient::refuse_busy(int request) {
    if (step_ == Step::kBroken) {
        // LuatOS's wait_event_and_out: the next request ends the session with false.
        done(ResultKind::kFalse);
        actions_.push_back(Action{Action::Kind::kRelease, {}});
        step_ = Step::kOver;
        return true;
    }
    if (!busy()) return false;
    log('E', "last cmd not finish, ignore " + std::to_string(request) + ",0,0,0");
    return true;
}

bool FtpClient::start_command(std::string command) {
    if (refuse_busy(2)) return step_ == Step::kOver;
    op_ = Op::kCommand;
    command_ = ftp_command_line(command);
    if (command_.starts_with("LIST")) {
        begin_passive();
    } else {
        send(command_);
        step_ = Step::kReply;
    }
    return true;
}

bool FtpClient::start_pull(std::string remote) {
    if (refuse_busy(3)) return step_ == Step::kOver;
    op_ = Op::kPull;
    command_ = std::move(remote);
    remote_size_ = 0;
    downloaded_ = 0;
    send(fit_line("SIZE " + command_ + "\r\n"));
    step_ = Step::kSize;
    return true;
}

bool FtpClient::start_push(std::string remote, std::size_t local_size) {
    if (refuse_busy(4)) return step_ == Step::kOver;
    op_ = Op::kPush;
    command_ = std::move(remote);
    local_size_ = local_size;
    begin_passive();
    return true;
}

void FtpClient::start_close() {
    if (step_ == Step::kOver) return;
    if (step_ == Step::kBroken) {
        refuse_busy(5);
        return;
    }
    if (busy()) {
        close_requested_ = true;
        return;
    }
    begin_quit();
}

void FtpClient::data_connected() {
    if (step_ != Step::kDataConnect) return;
    data_open_ = true;
    log('D', "ftp pasv_connect ok");
    if (op_ == Op::kCommand) {
        send(command_);
    } else {
        send(fit_line((op_ == Op::kPull ? "RETR " : "STOR ") + command_ + "\r\n"));
    }
    step_ = Step::kTransferStart;
}

void FtpClient::data_failed() {
    if (step_ == Step::kDataConnect) {
        log(op_ == Op::kPull ? 'E' : 'D', "ftp pasv_connect fail");
        return fail_operation();
    }
    data_closed();
}

void FtpClient::data_bytes(std::string_view bytes) {
    if (op_ == Op::kCommand) listing_.append(bytes);
    downloaded_ += bytes.size();
}

void FtpClient::data_closed() {
    if (!data_open_) return;
    log('D', "ftp data channel close");
    data_open_ = false;
    data_ended_ = true;
    if (step_ == Step::kTransferEnd) maybe_transfer_end();
}

void FtpClient::upload_done(std::size_t sent) {
    if (step_ != Step::kUploading) return;
    if (data_open_) {
        log('D', "ftp data upload done!");
        actions_.push_back(Action{Action::Kind::kCloseData, {}});
        data_open_ = false;
    }
    if (sent != local_size_) {
        log('E', "upload not finish !!! " + std::to_string(sent) + "," + std::to_string(local_size_));
        return fail_operation();
    }
    step_ = Step::kTransferEnd;
    if (got_226_) {
        done(ResultKind::kTrue);
        after_operation();
    }
}

void FtpClient::control_closed() {
    switch (step_) {
        case Step::kGreeting:
            return fail_login({});
        case Step::kUser:
            return fail_login("ftp username wrong");
        case Step::kPass:
            return fail_login("ftp login wrong");
        case Step::kQuit:
            done(ResultKind::kFalse);
            actions_.push_back(Action{Action::Kind::kRelease, {}});
            step_ = Step::kOver;
            return;
        case Step::kBroken:
        case Step::kOver:
            return;
        case Step::kIdle:
            break;
        default:
            break;
    }
    const bool closing = close_requested_;
    close_requested_ = false;
    if (step_ != Step::kIdle) fail_operation();
    log('E', "ftp network error");
    step_ = Step::kBroken;
    // A close asked for during the operation: its QUIT fails, the session ends with false.
    if (closing) refuse_busy(5);
}

void FtpClient::timed_out() {
    if (step_ == Step::kIdle || step_ == Step::kBroken || step_ == Step::kOver) return;
    if (step_ == Step::kQuit || step_ == Step::kGreeting || step_ == Step::kUser || step_ == Step::kPass)
        return control_closed();
    fail_operation();
}

}  // namespace lua_bindings
