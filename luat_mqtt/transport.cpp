#include "luat_mqtt/transport.hpp"

namespace luat_mqtt {

const char* to_string(TransportError e) {
    switch (e) {
        case TransportError::kNone:
            return "none";
        case TransportError::kDnsFailed:
            return "dns failed";
        case TransportError::kConnectFailed:
            return "connect failed";
        case TransportError::kTlsHandshake:
            return "tls handshake failed";
        case TransportError::kPeerClosed:
            return "closed by peer";
        case TransportError::kReset:
            return "connection reset";
        case TransportError::kTimeout:
            return "timed out";
        case TransportError::kNoResources:
            return "out of resources";
        case TransportError::kLocalClose:
            return "closed locally";
    }
    return "unknown";
}

}  // namespace luat_mqtt
