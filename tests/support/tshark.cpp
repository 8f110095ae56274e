#include "tests/support/tshark.hpp"

#include "tests/support/process.hpp"

namespace tests {

TsharkResult tshark_fields(const std::filesystem::path& capture, const std::string& filter,
                           const std::vector<std::string>& fields, const std::vector<std::string>& options) {
    TempDir dir("tshark");
    std::vector<std::string> argv = {"tshark", "-r", capture.string()};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.emplace_back("-Y");
    argv.push_back(filter);
    for (const char* a : {"-T", "fields", "-E", "separator=|"})
        argv.emplace_back(a);
    for (const auto& f : fields) {
        argv.emplace_back("-e");
        argv.push_back(f);
    }
    const pid_t pid = spawn_process(argv, dir.path() / "out", dir.path() / "err");
    TsharkResult r;
    r.exit_code = wait_process(pid);
    r.err = read_file(dir.path() / "err");
    const std::string text = read_file(dir.path() / "out");
    std::size_t start = 0;
    for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
        r.lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return r;
}

std::vector<std::string> mqtt_on_port(unsigned port) {
    return {"-d", "tcp.port==" + std::to_string(port) + ",mqtt"};
}

std::vector<std::string> mqtt_in_tls_on_port(unsigned port) {
    return {"-d", "tcp.port==" + std::to_string(port) + ",tls", "-d",
            "tls.port==" + std::to_string(port) + ",mqtt"};
}

}  // namespace tests
