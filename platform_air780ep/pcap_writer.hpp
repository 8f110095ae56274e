// PcapWriter: Ethernet frames into a libpcap capture file (pcap_open_dead + pcap_dump), which
// Wireshark and `tshark -r` read. Each frame is flushed to the file as it is written, so the file is
// whole at every moment: it can be read while the device still runs, and a run ended by a signal or
// a crash loses nothing (docs/debugging.md).
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

    // One frame, seen at `device_us` on the device clock. False when the file could not be written
    // (disk full...): the caller stops capturing.
    bool write(std::span<const std::uint8_t> frame, std::uint64_t device_us);

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::uint64_t frames() const { return frames_; }

  private:
    PcapWriter(std::string path, std::uint64_t epoch_us, pcap* handle, pcap_dumper* dumper)
        : path_(std::move(path)), epoch_us_(epoch_us), handle_(handle), dumper_(dumper) {}

    std::string path_;
    std::uint64_t epoch_us_;
    pcap* handle_;
    pcap_dumper* dumper_;
    std::uint64_t frames_ = 0;
};

}  // namespace platform_air780ep
