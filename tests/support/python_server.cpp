#include "tests/support/python_server.hpp"

#include <signal.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/device_runner.hpp"

namespace tests {

namespace {

Lines output_lines(const std::string& text) {
    Lines out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

}  // namespace

PythonServer::PythonServer(const std::string& script, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/python3", repo_path(script).string()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = spawn_process(argv, dir_.file("out.log"), dir_.file("err.log"));
    // Its first line, polled until it comes or the process ends.
    for (;;) {
        const Lines lines = output_lines(read_file(dir_.file("out.log")));
        if (!lines.empty() && lines[0].starts_with("port ")) {
            port_ = static_cast<std::uint16_t>(std::stoi(lines[0].substr(5)));
            return;
        }
        if (poll_process(pid_)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    wait_process(pid_);
    pid_ = -1;
    throw std::runtime_error(script + " did not start: " + read_file(dir_.file("err.log")));
}

PythonServer::~PythonServer() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait_process(pid_);
    }
}

Lines PythonServer::lines() const {
    Lines all = output_lines(read_file(dir_.file("out.log")));
    if (!all.empty()) all.erase(all.begin());
    return all;
}

}  // namespace tests
