// The string rules of MQTT 3.1.1: UTF-8 strings (§1.5.3), topic names (§4.7, PUBLISH) and topic
// filters (§4.7.1, SUBSCRIBE / UNSUBSCRIBE).
#pragma once

#include <string_view>

namespace luat_mqtt {

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) without
// U+0000, which §1.5.3 forbids in every MQTT string.
bool valid_utf8(std::string_view s);

enum class TopicError {
    kOk = 0,
    kEmpty,        // zero length
    kTooLong,      // more than 65535 bytes
    kInvalidUtf8,  // not well-formed UTF-8, or contains U+0000
    kWildcard,     // a topic name with '+' or '#'
    kBadWildcard,  // a filter with '+' or '#' not alone in its level, or '#' not last
};
const char* to_string(TopicError e);

// A topic name for PUBLISH (and for a will).
TopicError check_topic_name(std::string_view topic);
// A topic filter for SUBSCRIBE / UNSUBSCRIBE.
TopicError check_topic_filter(std::string_view filter);

}  // namespace luat_mqtt
