// A value handed from C++ to Lua, e.g. the arguments of a sys.publish made by native code
// ("IP_READY", "10.0.2.15", 1).
#pragma once

#include <string>
#include <variant>

#include "sys_task/lua_cxx.hpp"

namespace sys_task {

using NativeValue = std::variant<std::monostate, bool, lua_Integer, double, std::string>;

inline void push_native(lua_State* L, const NativeValue& v) {
    struct Pusher {
        lua_State* L;
        void operator()(std::monostate) const { lua_pushnil(L); }
        void operator()(bool b) const { lua_pushboolean(L, b ? 1 : 0); }
        void operator()(lua_Integer i) const { lua_pushinteger(L, i); }
        void operator()(double d) const { lua_pushnumber(L, d); }
        void operator()(const std::string& s) const { lua_pushlstring(L, s.data(), s.size()); }
    };
    std::visit(Pusher{L}, v);
}

}  // namespace sys_task
