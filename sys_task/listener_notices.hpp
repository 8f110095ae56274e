// What a stream owes its TransportListener, delivered later from the event loop.
//
// TransportListener promises that no callback arrives from inside a call the owner made into the
// stream, so a stream records what happened (connected, readable, writable, ended) and a DeferredCall
// delivers it in that order from the loop's next iteration. A callback may destroy the stream (and
// so this object): delivery stops there. Bytes that arrived before the end are announced before the
// end itself, so the owner can still read them.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "luat_mqtt/transport.hpp"
#include "sys_task/deferred_call.hpp"
#include "sys_task/event_loop.hpp"

namespace sys_task {

class ListenerNotices {
  public:
    // `has_data` tells whether the stream still holds bytes to read (a readable notice is only given
    // while it does).
    ListenerNotices(sys_task::EventLoop& loop, std::function<bool()> has_data);
    ~ListenerNotices() { *alive_ = false; }
    ListenerNotices(const ListenerNotices&) = delete;
    ListenerNotices& operator=(const ListenerNotices&) = delete;

    void set_listener(luat_mqtt::TransportListener* listener) { listener_ = listener; }

    void connected() { set(connected_); }
    void readable() { set(readable_); }
    void writable() { set(writable_); }
    // The stream ended: what is still owed is the unread data (if any), then the end itself.
    void ended(luat_mqtt::TransportError error, std::string detail);
    // The owner closed the stream: nothing more is owed.
    void clear();

  private:
    void set(bool& flag) {
        flag = true;
        deferred_.arm();
    }
    void deliver();

    std::function<bool()> has_data_;
    luat_mqtt::TransportListener* listener_ = nullptr;
    bool connected_ = false;
    bool readable_ = false;
    bool writable_ = false;
    std::optional<std::pair<luat_mqtt::TransportError, std::string>> closed_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    DeferredCall deferred_;  // last: destroyed first, so it never runs on a half-destroyed object
};

}  // namespace sys_task
