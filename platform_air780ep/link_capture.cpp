#include "platform_air780ep/link_capture.hpp"

#include <chrono>

namespace platform_air780ep {

bool LinkCapture::start(const std::string& path, std::string& error) {
    stop();
    // The device clock's zero in wall-clock time: timestamps read as dates, intervals stay the
    // device clock's own.
    const auto wall_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    const std::uint64_t now = link_.now_us();
    const std::uint64_t epoch_us =
        static_cast<std::uint64_t>(wall_us) > now ? static_cast<std::uint64_t>(wall_us) - now : 0;
    std::string why;
    writer_ = PcapWriter::create(path, epoch_us, why);
    if (!writer_) {
        error = "cannot write the capture file " + path + ": " + why;
        return false;
    }
    link_.set_tap([this](LinkDirection, std::span<const std::uint8_t> frame, std::uint64_t now_us) {
        on_frame(frame, now_us);
    });
    flush_hook_ = loop_.add_before_block([this] { flush(); });
    log_.info("pcap", "capturing the cellular link (LWIP_GP) into " + path);
    return true;
}

void LinkCapture::stop() {
    link_.set_tap({});
    if (flush_hook_ != 0) loop_.remove_before_block(flush_hook_);
    flush_hook_ = 0;
    if (!writer_) return;
    log_.info("pcap",
              "capture stopped: " + std::to_string(writer_->frames()) + " frames in " + writer_->path());
    writer_.reset();
}

std::string LinkCapture::status() const {
    if (!writer_) return "pcap off";
    return "pcap on " + writer_->path() + " (" + std::to_string(writer_->frames()) + " frames)";
}

void LinkCapture::on_frame(std::span<const std::uint8_t> frame, std::uint64_t now_us) {
    if (writer_) writer_->write(frame, now_us);
}

void LinkCapture::flush() {
    if (!writer_ || writer_->flush()) return;
    // The tap and the hook stay (the hook is running now); with no writer they do nothing until
    // stop() removes them.
    log_.error("pcap", "cannot write to " + writer_->path() + ": capture stopped");
    writer_.reset();
}

void add_capture_commands(ControlServer& server, LinkCapture& capture) {
    server.add_command("pcap", "pcap start FILE | pcap stop: capture the cellular link into a pcap file",
                       [&capture](std::string_view args) -> std::string {
                           if (args.empty()) return "ok " + capture.status();
                           if (args == "stop") {
                               capture.stop();
                               return "ok " + capture.status();
                           }
                           if (args == "start") return "error pcap start needs a file name";
                           if (args.starts_with("start ") || args.starts_with("start\t")) {
                               std::string_view path = args.substr(6);
                               while (!path.empty() && (path.front() == ' ' || path.front() == '\t'))
                                   path.remove_prefix(1);
                               std::string error;
                               if (!capture.start(std::string(path), error)) return "error " + error;
                               return "ok " + capture.status();
                           }
                           return "error pcap takes `start FILE` or `stop`, not '" + std::string(args) + "'";
                       });
}

}  // namespace platform_air780ep
