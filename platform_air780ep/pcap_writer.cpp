#include "platform_air780ep/pcap_writer.hpp"

#include <pcap/pcap.h>

namespace platform_air780ep {

namespace {

// The largest Ethernet frame lwIP sends or slirp gives back (MTU 1500 + header), with room to spare.
constexpr int kSnapLength = 65535;

}  // namespace

std::unique_ptr<PcapWriter> PcapWriter::create(const std::string& path, std::uint64_t epoch_us,
                                               std::string& error) {
    pcap_t* handle = pcap_open_dead(DLT_EN10MB, kSnapLength);
    if (handle == nullptr) {
        error = "libpcap: cannot open a capture handle";
        return nullptr;
    }
    pcap_dumper_t* dumper = pcap_dump_open(handle, path.c_str());
    if (dumper == nullptr) {
        error = pcap_geterr(handle);
        pcap_close(handle);
        return nullptr;
    }
    // The header is on disk at once: an empty capture is already a valid file.
    pcap_dump_flush(dumper);
    return std::unique_ptr<PcapWriter>(new PcapWriter(path, epoch_us, handle, dumper));
}

PcapWriter::~PcapWriter() {
    pcap_dump_close(dumper_);
    pcap_close(handle_);
}

bool PcapWriter::write(std::span<const std::uint8_t> frame, std::uint64_t device_us) {
    const std::uint64_t t = epoch_us_ + device_us;
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(t / 1000000);
    header.ts.tv_usec = static_cast<suseconds_t>(t % 1000000);
    header.caplen = static_cast<bpf_u_int32>(frame.size());
    header.len = static_cast<bpf_u_int32>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, frame.data());
    ++frames_;
    return pcap_dump_flush(dumper_) == 0;
}

}  // namespace platform_air780ep
