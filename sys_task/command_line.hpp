// A program's command line as one table of options, shared by the `luatos` executable
// (lua_bindings/app/cli_options) and the bench programs (bench/peers/options): `--name VALUE` or
// `--name=VALUE`, flags without a value, an alias (`-h` alone), and operands (anything that does not start
// with '-', "-" itself, and everything after "--"). Each option applies its value to the program's own
// configuration; the help lists the same table. Header-only: a program needs no library for it.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sys_task {

template <class Config>
struct CommandOption {
    std::string_view name;  // "--imei"
    std::string_view arg;   // "DIGITS"; empty for a flag
    std::string_view help;
    // Apply the value (empty for a flag) to the configuration; false with the reason in `error`.
    std::function<bool(Config&, std::string_view value, std::string& error)> apply;
    std::string_view alias = {};  // "-h": the same option as a whole argument of its own (no "=value")
};

// Parse `args` (without the program's name) against `options` into `config`, in order. Operands go to
// `operands`; when it is null they are refused. False at the first bad argument, with the reason in
// `error`: "unknown option --x", "--x needs a value (ARG)", "--x takes no value", "unexpected argument
// 'x'", or what the option's apply wrote.
template <class Config>
bool parse_command_line(std::span<const std::string_view> args,
                        const std::vector<CommandOption<Config>>& options, Config& config,
                        std::vector<std::string>* operands, std::string& error) {
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (options_done || !a.starts_with("-") || a == "-") {
            if (operands == nullptr) {
                error = "unexpected argument '" + std::string(a) + "'";
                return false;
            }
            operands->emplace_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        std::string_view name = a;
        std::optional<std::string_view> value;
        if (const auto eq = a.find('='); eq != std::string_view::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
        }
        const CommandOption<Config>* option = nullptr;
        for (const auto& o : options) {
            if (o.name == name || (!o.alias.empty() && o.alias == a)) option = &o;
        }
        if (option == nullptr) {
            error = "unknown option " + std::string(name);
            return false;
        }
        if (option->arg.empty()) {
            if (value) {
                error = std::string(option->name) + " takes no value";
                return false;
            }
        } else if (!value) {
            if (i + 1 >= args.size()) {
                error = std::string(option->name) + " needs a value (" + std::string(option->arg) + ")";
                return false;
            }
            value = args[++i];
        }
        if (!option->apply(config, value.value_or(std::string_view{}), error)) return false;
    }
    return true;
}

// One line per option: "  NAME ARG" padded to `column` (two spaces after it when longer), then the help.
template <class Config>
std::string command_line_help(const std::vector<CommandOption<Config>>& options, std::size_t column) {
    std::string s;
    for (const auto& o : options) {
        std::string left = "  " + std::string(o.name);
        if (!o.arg.empty()) left += " " + std::string(o.arg);
        if (left.size() < column)
            left.resize(column, ' ');
        else
            left += "  ";
        s += left + std::string(o.help) + "\n";
    }
    return s;
}

}  // namespace sys_task
