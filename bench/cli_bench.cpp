// cli_bench: how soon the `luatos` command ends, timed from posix_spawn to its exit (wait4):
//
//   syntax error   main.lua does not compile: LuatOS's VM-exit lines ("reboot in 1000ms"), exit 1
//                  without the 1000 ms wait the module would take before rebooting
//   --run-for      a script that waits forever, --run-for 300ms: exit 0, how long after the 300 ms
//   task error     a task's error: the VM ends 500 ms later, as on the module, exit 1
//
// The figures tests/runtime/test_cli.cpp once asserted with wall-clock bounds (under 900 ms, under
// 3 s). Medians (and the largest) of 7 runs each; run on an idle machine.
//
//   cli_bench [--luatos PATH] [--runs N]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Timed {
    int exit_code = -1;
    double ms = 0;
};

// Spawn `luatos args...` with its output on /dev/null; the time until it has exited.
Timed run_luatos(const std::string& luatos, const std::vector<std::string>& args) {
    std::vector<std::string> argv_s{luatos};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    Timed t;
    pid_t pid = -1;
    const auto start = std::chrono::steady_clock::now();
    const int rc = ::posix_spawn(&pid, luatos.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return t;
    int status = 0;
    ::waitpid(pid, &status, 0);
    t.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    t.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return t;
}

// Median and largest of `runs` runs; false if one ended with another exit status than `expected`.
bool measure(const char* name, const std::string& luatos, const std::vector<std::string>& args, int expected,
             int runs, const char* note) {
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const Timed t = run_luatos(luatos, args);
        if (t.exit_code != expected) {
            std::printf("%-14s exit status %d, not %d\n", name, t.exit_code, expected);
            return false;
        }
        ms.push_back(t.ms);
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%-14s %8.1f ms to exit (median of %d, largest %.1f)  %s\n", name, ms[ms.size() / 2], runs,
                ms.back(), note);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::string luatos = LUATOS_BINARY;
    int runs = 7;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string opt = argv[i];
        if (opt == "--luatos") {
            luatos = argv[i + 1];
        } else if (opt == "--runs") {
            runs = std::max(1, std::atoi(argv[i + 1]));
        } else {
            std::fprintf(stderr, "usage: %s [--luatos PATH] [--runs N]\n", argv[0]);
            return 2;
        }
    }
    if (argc % 2 == 0) {
        std::fprintf(stderr, "usage: %s [--luatos PATH] [--runs N]\n", argv[0]);
        return 2;
    }

    std::string pattern = (fs::temp_directory_path() / "cli-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const fs::path dir = pattern;
    auto script = [&dir](const std::string& name, const std::string& text) {
        fs::create_directories(dir / name);
        std::ofstream(dir / name / "main.lua") << text;
        return (dir / name).string();
    };
    const std::string data = (dir / "data").string();
    fs::create_directories(data);

    std::printf("cli_bench: %s, spawn to exit\n", luatos.c_str());
    bool ok = measure("syntax error", luatos,
                      {"--data-dir", data, script("syntax", "log.info('t', 'x')\nlocal = 1\n")}, 1, runs,
                      "(the module would wait 1000 ms before its reboot)");
    ok = measure("--run-for", luatos,
                 {"--run-for", "300ms", "--attach-delay", "20", "--data-dir", data,
                  script("wait", "sys.taskInit(function() while true do sys.wait(1000) end end) sys.run()")},
                 0, runs, "(--run-for 300ms)") &&
         ok;
    ok = measure("task error", luatos,
                 {"--data-dir", data,
                  script("error", "sys.taskInit(function()\n  error('boom')\nend)\nsys.run()\n")},
                 1, runs, "(the VM ends 500 ms after the error, as on the module)") &&
         ok;
    std::error_code ec;
    fs::remove_all(dir, ec);
    return ok ? 0 : 1;
}
