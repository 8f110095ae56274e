// PcapWriter: Ethernet frames into a libpcap capture file (pcap_open_dead + pcap_dump), which
// Wireshark and `tshark -r` read. Frames collect in a large stdio buffer and go to the file at each
// flush() (LinkCapture flushes once per event-loop turn, before the loop may block), so the file is
// whole whenever the device waits: it can be read while the device runs, and a run ended by a
// signal loses nothing (docs/debugging.md).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

struct pcap;
struct pcap_dumper;

namespace platform_air780ep {

class PcapWriter {
  public:
    // A new capture file at `path` (an existing file is replaced). `epoch_us` is the wall-clock time
    // (microseconds since 1970) of the device clock's zero: a frame written at device time t gets
    // the timestamp epoch_us + t, so intervals in the file are intervals on the device clock.
    // nullptr, with libpcap's reason in `error`, when the file cannot be created.
    static std::unique_ptr<PcapWriter> create(const std::string& path, std::uint64_t epoch_us,
                                              std::string& error);
    ~PcapWriter();
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    // One frame, seen at `device_us` on the device clock; in the file at the next flush().
    void write(std::span<const std::uint8_t> frame, std::uint64_t device_us);
    // Everything written so far to the file. False when it could not be written (disk full...): the
    // caller stops capturing.
    bool flush();

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::uint64_t frames() const { return frames_; }

  private:
    PcapWriter(std::string path, std::uint64_t epoch_us) : path_(std::move(path)), epoch_us_(epoch_us) {}

    std::string path_;
    std::uint64_t epoch_us_;
    // The stdio buffer of the file: big enough for one busy loop turn, so that a reader rarely sees
    // a frame cut in two. Destroyed after the file is closed (members go after the destructor body).
    std::unique_ptr<char[]> buffer_;
    pcap* handle_ = nullptr;
    pcap_dumper* dumper_ = nullptr;
    std::uint64_t frames_ = 0;
    bool dirty_ = false;
};

}  // namespace platform_air780ep
