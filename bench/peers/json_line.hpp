// One machine-readable result line: a flat-or-nested JSON object built in order, printed on one line.
// The harness reads exactly one such line per run from a peer's stdout.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bench {

class JsonLine {
  public:
    JsonLine& add(std::string_view key, std::string_view value);
    JsonLine& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
    JsonLine& add(std::string_view key, double value);
    JsonLine& add(std::string_view key, std::int64_t value);
    JsonLine& add(std::string_view key, std::uint64_t value);
    JsonLine& add(std::string_view key, int value) { return add(key, static_cast<std::int64_t>(value)); }
    JsonLine& add(std::string_view key, bool value);
    // A nested object, already built.
    JsonLine& add(std::string_view key, const JsonLine& object);

    [[nodiscard]] std::string str() const { return "{" + body_ + "}"; }
    // Write the line to stdout and flush it at once (the harness times line arrival).
    void print() const;

  private:
    void key(std::string_view k);
    std::string body_;
};

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

}  // namespace bench
