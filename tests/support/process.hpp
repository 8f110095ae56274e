// Test support: temporary folders and child processes (openssl, mosquitto, luatos).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tests {

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
  public:
    explicit TempDir(const std::string& prefix = "luatos-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    // The path of `name` inside it.
    [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

// Starts `argv` (searched in PATH, then in /usr/sbin) with stdout and stderr going to `log_file`.
// Throws std::runtime_error if it cannot be started.
pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& log_file);
// The same with stdout and stderr in two files.
pid_t spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& out_file,
                    const std::filesystem::path& err_file);

// Runs `argv` to completion; throws std::runtime_error with its output if it does not exit with 0.
void run_command(const std::vector<std::string>& argv, const std::filesystem::path& log_file);

// Waits for a child started by spawn_process(). Returns its exit status, or 128 + the signal that
// ended it.
int wait_process(pid_t pid);
// The same without blocking: nullopt while it runs.
std::optional<int> poll_process(pid_t pid);

std::string read_file(const std::filesystem::path& file);
void write_file(const std::filesystem::path& file, std::string_view content);

}  // namespace tests
