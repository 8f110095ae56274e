#include "platform_air780ep/pcap_writer.hpp"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace platform_air780ep {

namespace {

// The largest Ethernet frame lwIP sends or slirp gives back (MTU 1500 + header), with room to spare.
constexpr int kSnapLength = 65535;
constexpr std::size_t kFileBuffer = 256 * 1024;

}  // namespace

std::unique_ptr<PcapWriter> PcapWriter::create(const std::string& path, std::uint64_t epoch_us,
                                               std::string& error) {
    std::unique_ptr<PcapWriter> w(new PcapWriter(path, epoch_us));
    w->handle_ = pcap_open_dead(DLT_EN10MB, kSnapLength);
    if (w->handle_ == nullptr) {
        error = "libpcap: cannot open a capture handle";
        return nullptr;
    }
    std::FILE* file = std::fopen(path.c_str(), "wbe");
    if (file == nullptr) {
        error = std::string(std::strerror(errno));
        return nullptr;  // the destructor closes the handle
    }
    w->buffer_ = std::make_unique<char[]>(kFileBuffer);
    std::setvbuf(file, w->buffer_.get(), _IOFBF, kFileBuffer);
    w->dumper_ = pcap_dump_fopen(w->handle_, file);
    if (w->dumper_ == nullptr) {
        error = pcap_geterr(w->handle_);
        std::fclose(file);
        return nullptr;
    }
    // The header is on disk at once: an empty capture is already a valid file.
    if (pcap_dump_flush(w->dumper_) != 0) {
        error = "cannot write the header";
        return nullptr;
    }
    return w;
}

PcapWriter::~PcapWriter() {
    if (dumper_ != nullptr) pcap_dump_close(dumper_);  // flushes and closes the file
    if (handle_ != nullptr) pcap_close(handle_);
}

void PcapWriter::write(std::span<const std::uint8_t> frame, std::uint64_t device_us) {
    const std::uint64_t t = epoch_us_ + device_us;
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(t / 1000000);
    header.ts.tv_usec = static_cast<suseconds_t>(t % 1000000);
    header.caplen = static_cast<bpf_u_int32>(frame.size());
    header.len = static_cast<bpf_u_int32>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, frame.data());
    ++frames_;
    dirty_ = true;
}

bool PcapWriter::flush() {
    if (!dirty_) return true;
    dirty_ = false;
    return pcap_dump_flush(dumper_) == 0;
}

}  // namespace platform_air780ep
