// MQTT 3.1.1 string rules: UTF-8 (§1.5.3), topic names and topic filters (§4.7).
#include <catch2/catch.hpp>

#include <string>

#include "luat_mqtt/validate.hpp"

using namespace luat_mqtt;

TEST_CASE("UTF-8: well-formed text passes, ill-formed sequences and U+0000 do not") {
    CHECK(valid_utf8(""));
    CHECK(valid_utf8("plain/ascii"));
    CHECK(valid_utf8("\xC3\xA9t\xC3\xA9"));         // été
    CHECK(valid_utf8("\xE4\xB8\xAD\xE6\x96\x87"));  // 中文
    CHECK(valid_utf8("\xF0\x9F\x98\x80"));          // U+1F600
    CHECK(valid_utf8("\xEF\xBF\xBF"));              // U+FFFF: a non-character, allowed
    CHECK_FALSE(valid_utf8(std::string("a\0b", 3)));
    CHECK_FALSE(valid_utf8("\x80"));              // lone continuation
    CHECK_FALSE(valid_utf8("\xC3"));              // truncated
    CHECK_FALSE(valid_utf8("\xC3\x28"));          // bad continuation
    CHECK_FALSE(valid_utf8("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong
    CHECK_FALSE(valid_utf8("\xED\xA0\x80"));      // U+D800 surrogate
    CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(valid_utf8("\xF8\x88\x80\x80\x80"));
    CHECK_FALSE(valid_utf8("\xFF"));
}

TEST_CASE("topic names: non-empty, at most 65535 bytes, UTF-8, no wildcards") {
    CHECK(check_topic_name("a/b") == TopicError::kOk);
    CHECK(check_topic_name("/") == TopicError::kOk);
    CHECK(check_topic_name("a//b ") == TopicError::kOk);
    CHECK(check_topic_name(std::string(65535, 'x')) == TopicError::kOk);
    CHECK(check_topic_name("") == TopicError::kEmpty);
    CHECK(check_topic_name(std::string(65536, 'x')) == TopicError::kTooLong);
    CHECK(check_topic_name("a/\xC3") == TopicError::kInvalidUtf8);
    CHECK(check_topic_name("a/+") == TopicError::kWildcard);
    CHECK(check_topic_name("a/#") == TopicError::kWildcard);
    CHECK(check_topic_name("a#b") == TopicError::kWildcard);
}

TEST_CASE("topic filters: '+' alone in its level, '#' alone and last") {
    for (const char* ok :
         {"#", "+", "a/#", "a/+/b", "+/+", "/+", "+/", "a/b", "sport/tennis/+", "/#", "+/#"}) {
        INFO(ok);
        CHECK(check_topic_filter(ok) == TopicError::kOk);
    }
    for (const char* bad : {"a#", "a/#/b", "#/a", "a+", "a/b+", "+a", "a/+b/c", "##", "++"}) {
        INFO(bad);
        CHECK(check_topic_filter(bad) == TopicError::kBadWildcard);
    }
    CHECK(check_topic_filter("") == TopicError::kEmpty);
    CHECK(check_topic_filter("a/\xFF") == TopicError::kInvalidUtf8);
    CHECK(check_topic_filter(std::string(65536, 'x')) == TopicError::kTooLong);
}
