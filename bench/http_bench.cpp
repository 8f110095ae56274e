// http_bench: HTTP GET requests per second from a Lua loop (`http.request(...).wait()` one after the
// other, over socket.ETH0 and over socket.LWIP_GP) next to `curl` started once per request in a shell
// loop, against the same tiny local server, in the same run. Each figure is the median of the rounds;
// the ratio is Lua / curl within a round.
//
//   http_bench [--luatos PATH] [--requests N] [--rounds N]
//
// The server (a thread here) reads a request head and answers `200`, `Content-Length: 2`, `ok`, then
// closes, as LuatOS's `Connection: Close` asks.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

class TinyServer {
  public:
    TinyServer() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        const int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(fd_, 64);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~TinyServer() {
        stop_ = true;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] long served() const { return served_; }

  private:
    void serve() {
        while (!stop_) {
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            std::string got;
            char buf[2048];
            while (got.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = ::read(c, buf, sizeof buf);
                if (n <= 0) break;
                got.append(buf, static_cast<std::size_t>(n));
            }
            static const char kAnswer[] =
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
            if (::write(c, kAnswer, sizeof kAnswer - 1) > 0) ++served_;
            ::close(c);
        }
    }

    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<long> served_{0};
    std::thread thread_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Requests per second of the Lua loop, from the script's own "done <n> <ms>" line; 0 on failure.
double lua_rate(const std::string& luatos, const fs::path& dir, const std::string& adapter, int port,
                int requests) {
    const fs::path script = dir / ("bench_" + adapter);
    fs::create_directories(script);
    std::ofstream(script / "main.lua")
        << "sys.taskInit(function()\n"
           "    sys.waitUntil('IP_READY', 5000)\n"
           "    local url = 'http://bench.test:"
        << port
        << "/'\n"
           "    local t0 = mcu.ticks()\n"
           "    local ok = 0\n"
           "    for i = 1, "
        << requests
        << " do\n"
           "        if http.request('GET', url).wait() == 200 then ok = ok + 1 end\n"
           "    end\n"
           "    print('done', ok, mcu.ticks() - t0)\n"
           "    os.exit(0)\n"
           "end)\n"
           "sys.run()\n";
    const fs::path out = dir / ("out_" + adapter + ".txt");
    const auto start = std::chrono::steady_clock::now();
    const std::string cmd = luatos + " --adapter " + adapter +
                            " --host bench.test=127.0.0.1 --run-for 300s " + script.string() + "/ > " +
                            out.string() + " 2>&1";
    if (std::system(cmd.c_str()) != 0) return 0;
    std::printf("    (%s: the whole luatos run, boot and attach included, took %.2f s)\n", adapter.c_str(),
                seconds_since(start));
    std::ifstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t at = line.find("done");
        if (at == std::string::npos) continue;
        std::istringstream words(line.substr(at + 4));
        long ok = 0;
        double ms = 0;
        if (words >> ok >> ms && ok == requests && ms > 0) return requests / (ms / 1000.0);
    }
    return 0;
}

double curl_rate(int port, int requests) {
    const std::string cmd = "i=0; while [ $i -lt " + std::to_string(requests) +
                            " ]; do curl -s -o /dev/null http://127.0.0.1:" + std::to_string(port) +
                            "/ || exit 1; i=$((i+1)); done";
    const auto start = std::chrono::steady_clock::now();
    if (std::system(("sh -c '" + cmd + "'").c_str()) != 0) return 0;
    return requests / seconds_since(start);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    std::string luatos = LUATOS_BINARY;
    int requests = 200, rounds = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--luatos") luatos = argv[i + 1];
        if (a == "--requests") requests = std::atoi(argv[i + 1]);
        if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    }
    const fs::path dir = fs::temp_directory_path() / ("http_bench_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    TinyServer server;
    std::vector<double> curl, eth0, lwip, eth0_ratio, lwip_ratio;
    for (int r = 0; r < rounds; ++r) {
        const double c = curl_rate(server.port(), requests);
        const double e = lua_rate(luatos, dir, "eth0", server.port(), requests);
        const double l = lua_rate(luatos, dir, "lwip", server.port(), requests);
        if (c <= 0 || e <= 0 || l <= 0) {
            std::printf("round %d failed (curl %.1f, eth0 %.1f, lwip %.1f req/s); see %s\n", r + 1, c, e, l,
                        dir.string().c_str());
            return 1;
        }
        curl.push_back(c);
        eth0.push_back(e);
        lwip.push_back(l);
        eth0_ratio.push_back(e / c);
        lwip_ratio.push_back(l / c);
    }
    std::printf("HTTP GET, %d sequential requests per subject, median of %d rounds (server: %ld answers)\n",
                requests, rounds, server.served());
    std::printf("  curl in a shell loop   %8.1f req/s\n", median(curl));
    std::printf("  Lua loop, socket.ETH0  %8.1f req/s   ratio to curl %.2f\n", median(eth0),
                median(eth0_ratio));
    std::printf("  Lua loop, LWIP_GP      %8.1f req/s   ratio to curl %.2f\n", median(lwip),
                median(lwip_ratio));
    fs::remove_all(dir);
    return 0;
}
