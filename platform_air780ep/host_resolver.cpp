#include "platform_air780ep/host_resolver.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

namespace platform_air780ep {

struct HostResolver::Lookup {
    int read_fd = -1;
    int write_fd = -1;
    std::mutex mutex;
    std::optional<Ipv4> address;
    std::string error;

    ~Lookup() {
        if (read_fd >= 0) ::close(read_fd);
        if (write_fd >= 0) ::close(write_fd);
    }

    void run(const std::string& name) {
        addrinfo hints{};
        hints.ai_family = AF_INET;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found);
        {
            std::lock_guard lock(mutex);
            if (rc == 0 && found != nullptr) {
                address = ntohl(reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr.s_addr);
            } else {
                error = rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc);
            }
        }
        if (found != nullptr) ::freeaddrinfo(found);
        signal();
    }

    void signal() const {
        const char byte = 1;
        while (::write(write_fd, &byte, 1) < 0 && errno == EINTR) {
        }
    }
};

bool HostResolver::resolve(const std::string& name, Done done, std::string& error) {
    cancel();
    auto lookup = std::make_shared<Lookup>();
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        error = std::string("pipe2: ") + std::strerror(errno);
        return false;
    }
    lookup->read_fd = fds[0];
    lookup->write_fd = fds[1];
    lookup_ = lookup;
    done_ = std::move(done);
    watch_ = loop_.watch_fd(lookup->read_fd, POLLIN, [this](short) { finished(); });
    try {
        std::thread([lookup, name] { lookup->run(name); }).detach();
    } catch (const std::system_error& e) {  // std::thread's own way of failing
        std::lock_guard lock(lookup->mutex);
        lookup->error = std::string("cannot start a resolver thread: ") + e.what();
        lookup->signal();
    }
    return true;
}

void HostResolver::cancel() {
    if (watch_ != 0) loop_.unwatch_fd(watch_);
    watch_ = 0;
    lookup_.reset();  // the thread keeps its own reference until it ends
    done_ = nullptr;
}

void HostResolver::finished() {
    std::optional<Ipv4> address;
    std::string error;
    {
        std::lock_guard lock(lookup_->mutex);
        address = lookup_->address;
        error = lookup_->error;
    }
    Done done = std::move(done_);
    cancel();
    if (done) done(address, error);  // may destroy this resolver
}

}  // namespace platform_air780ep
