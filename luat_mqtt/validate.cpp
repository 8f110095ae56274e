#include "luat_mqtt/validate.hpp"

#include <cstdint>

#include "luat_mqtt/packet.hpp"

namespace luat_mqtt {

bool valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const std::uint8_t b = p[i];
        if (b < 0x80) {
            if (b == 0) return false;
            ++i;
            continue;
        }
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if ((b & 0xE0) == 0xC0) {
            extra = 1;
            cp = b & 0x1Fu;
            min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            extra = 2;
            cp = b & 0x0Fu;
            min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            extra = 3;
            cp = b & 0x07u;
            min = 0x10000;
        } else {
            return false;  // a continuation byte first, or 0xF8..0xFF
        }
        if (n - i <= extra) return false;  // truncated sequence
        for (std::size_t k = 1; k <= extra; ++k) {
            const std::uint8_t c = p[i + k];
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += extra + 1;
    }
    return true;
}

const char* to_string(TopicError e) {
    switch (e) {
        case TopicError::kOk:
            return "ok";
        case TopicError::kEmpty:
            return "empty topic";
        case TopicError::kTooLong:
            return "topic longer than 65535 bytes";
        case TopicError::kInvalidUtf8:
            return "topic is not valid UTF-8";
        case TopicError::kWildcard:
            return "wildcard in topic name";
        case TopicError::kBadWildcard:
            return "misplaced wildcard in topic filter";
    }
    return "unknown";
}

namespace {

TopicError check_common(std::string_view s) {
    if (s.empty()) return TopicError::kEmpty;
    if (s.size() > kMaxStringLength) return TopicError::kTooLong;
    if (!valid_utf8(s)) return TopicError::kInvalidUtf8;
    return TopicError::kOk;
}

}  // namespace

TopicError check_topic_name(std::string_view topic) {
    if (const TopicError e = check_common(topic); e != TopicError::kOk) return e;
    if (topic.find_first_of("+#") != std::string_view::npos) return TopicError::kWildcard;
    return TopicError::kOk;
}

TopicError check_topic_filter(std::string_view filter) {
    if (const TopicError e = check_common(filter); e != TopicError::kOk) return e;
    for (std::size_t i = 0; i < filter.size(); ++i) {
        const char c = filter[i];
        if (c != '+' && c != '#') continue;
        const bool starts_level = i == 0 || filter[i - 1] == '/';
        const bool ends_level = i + 1 == filter.size() || filter[i + 1] == '/';
        if (!starts_level || !ends_level) return TopicError::kBadWildcard;
        if (c == '#' && i + 1 != filter.size()) return TopicError::kBadWildcard;
    }
    return TopicError::kOk;
}

}  // namespace luat_mqtt
