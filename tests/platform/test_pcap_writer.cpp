// PcapWriter (docs/debugging.md): an Ethernet capture file that libpcap reads back, whole after every
// flush (read while the writer is still open), with the device clock's times on the given epoch.
#include <pcap/pcap.h>
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "platform_air780ep/pcap_writer.hpp"
#include "tests/support/process.hpp"

using platform_air780ep::PcapWriter;

namespace {

struct Frame {
    std::uint64_t us = 0;
    std::vector<std::uint8_t> bytes;
};

// Everything in the file, read with libpcap as tshark would; `linktype` gets the file's link type.
std::vector<Frame> read_capture(const std::string& path, int& linktype) {
    std::array<char, PCAP_ERRBUF_SIZE> err{};
    pcap_t* p = pcap_open_offline(path.c_str(), err.data());
    REQUIRE(p != nullptr);
    linktype = pcap_datalink(p);
    std::vector<Frame> frames;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(p, &header, &data) == 1) {
        frames.push_back(Frame{static_cast<std::uint64_t>(header->ts.tv_sec) * 1000000 +
                                   static_cast<std::uint64_t>(header->ts.tv_usec),
                               std::vector<std::uint8_t>(data, data + header->caplen)});
    }
    pcap_close(p);
    return frames;
}

}  // namespace

TEST_CASE("pcap writer: Ethernet frames with epoch + device time, readable after every frame", "[pcap]") {
    tests::TempDir dir("pcap-writer");
    const std::string path = (dir.path() / "a.pcap").string();
    std::string error;
    constexpr std::uint64_t kEpoch = 1'800'000'000'000'000;  // 2027-01-15, in microseconds
    auto writer = PcapWriter::create(path, kEpoch, error);
    REQUIRE(writer);
    int linktype = 0;
    CHECK(read_capture(path, linktype).empty());  // the header alone is a valid file
    CHECK(linktype == DLT_EN10MB);

    const std::vector<std::uint8_t> arp(42, 0xA5), big(1514, 0x5A);
    writer->write(arp, 1'500);
    CHECK(writer->flush());
    std::vector<Frame> frames = read_capture(path, linktype);
    REQUIRE(frames.size() == 1);  // flushed: no need to close first
    CHECK(frames[0].us == kEpoch + 1'500);
    CHECK(frames[0].bytes == arp);

    writer->write(big, 2'001'500);
    CHECK(writer->flush());
    frames = read_capture(path, linktype);
    REQUIRE(frames.size() == 2);
    CHECK(frames[1].us - frames[0].us == 2'000'000);  // intervals are the device clock's
    CHECK(frames[1].bytes == big);
    CHECK(writer->frames() == 2);
    writer.reset();
    CHECK(read_capture(path, linktype).size() == 2);

    CHECK(PcapWriter::create((dir.path() / "no/such/dir.pcap").string(), 0, error) == nullptr);
    CHECK(error == "No such file or directory");
}
