// The `luatos` executable: usage, exit codes, VM-exit lines, --run-for, --log-file, identity options,
// and output that arrives line by line on a pipe.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "luatos-cli-XXXXXX").string();
        path = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(const std::string& rel, const std::string& content) const {
        fs::create_directories((path / rel).parent_path());
        std::ofstream(path / rel, std::ios::binary) << content;
        return path / rel;
    }
};

// A running `luatos` with its stdout and stderr on pipes; killed by pid if still running at the end.
class Luatos {
  public:
    explicit Luatos(const std::vector<std::string>& args) {
        int out[2];
        int err[2];
        REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
        REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
        std::vector<std::string> argv_s{LUATOS_BINARY};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : argv_s)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        REQUIRE(::posix_spawn(&pid_, LUATOS_BINARY, &fa, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
        ::close(out[1]);
        ::close(err[1]);
        out_ = out[0];
        err_ = err[0];
    }
    ~Luatos() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(out_);
        ::close(err_);
    }
    Luatos(const Luatos&) = delete;
    Luatos& operator=(const Luatos&) = delete;

    // Read stdout until it holds a full line containing `needle` (or the deadline passes).
    bool wait_for_stdout(const std::string& needle, std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            const auto nl = stdout_.rfind('\n');
            if (nl != std::string::npos && stdout_.substr(0, nl).find(needle) != std::string::npos)
                return true;
            if (!pump(deadline)) return false;
        }
        return false;
    }

    void signal(int sig) {
        if (pid_ > 0) ::kill(pid_, sig);
    }

    bool running() {
        if (pid_ <= 0) return false;
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == 0) return true;
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return false;
    }

    // Wait for the end (killing it after `timeout`) and collect everything it wrote.
    int finish(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
        const auto deadline = Clock::now() + timeout;
        while (pump(deadline)) {
        }
        if (pid_ > 0) {
            if (Clock::now() >= deadline) ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        return exit_code_;
    }

    const std::string& out() const { return stdout_; }
    const std::string& err() const { return stderr_; }
    // stdout lines without the Luatools prefix
    std::vector<std::string> lines() const {
        std::vector<std::string> result;
        std::istringstream in(stdout_);
        std::string line;
        const std::regex prefix(R"(^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\]\[\d{9}\.\d{3}\] )");
        while (std::getline(in, line))
            result.push_back(std::regex_replace(line, prefix, ""));
        return result;
    }

  private:
    // Read what is available; false once both pipes are closed or the deadline passed.
    bool pump(Clock::time_point deadline) {
        pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        if (::poll(fds, 2, static_cast<int>(left)) <= 0) return false;
        bool open = false;
        std::string* sinks[2] = {&stdout_, &stderr_};
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0) continue;
            if ((fds[i].revents & (POLLIN | POLLHUP)) != 0) {
                char buf[4096];
                const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
                if (n > 0) {
                    sinks[i]->append(buf, static_cast<std::size_t>(n));
                    open = true;
                } else {
                    (i == 0 ? out_closed_ : err_closed_) = true;
                }
            }
        }
        return open || !(out_closed_ && err_closed_);
    }

    pid_t pid_ = -1;
    int out_ = -1;
    int err_ = -1;
    bool out_closed_ = false;
    bool err_closed_ = false;
    int exit_code_ = -1;
    std::string stdout_;
    std::string stderr_;
};

}  // namespace

TEST_CASE("luatos --help prints the usage and every option, exit 0") {
    Luatos p({"--help"});
    CHECK(p.finish() == 0);
    CHECK(p.out().starts_with("usage: luatos [options] DIR/ | FILE.lua ...\n"));
    for (const char* opt : {"--imei", "--unique-id", "--log-file", "--heap", "--run-for", "--tz",
                            "--data-dir", "--attach-delay", "--channels", "--help"}) {
        CHECK(p.out().find(opt) != std::string::npos);
    }
}

TEST_CASE("usage errors go to stderr with exit 2") {
    TempDir dir;
    dir.write("nomain/lib.lua", "return 1");
    dir.write("a/main.lua", "");
    dir.write("b/main.lua", "-- not a's main");
    {
        Luatos p({});
        CHECK(p.finish() == 2);
        CHECK(p.err().starts_with("luatos: no scripts given"));
        CHECK(p.out().empty());
    }
    {
        Luatos p({(dir.path / "nomain").string()});
        CHECK(p.finish() == 2);
        CHECK(p.err().starts_with("luatos: no main.lua among the scripts given"));
    }
    {
        Luatos p({"--nope", (dir.path / "a").string()});
        CHECK(p.finish() == 2);
        CHECK(p.err() == "luatos: unknown option --nope\nTry 'luatos --help' for more information.\n");
    }
    {
        Luatos p({"--imei", "490154203237519", (dir.path / "a").string()});
        CHECK(p.finish() == 2);
        CHECK(p.err().starts_with("luatos: IMEI 490154203237519 has a bad check digit"));
    }
    {
        Luatos p({(dir.path / "a").string(), (dir.path / "b").string()});
        CHECK(p.finish() == 2);
        CHECK(p.err().find("two different files are both /luadb/main.lua") != std::string::npos);
    }
    {
        // The same bytes under one base name twice (an official demo folder's shared CA file) are
        // flashed once, with one warning line at boot.
        dir.write("twice/main.lua", "os.exit(3)");
        dir.write("twice/x/ca.crt", "CA");
        dir.write("twice/y/ca.crt", "CA");
        Luatos p({(dir.path / "twice").string()});
        CHECK(p.finish() == 3);
        CHECK(p.err().empty());
        const std::string warning = "W/luadb /luadb/ca.crt is given twice with the same content (" +
                                    (dir.path / "twice/x/ca.crt").string() + " and " +
                                    (dir.path / "twice/y/ca.crt").string() + "): flashed once\n";
        CHECK(p.out().find(warning) != std::string::npos);
        CHECK(p.out().find("is given twice") == p.out().rfind("is given twice"));
    }
    for (const char* bad : {"8080", "0=80", "udp:8080=", "sctp:8080=80", "udp8080=80"}) {
        Luatos p({"--forward", bad, (dir.path / "a").string()});
        CHECK(p.finish() == 2);
        CHECK(p.err() ==
              std::string(
                  "luatos: --forward needs [tcp:|udp:]HOSTPORT=DEVICEPORT (e.g. 8080=80, udp:5000=50003), "
                  "not '") +
                  bad + "'\nTry 'luatos --help' for more information.\n");
    }
    for (const char* bad : {"0", "256", "8x", "-1"}) {
        Luatos p({"--channels", bad, (dir.path / "a").string()});
        CHECK(p.finish() == 2);
        CHECK(p.err() == std::string("luatos: --channels needs a count from 1 to 255, not '") + bad +
                             "'\nTry 'luatos --help' for more information.\n");
    }
}

TEST_CASE("luatos --channels N sets how many clients may exist at once (default 8, the Air780EP's)") {
    TempDir dir;
    // mqtt.create takes a channel (nothing connects); the first nil means none is left.
    dir.write("c/main.lua", R"LUA(
        local clients = {}
        while true do
            local c = mqtt.create(nil, "127.0.0.1", 1883)
            if not c then break end
            clients[#clients + 1] = c
        end
        local n = #clients
        clients[1]:close()
        log.info("t", "channels", n, mqtt.create(nil, "127.0.0.1", 1883) ~= nil)
        os.exit(0)
    )LUA");
    const std::vector<std::pair<std::vector<std::string>, std::string>> runs{
        {{}, "I/user.t channels 8 true"},
        {{"--channels", "3"}, "I/user.t channels 3 true"},
        {{"--channels=100"}, "I/user.t channels 100 true"},
    };
    for (const auto& [options, expected] : runs) {
        std::vector<std::string> args = options;
        args.push_back((dir.path / "c").string());
        Luatos p(args);
        CHECK(p.finish() == 0);
        CHECK(p.lines().back() == expected);
    }
}

TEST_CASE("a syntax error in main.lua: LuatOS's VM-exit lines, exit 1 at once") {
    TempDir dir;
    dir.write("s/main.lua", "log.info('t', 'x')\nlocal = 1\n");
    Luatos p({(dir.path / "s").string()});
    CHECK(p.finish() == 1);  // without the 1000 ms the line announces: bench/cli_bench times it
    const auto lines = p.lines();
    REQUIRE(lines.size() == 7);
    CHECK(lines[0] == "I/main LuatOS@Air780EP base 26.04 bsp V2035 64bit");
    CHECK(lines[1].starts_with("I/main ROM Build: "));
    CHECK(lines[2].starts_with("D/main loadlibs luavm 4194296 "));
    CHECK(lines[3].starts_with("D/main loadlibs sys   8388608 "));
    CHECK(lines[4] == "E/main Luat: ");
    CHECK(lines[5] == "E/main [string \"main.lua\"]:2: <name> expected near '='");
    CHECK(lines[6] == "E/main Lua VM exit!! reboot in 1000ms");
    CHECK(p.err().empty());
}

TEST_CASE("files as arguments form /luadb/, os.exit's code is the exit status, identity options") {
    TempDir dir;
    const auto main_lua = dir.write("x/main.lua", R"LUA(
        local lib = require("lib")
        log.info("t", lib.name, mobile.imei(), mcu.unique_id():toHex(), rtos.meminfo())
        os.exit(5)
    )LUA");
    const auto lib = dir.write("y/lib.lua", "return {name = 'lib'}");
    Luatos p({"--imei", "490154203237518", "--unique-id", "C0FFEE", "--heap", "1M", main_lua.string(),
              lib.string()});
    CHECK(p.finish() == 5);
    const auto lines = p.lines();
    REQUIRE(lines.size() >= 5);
    CHECK(std::regex_match(lines[4], std::regex(R"(I/user\.t lib 490154203237518 C0FFEE 1048576 \d+ \d+)")));
}

TEST_CASE("rtos.meminfo(\"sys\"): the module's 8 MiB, this process's resident set and its own peak") {
    // The parent holds a large resident set when it spawns the runtime: Linux carries it into the
    // child's ru_maxrss, so a peak taken from getrusage() would report it; VmHWM does not.
    std::vector<char> ballast(256u << 20, 1);
    TempDir dir;
    dir.write("m/main.lua", R"LUA(
        local total, used, max = rtos.meminfo("sys")
        log.info("t", total, used, max)
        os.exit(0)
    )LUA");
    Luatos p({(dir.path / "m").string()});
    CHECK(p.finish() == 0);
    CHECK(ballast[ballast.size() / 2] == 1);
    const auto lines = p.lines();
    REQUIRE(lines.size() == 5);
    std::smatch boot;
    REQUIRE(std::regex_match(lines[3], boot, std::regex(R"(D/main loadlibs sys   8388608 (\d+) (\d+))")));
    std::smatch m;
    REQUIRE(std::regex_match(lines[4], m, std::regex(R"(I/user\.t 8388608 (\d+) (\d+))")));
    const auto used = std::stoull(m[1]);
    const auto max = std::stoull(m[2]);
    CHECK(used > 0);
    CHECK(max >= used);
    CHECK(max >= std::stoull(boot[2]));
    CHECK(max < (128u << 20));  // the ballast is not this process's
}

TEST_CASE("luatos --run-for ends a waiting script with exit 0, --log-file gets the same lines") {
    TempDir dir;
    dir.write("w/main.lua", R"LUA(
        sys.taskInit(function()
            sys.waitUntil("IP_READY")
            log.info("t", "ready")
            while true do sys.wait(1000) end
        end)
        sys.run()
    )LUA");
    const auto log_file = dir.path / "run.log";
    const auto start = Clock::now();
    Luatos p({"--run-for", "300ms", "--attach-delay", "20", "--log-file", log_file.string(),
              (dir.path / "w").string()});
    CHECK(p.finish() == 0);
    CHECK(Clock::now() - start >= std::chrono::milliseconds(300));  // how soon after: bench/cli_bench
    CHECK(p.lines().back() == "I/user.t ready");
    std::ifstream in(log_file);
    std::stringstream file_text;
    file_text << in.rdbuf();
    CHECK(file_text.str() == p.out());
}

TEST_CASE("output arrives on a pipe line by line, while the script still runs") {
    TempDir dir;
    // The script ends only once the test has seen its first line and says so with a file.
    dir.write("p/main.lua", R"LUA(
        log.info("t", "first")
        sys.taskInit(function()
            while not io.exists("/seen") do sys.wait(10) end
            log.info("t", "second")
            os.exit(0)
        end)
        sys.run()
    )LUA");
    fs::create_directories(dir.path / "data");
    Luatos p({"--data-dir", (dir.path / "data").string(), (dir.path / "p").string()});
    REQUIRE(p.wait_for_stdout("I/user.t first", std::chrono::milliseconds(10000)));
    CHECK(p.running());  // the line came before the process ended (no block buffering on a pipe)
    dir.write("data/seen", "");
    CHECK(p.finish() == 0);
    CHECK(p.lines().back() == "I/user.t second");
}

TEST_CASE("a task error ends the run 500 ms later with exit 1 and LuatOS's lines") {
    TempDir dir;
    dir.write("e/main.lua", "sys.taskInit(function()\n  error('boom')\nend)\nsys.run()\n");
    Luatos p({(dir.path / "e").string()});
    CHECK(p.finish() == 1);
    const auto out = p.out();
    CHECK(out.find("] E/user.coroutine.resume [string \"main.lua\"]:2: boom\r\nstack traceback:\n") !=
          std::string::npos);
    CHECK(out.find("] E/main Luat: \n") != std::string::npos);
    CHECK(p.lines().back() == "E/main Lua VM exit!! reboot in 1000ms");
}

TEST_CASE("SIGINT or SIGTERM ends the run through the normal path, exit 128 + signal") {
    TempDir dir;
    dir.write("i/main.lua", R"LUA(
        log.info("t", "waiting")
        sys.taskInit(function() while true do sys.wait(1000) end end)
        sys.run()
    )LUA");
    for (const int sig : {SIGINT, SIGTERM}) {
        Luatos p({(dir.path / "i").string()});
        REQUIRE(p.wait_for_stdout("I/user.t waiting", std::chrono::milliseconds(2000)));
        p.signal(sig);
        CHECK(p.finish() == 128 + sig);
        CHECK(p.lines().back() == (sig == SIGINT ? "W/main stopped by SIGINT" : "W/main stopped by SIGTERM"));
    }
}
