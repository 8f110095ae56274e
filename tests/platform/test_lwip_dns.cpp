// lwIP's DNS client with many lookups at once: every socket channel may be resolving the same name at
// the same time (the bench's idle case connects 100 clients with --channels 101). The link's DNS
// answers with TTL 0, so nothing is cached: each lookup waits for an answer. (The server's accept
// backlog is SOMAXCONN: with 16, a connect past it waits for SYN retransmissions, seconds.)
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "net_test_support.hpp"
#include "platform_air780ep/lwip_stack.hpp"
#include "platform_air780ep/lwip_tcp_stream.hpp"
#include "platform_air780ep/slirp_link.hpp"

using namespace platform_air780ep;
using namespace tests;
using sys_task::EventLoop;
using sys_task::Logger;

TEST_CASE("lwIP DNS: 100 streams resolving one name at once all connect") {
    EventLoop loop;
    Logger log{loop.start_time()};
    log.set_stdout(false);
    LoopServer server(loop, false);
    HostMap hosts;
    std::string error;
    REQUIRE(hosts.add("many.test=127.0.0.1:" + std::to_string(server.port()), error));
    const auto owned_link = SlirpLink::create(loop, log, hosts, SlirpLinkConfig{}, error);
    REQUIRE(owned_link);
    SlirpLink& link = *owned_link;
    {
        const auto owned_stack = LwipStack::create(loop, log, link, {}, error);
        REQUIRE(owned_stack);
        LwipStack& stack = *owned_stack;
        struct Client {
            std::unique_ptr<LwipTcpStream> stream;
            std::unique_ptr<RecordingListener> rec;
        };
        std::vector<Client> clients;
        for (int i = 0; i < 100; ++i) {
            Client c{std::make_unique<LwipTcpStream>(stack, hosts), nullptr};
            c.rec = std::make_unique<RecordingListener>(*c.stream);
            REQUIRE(c.stream->open("many.test", 1883));
            clients.push_back(std::move(c));
        }
        REQUIRE(run_until(
            loop,
            [&] {
                for (const Client& c : clients)
                    if (!c.rec->connected() && !c.rec->closed()) return false;
                return true;
            },
            10000));
        std::size_t connected = 0;
        for (const Client& c : clients) {
            if (c.rec->events == std::vector<std::string>{"connected"}) ++connected;
        }
        CHECK(connected == 100);
        clients.clear();
    }
}
