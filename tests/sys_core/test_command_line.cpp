// The option-table parser shared by `luatos` and the bench programs (sys_task/command_line.hpp).
#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "sys_task/command_line.hpp"

namespace {

struct Config {
    int port = 0;
    bool verbose = false;
};

using Option = sys_task::CommandOption<Config>;

std::vector<Option> options() {
    return {
        {"--port", "PORT", "the port",
         [](Config& c, std::string_view v, std::string& error) {
             if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos) {
                 error = "--port needs a number, not '" + std::string(v) + "'";
                 return false;
             }
             c.port = std::stoi(std::string(v));
             return true;
         }},
        {"--verbose", "", "say more",
         [](Config& c, std::string_view, std::string&) {
             c.verbose = true;
             return true;
         },
         "-v"},
    };
}

bool parse(const std::vector<std::string_view>& args, Config& c, std::vector<std::string>* operands,
           std::string& error) {
    return sys_task::parse_command_line<Config>(args, options(), c, operands, error);
}

}  // namespace

TEST_CASE("command line: values both ways, flags, an alias, operands, and '--'") {
    Config c;
    std::vector<std::string> operands;
    std::string error;
    REQUIRE(
        parse({"a", "--port", "1883", "-v", "-", "--port=8883", "--", "--port", "-v"}, c, &operands, error));
    CHECK(c.port == 8883);  // the last one wins
    CHECK(c.verbose);
    CHECK(operands == std::vector<std::string>{"a", "-", "--port", "-v"});
    CHECK(error.empty());
}

TEST_CASE("command line: each bad argument gives its reason") {
    std::string error;
    Config c;
    std::vector<std::string> operands;
    CHECK_FALSE(parse({"--nope"}, c, &operands, error));
    CHECK(error == "unknown option --nope");
    CHECK_FALSE(parse({"--port"}, c, &operands, error));
    CHECK(error == "--port needs a value (PORT)");
    CHECK_FALSE(parse({"--verbose=yes"}, c, &operands, error));
    CHECK(error == "--verbose takes no value");
    CHECK_FALSE(parse({"-v=yes"}, c, &operands, error));  // an alias is a whole argument
    CHECK(error == "unknown option -v");
    CHECK_FALSE(parse({"--port", "x"}, c, &operands, error));
    CHECK(error == "--port needs a number, not 'x'");
    CHECK_FALSE(parse({"file"}, c, nullptr, error));  // a program without operands
    CHECK(error == "unexpected argument 'file'");
}

TEST_CASE("command line: the help lists the table in two columns") {
    CHECK(sys_task::command_line_help(options(), 14) ==
          "  --port PORT the port\n"
          "  --verbose   say more\n");
    CHECK(sys_task::command_line_help(options(), 10) ==
          "  --port PORT  the port\n"
          "  --verbose  say more\n");
}
